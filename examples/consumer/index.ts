// Example consumer of hadb: reads a hadb stack by StackReference and runs an application, in its own
// namespace of the same cluster, that connects to one of the stack's databases. README.md explains it.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { appDeployment, connectionSecret, pickDatabase, type HadbConnection, type HadbDatabase } from "./app";

async function main(): Promise<Record<string, unknown>> {
  const config = new pulumi.Config();
  const stackName = config.require("hadbStack");
  const databaseName = config.require("database");
  const namespace = config.get("namespace") ?? "shop";

  const hadb = new pulumi.StackReference(stackName);
  // Plain outputs are read as values, so the program decides before it creates anything.
  const databases = (await hadb.getOutputDetails("databases")).value as
    Record<string, HadbDatabase> | undefined;
  const database = pickDatabase(databases ?? {}, databaseName, stackName);
  // Secret in this stack too: a StackReference keeps hadb's secret outputs secret.
  const connection = hadb
    .requireOutput("databaseConnections")
    .apply((connections) => (connections as Record<string, HadbConnection>)[databaseName] as HadbConnection);

  // The cluster hadb runs on: the kubeconfig it exports (clusters it created, or one it was given), else
  // the ambient context, as hadb itself does.
  const provider = new k8s.Provider("hadb-cluster", {
    kubeconfig: hadb
      .getOutput("kubeconfig")
      .apply((kubeconfig) => (kubeconfig as string | null) ?? undefined),
  });
  const appNamespace = new k8s.core.v1.Namespace("app", { metadata: { name: namespace } }, { provider });

  // hadb keeps a copy in this namespace when its database entry lists it in consumerNamespaces (rotations
  // included); otherwise this stack copies the connection (refreshed by its next `pulumi up`).
  const keptByHadb = database.consumerSecrets[namespace];
  const secretName = keptByHadb ?? `${databaseName}-connection`;
  const copy =
    keptByHadb === undefined
      ? new k8s.core.v1.Secret("connection", connectionSecret(secretName, namespace, connection), {
          provider,
          dependsOn: [appNamespace],
        })
      : undefined;

  const app = new k8s.apps.v1.Deployment("app", appDeployment("app", namespace, database, secretName), {
    provider,
    dependsOn: copy ? [appNamespace, copy] : [appNamespace],
  });
  return {
    engine: database.engine,
    databaseHost: database.host,
    connectionSecretName: secretName,
    connectionSource: keptByHadb === undefined ? "copied by this stack" : "kept by hadb",
    deployment: app.metadata.name,
  };
}

export = main();
