// README is a short front door and docs/ holds the rest: every page reachable from README, no broken link or
// anchor, generated blocks (config keys, stack catalog, placeholders, failover budgets) current.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { GENERATED_BLOCKS } from "../tools/docs/pages";
import { blockOf } from "../tools/docs/blocks";
import { anchorsOf, brokenLink, linksOf, proseLines, reachableFrom, slug } from "../tools/docs/links";
import { PROJECT_ROOT } from "./helpers/synth";

const read = (page: string): string => readFileSync(join(PROJECT_ROOT, page), "utf8");

function markdownUnder(directory: string): string[] {
  return readdirSync(join(PROJECT_ROOT, directory), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".md") && !file.includes("node_modules"))
    .map((file) => relative(PROJECT_ROOT, join(PROJECT_ROOT, directory, file)))
    .sort();
}

const PAGES = ["README.md", "DEVELOPERS.md", ...markdownUnder("docs"), ...markdownUnder("examples")];

describe("README", () => {
  const readme = read("README.md");

  it("is at most 200 lines, none over 200 characters outside code blocks", () => {
    assert.ok(readme.split("\n").length <= 200, `${readme.split("\n").length} lines`);
    const long = proseLines(readme).filter((line) => line.length > 200);
    assert.deepEqual(long, []);
  });

  it("reaches every page under docs/ and examples/", () => {
    const reached = reachableFrom(PROJECT_ROOT, "README.md");
    assert.deepEqual(
      [...markdownUnder("docs"), ...markdownUnder("examples")].filter((page) => !reached.has(page)),
      [],
    );
  });

  it("teaches the offline try, the deploy steps and the test command, and links DEVELOPERS.md and LICENSE", () => {
    for (const text of [
      "npm ci && npm run synth -- dev",
      "kubectl config current-context",
      "pulumi stack init",
      "pulumi preview",
      "pulumi up",
      "pulumi destroy",
      "PULUMI_CONFIG_PASSPHRASE",
      "pulumi login",
      "npm test",
    ])
      assert.ok(readme.includes(text), text);
    assert.ok(readme.includes("](DEVELOPERS.md)"));
    assert.ok(readme.includes("](LICENSE)"));
    assert.match(read("LICENSE"), /Apache License\s+Version 2\.0/);
  });
});

describe("docs/", () => {
  it("no relative link or anchor is broken", () => {
    const broken = PAGES.flatMap((page) => linksOf(PROJECT_ROOT, page))
      .map((link) => brokenLink(PROJECT_ROOT, link))
      .filter((problem) => problem !== undefined);
    assert.deepEqual(broken, []);
  });

  it("anchors follow GitHub's rules (the link check above relies on them)", () => {
    assert.equal(slug("Cloud clusters (`cloud: aks | eks | gke`)"), "cloud-clusters-cloud-aks--eks--gke");
    assert.equal(slug("Node.js"), "nodejs");
    assert.deepEqual(
      [...anchorsOf('# A\n## A\n```\n# not a heading\n```\n<a id="x"></a>')],
      ["a", "a-1", "x"],
    );
  });

  it("each page has one title and no heading twice", () => {
    for (const page of PAGES) {
      const headings = proseLines(read(page)).filter((line) => /^#{1,6} /.test(line));
      assert.equal(headings.filter((heading) => heading.startsWith("# ")).length, 1, page);
      assert.deepEqual(
        headings.filter((heading, index) => headings.indexOf(heading) !== index),
        [],
        page,
      );
    }
  });

  for (const { page, block, render } of GENERATED_BLOCKS) {
    it(`${page}: the ${block} block is current (run \`npm run docs\`)`, () => {
      assert.equal(blockOf(read(page), block, page), render(PROJECT_ROOT));
    });
  }
});
