// Generates every CRD set of catalog.ts with controller-gen (built by build.sh) into the cache.
// A set is regenerated only when its stamp changes (go.mod, go.sum, packages, options, controller-gen's
// own go.sum); it is written to a temp directory and renamed into place, so two runs at once (two
// helpers, CI beside a developer) never see a half-written set.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { parse, stringify } from "yaml";
import { TOOLS_BIN } from "../tools-bin";
import { CRD_SETS, crdDirectory, moduleVersion, type CrdSet } from "./catalog";

const HERE = __dirname;

function stampOf(set: CrdSet): string {
  const hash = createHash("sha256");
  for (const file of [join(set.name, "go.mod"), join(set.name, "go.sum"), join("controller-gen", "go.sum")])
    hash
      .update(file)
      .update("\0")
      .update(readFileSync(join(HERE, file)));
  return hash.update(JSON.stringify([set.module, set.packages, set.options, set.annotations])).digest("hex");
}

function annotate(dir: string, annotations: Record<string, string>): void {
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
    const crd = parse(readFileSync(join(dir, file), "utf8")) as {
      metadata: { annotations?: Record<string, string> };
    };
    crd.metadata.annotations = { ...crd.metadata.annotations, ...annotations };
    writeFileSync(join(dir, file), stringify(crd));
  }
}

function stampFile(dir: string): string | undefined {
  const file = join(dir, ".stamp");
  return existsSync(file) ? readFileSync(file, "utf8").trim() : undefined;
}

function generate(set: CrdSet): void {
  const dir = crdDirectory(set);
  const stamp = stampOf(set);
  const label = `${set.module}@${moduleVersion(set)}`;
  if (stampFile(dir) === stamp) {
    console.log(`crds: ${label} up to date`);
    return;
  }
  const start = Date.now();
  mkdirSync(dirname(dir), { recursive: true });
  const work = mkdtempSync(`${dir}.tmp-`);
  try {
    const result = spawnSync(
      join(TOOLS_BIN, "controller-gen"),
      [set.options, ...set.packages.map((pkg) => `paths=${set.module}/${pkg}`), `output:crd:dir=${work}`],
      {
        cwd: join(HERE, set.name),
        encoding: "utf8",
        env: { ...process.env, GOFLAGS: "-mod=readonly", GOTOOLCHAIN: "local" },
      },
    );
    if (result.status !== 0)
      throw new Error(`controller-gen failed for ${label} (${result.status}):\n${result.stderr}`);
    if (set.annotations) annotate(work, set.annotations);
    writeFileSync(join(work, ".stamp"), `${stamp}\n`);
    if (stampFile(dir) !== stamp) {
      // A stale set of the same version (other options or go.sum): replaced.
      rmSync(dir, { recursive: true, force: true });
      try {
        renameSync(work, dir);
      } catch (error) {
        // Another run renamed its own copy in between: keep it if it is the same.
        if (stampFile(dir) !== stamp) throw error;
      }
    }
    console.log(`crds: ${label} generated in ${((Date.now() - start) / 1000).toFixed(1)} s (${dir})`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

for (const set of CRD_SETS) generate(set);
