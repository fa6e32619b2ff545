// Puts the stack's objects on the real-node lab, in the order `pulumi up` would create them: cluster-scoped
// objects and namespaces, then node prep (which must be ready on every node before storage is used),
// then the database. Returns what the writer needs to reach the database.
import { APPLY_ARGS, isNamespaced, toYaml } from "../controlplane/lab";
import { waitFor } from "../controlplane/procs";
import { mysqlAccountsSql } from "../../components/databases/mysql/accounts";
import type { KubeObject } from "../../tools/synth/write";
import {
  applicable,
  DATABASE,
  fillSecrets,
  generatedPassword,
  LAB_CHAP_USER,
  seedSettings,
  type StackRender,
} from "./database";
import type { DatabaseUnderTest, SettingsName } from "./failover";
import type { RealLab } from "./lab";

export interface Credentials {
  chap: { user: string; password: string };
  rootPassword: string;
  userPassword: string;
}

export function generatedCredentials(): Credentials {
  return {
    chap: { user: LAB_CHAP_USER, password: generatedPassword() },
    rootPassword: generatedPassword(),
    userPassword: generatedPassword(),
  };
}

interface DatabaseOutput {
  namespace: string;
  username: string;
  database?: string;
  credentialsSecret?: string;
}

/** The stack's MySQL objects with real secret values; the Deployment with `settings`' pod settings. */
export function labObjects(
  render: StackRender,
  credentials: Credentials,
  settings: SettingsName,
): KubeObject[] {
  const output = (render.outputs.databases as Record<string, DatabaseOutput>)[DATABASE];
  if (!output) throw new Error(`stack outputs have no database ${DATABASE}`);
  const chap = {
    "node.session.auth.username": credentials.chap.user,
    "node.session.auth.password": credentials.chap.password,
    "discovery.sendtargets.auth.username": credentials.chap.user,
    "discovery.sendtargets.auth.password": credentials.chap.password,
  };
  const secrets: Record<string, Record<string, string>> = {
    "hadb-iscsi/hadb-iscsi-chap": chap,
    [`${output.namespace}/${output.credentialsSecret ?? `${DATABASE}-credentials`}`]: {
      username: output.username,
      password: credentials.userPassword,
      "root-password": credentials.rootPassword,
      // What the program computes from the same passwords (re-applied by the server at every start).
      "accounts.sql": mysqlAccountsSql(render.mysql, {
        root: credentials.rootPassword,
        app: credentials.userPassword,
      }),
    },
  };
  // Only the MySQL entry's objects besides the shared ones: the PostgreSQL entry needs PGO, not run here.
  const objects = applicable(render.manifests).filter(
    (o) => !(o.kind === "Secret" && o.metadata.name.startsWith("pg-")),
  );
  return fillSecrets(objects, secrets).map((o) =>
    settings === "seed" && o.kind === "Deployment" && o.metadata.name === DATABASE ? seedSettings(o) : o,
  );
}

export function databaseUnderTest(render: StackRender, credentials: Credentials): DatabaseUnderTest {
  const output = (render.outputs.databases as Record<string, DatabaseOutput>)[DATABASE];
  const service = render.manifests.find((o) => o.kind === "Service" && o.metadata.name === DATABASE);
  const deployment = render.manifests.find((o) => o.kind === "Deployment" && o.metadata.name === DATABASE);
  const port = (service?.spec as { ports?: { nodePort?: number }[] } | undefined)?.ports?.[0]?.nodePort;
  const labels = (deployment?.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)
    ?.selector?.matchLabels;
  if (!output || !port || !labels) throw new Error("the stack's MySQL has no NodePort Service or Deployment");
  return {
    namespace: output.namespace,
    deployment: DATABASE,
    selector: Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(","),
    nodePort: port,
    user: output.username,
    password: credentials.userPassword,
    database: output.database ?? DATABASE,
  };
}

/** Applies the objects and waits for node prep on every node and the database Deployment. */
export async function deploy(
  lab: RealLab,
  objects: KubeObject[],
  options: { timeoutSeconds?: number; onProgress?: (m: string) => void } = {},
): Promise<void> {
  const timeout = options.timeoutSeconds ?? 900;
  const clusterScoped = objects.filter((o) => !isNamespaced(o));
  const rest = objects.filter((o) => isNamespaced(o));
  await lab.cp.kubectl([...APPLY_ARGS, "--force-conflicts", "-f", "-"], toYaml(clusterScoped));
  const namespaces = clusterScoped.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name);
  for (const namespace of namespaces)
    await waitFor(
      `ServiceAccount default in ${namespace}`,
      async () =>
        (await lab.cp.kubectlResult(["-n", namespace, "get", "sa", "default"])).code === 0 ? true : undefined,
      60_000,
    );
  await lab.cp.kubectl([...APPLY_ARGS, "--force-conflicts", "-f", "-"], toYaml(rest));
  // Node prep (DaemonSets) first: storage is only usable on prepared nodes.
  const workloads = [
    ...rest.filter((o) => o.kind === "DaemonSet"),
    ...rest.filter((o) => o.kind === "Deployment"),
  ];
  for (const workload of workloads) {
    const name = `${workload.kind.toLowerCase()}/${workload.metadata.name}`;
    const namespace = workload.metadata.namespace ?? "default";
    await lab.cp.kubectl(["-n", namespace, "rollout", "status", name, `--timeout=${timeout}s`]);
    options.onProgress?.(`${namespace}/${name} rolled out`);
  }
}
