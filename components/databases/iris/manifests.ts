// Pure builders for one IRIS database: durable %SYS on a single-writer volume, CPF merge, probes,
// passwords from a Secret (never the default SYS), an application account of its own (accounts.ts),
// private Service unless explicitly exposed.

import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import type { DatabaseSpec, IrisSettings } from "../../config/types";
import { imageVersion, recommendedLabels, selectorLabels } from "../../shared/labels";
import { IRIS_PORTS, IRIS_UID } from "../catalog";
import { singleWriterDeployment, type SingleWriterDeployment } from "../deployment";
import { databaseService } from "../service";
import { dataClaim, type DataVolume } from "../volume";
import { dataClaimName } from "../../shared/naming";
import { irisCpfMerge } from "./cpf";
import { CREDENTIALS_REVISION_ANNOTATION, CREDENTIALS_SECRET_ANNOTATIONS } from "../password";
import { IRIS_ADMIN_USERNAME, IRIS_APPLY_ACCOUNTS_SCRIPT, irisAccountsScript } from "./accounts";

export { IRIS_PORTS };

const DATA_MOUNT = "/durable";
/** A subdirectory: a fresh ext4 volume has lost+found at its root, which IRIS refuses as a data directory. */
const DATA_DIRECTORY = `${DATA_MOUNT}/iris`;
const CPF_MOUNT = "/irissys/cpf";
const CPF_FILE = "merge.cpf";
const CREDENTIALS_MOUNT = "/irissys/credentials";
/** Secret keys: the application user's password, and the predefined (admin) accounts' password. */
export const PASSWORD_KEY = "password";
export const ADMIN_PASSWORD_KEY = "admin-password";
const ACCOUNTS_SCRIPT = "accounts.script";
const APPLY_ACCOUNTS = "apply-accounts.sh";
/** Written by apply-accounts.sh once the accounts are applied; in the container, so each start redoes it. */
const ACCOUNTS_MARKER = "/tmp/hadb-accounts-applied";
const QLIST_RUNNING = "iris qlist IRIS | cut -d^ -f4 | grep -q '^running'";

export interface IrisNames {
  namespace: string;
  deployment: string;
  service: string;
  claim: string;
  cpfConfigMap: string;
  credentialsSecret: string;
}

export function irisNames(database: DatabaseSpec, namespace: string): IrisNames {
  return {
    namespace,
    deployment: database.name,
    service: database.name,
    claim: dataClaimName(database.name),
    cpfConfigMap: `${database.name}-cpf-merge`,
    credentialsSecret: `${database.name}-credentials`,
  };
}

const labelsOf = (database: DatabaseSpec, component: string) =>
  recommendedLabels({
    name: "iris",
    instance: database.name,
    component,
    version: imageVersion(database.image),
  });

/** The ConfigMap's files: the CPF merge file and the accounts scripts (all read at start only). */
function irisConfigFiles(settings: IrisSettings): Record<string, string> {
  return {
    [CPF_FILE]: irisCpfMerge(settings, DATA_DIRECTORY),
    [ACCOUNTS_SCRIPT]: irisAccountsScript(settings, `${CREDENTIALS_MOUNT}/${PASSWORD_KEY}`),
    [APPLY_ACCOUNTS]: IRIS_APPLY_ACCOUNTS_SCRIPT,
  };
}

export function irisCpfConfigMap(
  database: DatabaseSpec,
  names: IrisNames,
): k8s.types.input.core.v1.ConfigMap {
  if (!database.iris) throw new Error(`database ${database.name} has no IRIS settings`);
  return {
    metadata: { name: names.cpfConfigMap, namespace: names.namespace, labels: labelsOf(database, "config") },
    data: irisConfigFiles(database.iris),
  };
}

export function irisCredentialsSecret(
  database: DatabaseSpec,
  names: IrisNames,
  passwords: { app: pulumi.Input<string>; admin: pulumi.Input<string> },
): k8s.types.input.core.v1.Secret {
  if (!database.iris) throw new Error(`database ${database.name} has no IRIS settings`);
  return {
    metadata: {
      name: names.credentialsSecret,
      namespace: names.namespace,
      labels: labelsOf(database, "credentials"),
      annotations: { ...CREDENTIALS_SECRET_ANNOTATIONS },
    },
    type: "Opaque",
    stringData: {
      username: database.iris.user,
      [PASSWORD_KEY]: passwords.app,
      "admin-username": IRIS_ADMIN_USERNAME,
      [ADMIN_PASSWORD_KEY]: passwords.admin,
    },
  };
}

export function irisDataClaim(
  database: DatabaseSpec,
  names: IrisNames,
  volume: DataVolume,
): k8s.types.input.core.v1.PersistentVolumeClaim {
  return dataClaim(
    database,
    { name: names.claim, namespace: names.namespace, labels: labelsOf(database, "data") },
    volume,
  );
}

export interface IrisDeploymentOptions {
  evictionTolerationSeconds: number;
  /** Changes with the passwords (password.ts): a rotation restarts IRIS, which re-applies them. */
  credentialsRevision: pulumi.Input<string>;
}

export function irisDeployment(
  database: DatabaseSpec,
  names: IrisNames,
  options: IrisDeploymentOptions,
): SingleWriterDeployment {
  if (!database.iris) throw new Error(`database ${database.name} has no IRIS settings`);
  const selector = selectorLabels({ name: "iris", instance: database.name });
  const labels = labelsOf(database, "database");
  const qlistProbe = { exec: { command: ["/bin/sh", "-c", QLIST_RUNNING] } };
  // Started = running and the accounts applied (a failed apply-accounts.sh never creates the marker).
  const startedProbe = {
    exec: { command: ["/bin/sh", "-c", `${QLIST_RUNNING} && test -f ${ACCOUNTS_MARKER}`] },
  };
  return singleWriterDeployment({
    metadata: { name: names.deployment, namespace: names.namespace, labels },
    selector,
    // A changed CPF merge (e.g. gmheap, which only applies at start) or accounts script restarts IRIS.
    podAnnotations: {
      "hadb.io/cpf-sha256": createHash("sha256")
        .update(JSON.stringify(irisConfigFiles(database.iris)))
        .digest("hex"),
      [CREDENTIALS_REVISION_ANNOTATION]: options.credentialsRevision,
    },
    uid: IRIS_UID,
    evictionTolerationSeconds: options.evictionTolerationSeconds,
    // iris-main traps SIGTERM and shuts IRIS down cleanly; give it time to flush.
    terminationGracePeriodSeconds: 60,
    containers: [
      {
        name: "iris",
        image: database.image,
        // Sets the password of every predefined account from the Secret at start. The file is
        // read-only, so IRIS leaves it in place (no sentinel) and re-applies it on each start. Then
        // apply-accounts.sh sets up the application user (accounts.ts).
        args: [
          "--password-file",
          `${CREDENTIALS_MOUNT}/${ADMIN_PASSWORD_KEY}`,
          // iris-main's -a (--after): a command run once IRIS has started.
          "-a",
          `/bin/sh ${CPF_MOUNT}/${APPLY_ACCOUNTS} ${CPF_MOUNT}/${ACCOUNTS_SCRIPT} ${ACCOUNTS_MARKER}`,
        ],
        env: [
          { name: "ISC_DATA_DIRECTORY", value: DATA_DIRECTORY },
          { name: "ISC_CPF_MERGE_FILE", value: `${CPF_MOUNT}/${CPF_FILE}` },
        ],
        ports: [
          { name: "superserver", containerPort: IRIS_PORTS.superserver, protocol: "TCP" },
          { name: "webserver", containerPort: IRIS_PORTS.webserver, protocol: "TCP" },
        ],
        // First start copies %SYS onto the volume and a restart after a crash replays journals:
        // allow up to 10 minutes before liveness takes over.
        startupProbe: { ...startedProbe, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 120 },
        // Restart the container when the IRIS instance is down (the seed's `iris stop` experiment).
        livenessProbe: { ...qlistProbe, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
        // Serve traffic only while the superserver accepts connections.
        readinessProbe: {
          tcpSocket: { port: "superserver" },
          periodSeconds: 5,
          timeoutSeconds: 3,
          failureThreshold: 2,
        },
        resources: { requests: { ...database.resources.requests }, limits: { ...database.resources.limits } },
        volumeMounts: [
          { name: "data", mountPath: DATA_MOUNT },
          { name: "cpf", mountPath: CPF_MOUNT, readOnly: true },
          { name: "credentials", mountPath: CREDENTIALS_MOUNT, readOnly: true },
        ],
      },
    ],
    volumes: [
      { name: "data", persistentVolumeClaim: { claimName: names.claim } },
      { name: "cpf", configMap: { name: names.cpfConfigMap } },
      {
        name: "credentials",
        secret: {
          secretName: names.credentialsSecret,
          items: [
            { key: ADMIN_PASSWORD_KEY, path: ADMIN_PASSWORD_KEY },
            { key: PASSWORD_KEY, path: PASSWORD_KEY },
          ],
          // Readable by the instance owner through its group (fsGroup), by no one else.
          defaultMode: 0o440,
        },
      },
    ],
  });
}

export function irisService(database: DatabaseSpec, names: IrisNames): k8s.types.input.core.v1.Service {
  return databaseService(database, {
    name: names.service,
    namespace: names.namespace,
    labels: labelsOf(database, "database"),
    selector: selectorLabels({ name: "iris", instance: database.name }),
    ports: IRIS_PORTS,
  });
}
