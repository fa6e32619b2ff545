// Relative links between the Markdown pages and the anchors they point to, as GitHub renders them:
// what tests/docs.test.ts walks to prove every docs/ page is reachable from README and no link is broken.
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";

/** Lines outside fenced code blocks (links and headings inside code are not Markdown). */
export function proseLines(markdown: string): string[] {
  const lines: string[] = [];
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    else if (!fenced) lines.push(line);
  }
  return lines;
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** Anchors a page defines: its headings (duplicates numbered as GitHub does) and explicit `<a id>`s. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading?.[1] !== undefined) {
      const base = slug(heading[1]);
      const count = seen.get(base) ?? 0;
      anchors.add(count === 0 ? base : `${base}-${count}`);
      seen.set(base, count + 1);
    }
    for (const match of line.matchAll(/<a id="([^"]+)"><\/a>/g)) if (match[1]) anchors.add(match[1]);
  }
  return anchors;
}

export interface Link {
  from: string;
  target: string;
  /** Resolved path relative to the project root ("" for a same-page anchor). */
  path: string;
  anchor: string | undefined;
}

/** Relative links of one page (http(s) and mailto links are someone else's business). */
export function linksOf(projectRoot: string, page: string): Link[] {
  const links: Link[] = [];
  const text = proseLines(readFileSync(join(projectRoot, page), "utf8")).join("\n");
  for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = match[1] ?? "";
    if (/^[a-z]+:/.test(target)) continue;
    const [file = "", anchor] = target.split("#");
    const path =
      file === "" ? page : normalize(relative(projectRoot, join(projectRoot, dirname(page), file)));
    links.push({ from: page, target, path, anchor });
  }
  return links;
}

/** What is wrong with a link: a missing file or an anchor the target page does not define. */
export function brokenLink(projectRoot: string, link: Link): string | undefined {
  const full = join(projectRoot, link.path);
  if (!existsSync(full)) return `${link.from}: ${link.target} (no such file)`;
  if (link.anchor === undefined || statSync(full).isDirectory() || !link.path.endsWith(".md"))
    return undefined;
  return anchorsOf(readFileSync(full, "utf8")).has(link.anchor)
    ? undefined
    : `${link.from}: ${link.target} (no such anchor)`;
}

/** Markdown pages reachable from `start` through relative links. */
export function reachableFrom(projectRoot: string, start: string): Set<string> {
  const reached = new Set<string>([start]);
  const queue = [start];
  for (let page = queue.shift(); page !== undefined; page = queue.shift()) {
    for (const link of linksOf(projectRoot, page)) {
      if (!link.path.endsWith(".md") || reached.has(link.path) || !existsSync(join(projectRoot, link.path)))
        continue;
      reached.add(link.path);
      queue.push(link.path);
    }
  }
  return reached;
}
