// Turns an evaluation into the reviewable synth folder:
//   resources.json / resources.txt   every resource: type, name, parent, dependencies, key inputs
//   manifests/*.yaml + all.yaml      every Kubernetes object (what the control-plane tests apply)
//   helm/*.yaml                      every Helm release: chart, version, repository, values
//   outputs.json                     stack outputs
// Secrets are written as "[secret]"; nothing in the folder holds a secret value.

import type { KubernetesObject } from "../../components/shared/custom-object";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { SecretValue, type Evaluation, type RecordedResource } from "./evaluate";

export const REDACTED = "[secret]";
export const HELM_RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";
export const COMMAND_TYPE = "command:local:Command";
/** Files a command writes are passed as HADB_FILE_<n>_PATH / HADB_FILE_<n>_B64 environment pairs. */
const FILE_PATH_VARIABLE = /^HADB_FILE_(\d+)_PATH$/;

/** Writes a local command readably: its scripts, plain environment, and the files it writes decoded. */
function writeCommand(resource: RecordedResource, outDir: string): string {
  const inputs = redact(resource.inputs) as Record<string, unknown>;
  const environment = (inputs.environment ?? {}) as Record<string, string>;
  const base = `commands/${fileSafe(resource.name)}`;
  const plainEnvironment: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment)) {
    const match = FILE_PATH_VARIABLE.exec(name);
    if (match) {
      const content = environment[`HADB_FILE_${match[1] ?? ""}_B64`] ?? "";
      const target = join(outDir, base, "files", value);
      mkdirSync(join(target, ".."), { recursive: true });
      writeFileSync(
        target,
        content === REDACTED ? REDACTED : Buffer.from(content, "base64").toString("utf8"),
      );
    } else if (!/^HADB_FILE_\d+_B64$/.test(name)) plainEnvironment[name] = value;
  }
  mkdirSync(join(outDir, base), { recursive: true });
  writeFileSync(
    join(outDir, `${base}/command.yaml`),
    stringify({
      create: inputs.create,
      delete: inputs.delete,
      interpreter: inputs.interpreter,
      environment: plainEnvironment,
    }),
  );
  return `${base}/command.yaml`;
}

/** Secrets become "[secret]"; a secret map keeps its keys (they are not secret) so manifests stay well-formed. */
export function redact(value: unknown): unknown {
  if (value instanceof SecretValue) {
    const inner = value.value;
    if (
      inner !== null &&
      typeof inner === "object" &&
      !Array.isArray(inner) &&
      !(inner instanceof SecretValue)
    ) {
      return Object.fromEntries(Object.keys(inner).map((key) => [key, REDACTED]));
    }
    return REDACTED;
  }
  if (Array.isArray(value)) return value.map(redact);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, redact(v)]),
    );
  }
  return value;
}

/** `urn:pulumi:stack::project::a$b$type::name` -> `type::name` */
export function shortUrn(urn: string): string {
  if (!urn) return "";
  const parts = urn.split("::");
  const types = parts[2] ?? "";
  return `${types.split("$").pop() ?? types}::${parts.slice(3).join("::")}`;
}

export function isKubernetesObject(resource: RecordedResource): boolean {
  return resource.custom && resource.type.startsWith("kubernetes:") && resource.type !== HELM_RELEASE_TYPE;
}

/** An object of the synth output: what the program created, with every value resolved. */
export type KubeObject = KubernetesObject<string>;

export function kubernetesObject(resource: RecordedResource): KubeObject {
  const { apiVersion, kind, metadata, ...rest } = redact(resource.inputs) as Record<string, unknown>;
  return { apiVersion, kind, metadata, ...rest } as KubeObject;
}

export interface HelmRelease {
  name: string;
  chart: string;
  version: string;
  repository: string;
  namespace: string;
  values: Record<string, unknown>;
}

export function helmRelease(resource: RecordedResource): HelmRelease {
  const inputs = redact(resource.inputs) as Record<string, unknown>;
  const repositoryOpts = (inputs.repositoryOpts ?? {}) as { repo?: string };
  return {
    name: typeof inputs.name === "string" ? inputs.name : resource.name,
    chart: String(inputs.chart),
    version: String(inputs.version),
    repository: repositoryOpts.repo ?? "",
    namespace: typeof inputs.namespace === "string" ? inputs.namespace : "default",
    values: (inputs.values ?? {}) as Record<string, unknown>,
  };
}

/**
 * Objects another cluster receives (a DR standby writes to its primary through a provider named
 * `remote-cluster-<site>`) are filed under manifests/<that name>/.
 */
export const REMOTE_CLUSTER_PROVIDER_PREFIX = "remote-cluster-";
function remoteCluster(providerRef: string): string | undefined {
  const name = providerRef.split("::")[3];
  return name?.startsWith(REMOTE_CLUSTER_PROVIDER_PREFIX) ? name : undefined;
}

const fileSafe = (text: string) => text.replace(/[^A-Za-z0-9._-]+/g, "_");

export interface SynthSummary {
  resources: number;
  kubernetesObjects: number;
  helmReleases: number;
  evaluationMs: number;
}

export function writeSynth(evaluation: Evaluation, outDir: string): SynthSummary {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, "manifests"), { recursive: true });
  mkdirSync(join(outDir, "helm"), { recursive: true });

  const rows = [];
  const manifests: KubeObject[] = [];
  let helmReleases = 0;
  for (const resource of evaluation.resources) {
    let keyInputs: unknown;
    if (isKubernetesObject(resource)) {
      const object = kubernetesObject(resource);
      const folder = remoteCluster(resource.providerRef);
      const file = `manifests/${folder ? `${folder}/` : ""}${String(manifests.length).padStart(3, "0")}-${fileSafe(object.kind)}-${fileSafe(
        object.metadata.namespace ?? "cluster",
      )}-${fileSafe(object.metadata.name)}.yaml`;
      mkdirSync(join(outDir, folder ? `manifests/${folder}` : "manifests"), { recursive: true });
      writeFileSync(join(outDir, file), stringify(object));
      manifests.push(object);
      keyInputs = {
        kind: object.kind,
        namespace: object.metadata.namespace,
        name: object.metadata.name,
        file,
      };
    } else if (resource.type === HELM_RELEASE_TYPE) {
      const release = helmRelease(resource);
      const file = `helm/${fileSafe(release.name)}.yaml`;
      writeFileSync(join(outDir, file), stringify(release));
      helmReleases++;
      keyInputs = { chart: release.chart, version: release.version, repository: release.repository, file };
    } else if (resource.type === COMMAND_TYPE) {
      keyInputs = { file: writeCommand(resource, outDir) };
    } else {
      keyInputs = redact(resource.inputs);
    }
    rows.push({
      type: resource.type,
      name: resource.name,
      parent: shortUrn(resource.parentUrn),
      dependsOn: resource.dependencyUrns.map(shortUrn),
      provider: resource.providerRef ? shortUrn(resource.providerRef.split("::").slice(0, 4).join("::")) : "",
      inputs: keyInputs,
    });
  }

  writeFileSync(join(outDir, "resources.json"), `${JSON.stringify(rows, null, 2)}\n`);
  const table = rows.map((row) =>
    [row.type, row.name, row.parent || "-", row.dependsOn.length ? row.dependsOn.join(", ") : "-"].join(
      " | ",
    ),
  );
  writeFileSync(join(outDir, "resources.txt"), `type | name | parent | depends on\n${table.join("\n")}\n`);
  writeFileSync(join(outDir, "all.yaml"), toKubernetesYaml(manifests));
  writeFileSync(join(outDir, "outputs.json"), `${JSON.stringify(redact(evaluation.outputs), null, 2)}\n`);
  return {
    resources: rows.length,
    kubernetesObjects: manifests.length,
    helmReleases,
    evaluationMs: Math.round(evaluation.evaluationMs),
  };
}

/**
 * Objects as one multi-document YAML for kubectl. Kubernetes reads YAML 1.1, where a bare `off`, `on`,
 * `yes` or `no` is a boolean: written as YAML 1.1, such strings are quoted (a StorageClass annotation
 * `hadb.io/fencing: off` was refused by the API server as a bool).
 */
export function toKubernetesYaml(objects: readonly object[]): string {
  return objects.map((object) => stringify(object, { version: "1.1" })).join("---\n");
}
