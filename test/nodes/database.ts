// The database under test: the `vagrant-iscsi-mysql` stack as `npm run synth` renders it (the program's
// output, not a copy), with the two overrides this machine needs, made through the stack's own config:
// the MySQL image points at the locally built MariaDB stand-in (hadb's `image` key), and the resources
// fit a 1.5 GiB, 1-vCPU VM. Secret values, which only `pulumi up` generates (the synth writes
// "[secret]"), are filled in here with generated ones, as @pulumi/random would.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { configFromMap } from "../../components/config/load";
import type { MysqlSettings } from "../../components/config/types";
import { readStackFile } from "../../tools/synth/stackfile";
import { REDACTED, type KubeObject } from "../../tools/synth/write";
import { PROJECT_ROOT } from "../controlplane/cluster";
import { runSynth } from "../../tests/helpers/synth";

export const STACK = "vagrant-iscsi-mysql";
export const DATABASE = "mysql";
/** The Vagrant lab's CHAP user (components/cluster/vagrant/component.ts). */
export const LAB_CHAP_USER = "hadb-lab";
/** What this tier changes in the stack's database entry, and why (README, docs/real-nodes.md). */
export const TIER_RESOURCES = { requests: { cpu: "900m", memory: "1Gi" } };

export interface StackRender {
  stackFile: string;
  /** The MySQL entry's settings as the program reads them (application database and user). */
  mysql: MysqlSettings;
  manifests: KubeObject[];
  outputs: Record<string, unknown>;
  /** The synth's printed failover budget of the database (seconds per failure). */
  budgetText: string;
  /** What the program gives the lab's target VM (its Vagrantfile's provisioner environment). */
  target: { iqn: string; lunSizes: string[]; portal: string; initiatorCidrs: string[] };
}

/** The iSCSI target VM's settings as the synth's Vagrantfile passes them to iscsi-target.sh. */
export function targetSettings(vagrantfile: string): StackRender["target"] {
  const value = (name: string): string => {
    const match = new RegExp(`'${name}' => '([^']*)'`).exec(vagrantfile);
    if (!match?.[1]) throw new Error(`the Vagrantfile gives the target no ${name}`);
    return match[1];
  };
  return {
    iqn: value("HADB_TARGET_IQN"),
    lunSizes: value("HADB_LUN_SIZES").split(" "),
    portal: value("HADB_PORTAL"),
    initiatorCidrs: value("HADB_INITIATOR_CIDRS").split(" "),
  };
}

/** The stack file with the tier's overrides (image, resources) on the MySQL entry. */
export function tierStackFile(imageRef: string): string {
  const stack = parse(readFileSync(join(PROJECT_ROOT, "stacks", `${STACK}.yaml`), "utf8")) as {
    config: Record<string, unknown>;
  };
  const databases = stack.config["hadb:databases"] as Record<string, unknown>[];
  const entry = databases.find((d) => d.name === DATABASE);
  if (!entry) throw new Error(`stack ${STACK} has no database ${DATABASE}`);
  entry.image = imageRef;
  entry.resources = TIER_RESOURCES;
  const dir = mkdtempSync(join(tmpdir(), "hadb-nodes-stack-"));
  const file = join(dir, `${STACK}.yaml`);
  writeFileSync(file, stringify(stack));
  return file;
}

export function renderStack(imageRef: string): StackRender {
  const stackFile = tierStackFile(imageRef);
  const out = mkdtempSync(join(tmpdir(), "hadb-nodes-synth-"));
  const result = runSynth([stackFile, "--out", out]);
  if (result.status !== 0) throw new Error(`synth of ${stackFile} failed:\n${result.stderr}`);
  const dir = join(out, "manifests");
  const manifests = readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => parse(readFileSync(join(dir, f), "utf8")) as KubeObject);
  const entry = configFromMap(readStackFile(PROJECT_ROOT, stackFile).config).databases.find(
    (d) => d.name === DATABASE,
  );
  if (!entry?.mysql) throw new Error(`stack ${STACK} has no MySQL settings for ${DATABASE}`);
  return {
    stackFile,
    mysql: entry.mysql,
    manifests,
    outputs: JSON.parse(readFileSync(join(out, "outputs.json"), "utf8")) as Record<string, unknown>,
    budgetText: `${result.stdout}\n${result.stderr}`,
    target: targetSettings(readFileSync(join(out, "commands", "cluster-up", "files", "Vagrantfile"), "utf8")),
  };
}

/** A password of the characters the iSCSI target script accepts (tgt-admin-safe), 24 long. */
export function generatedPassword(): string {
  return randomBytes(18).toString("base64").replace(/\+/g, ".").replace(/\//g, "_");
}

/**
 * Replaces every "[secret]" value of the Secrets with `values[namespace/name][key]`; throws when one is
 * left without a value (nothing redacted reaches the cluster).
 */
export function fillSecrets(
  objects: KubeObject[],
  values: Record<string, Record<string, string>>,
): KubeObject[] {
  return objects.map((object) => {
    if (object.kind !== "Secret") return object;
    const id = `${object.metadata.namespace}/${object.metadata.name}`;
    const copy = structuredClone(object) as KubeObject & { stringData?: Record<string, string> };
    for (const [key, value] of Object.entries(copy.stringData ?? {})) {
      if (value !== REDACTED) continue;
      const filled = values[id]?.[key];
      if (filled === undefined)
        throw new Error(`no value for ${id} key ${key} (redacted in the synth output)`);
      (copy.stringData as Record<string, string>)[key] = filled;
    }
    return copy;
  });
}

interface Probe {
  exec?: { command: string[] };
  initialDelaySeconds?: number;
  periodSeconds?: number;
}
interface Container {
  name: string;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
}
interface PodTemplate {
  spec: { containers: Container[]; tolerations?: unknown[]; terminationGracePeriodSeconds?: number };
}

/**
 * The seed article's pod settings on the same database: no tolerations (the admission plugin's 300 s),
 * a liveness probe after 25 s every 10 s, no readiness or startup probe, the default 30 s grace period.
 * Image, volume, Secret and Service stay hadb's, so only the settings differ.
 */
export function seedSettings(deployment: KubeObject): KubeObject {
  const copy = structuredClone(deployment);
  const template = (copy.spec as { template: PodTemplate }).template;
  delete template.spec.tolerations;
  delete template.spec.terminationGracePeriodSeconds;
  for (const container of template.spec.containers) {
    const liveness = container.livenessProbe?.exec ?? { command: ["mysqladmin", "ping", "--silent"] };
    container.livenessProbe = { exec: liveness, initialDelaySeconds: 25, periodSeconds: 10 };
    delete container.readinessProbe;
    delete container.startupProbe;
  }
  return copy;
}

/** What this tier applies: everything but the objects of operators it does not run (PGO's PostgresCluster). */
export function applicable(objects: KubeObject[]): KubeObject[] {
  return objects.filter((o) => o.kind !== "PostgresCluster");
}
