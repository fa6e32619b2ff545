// The mysqld_exporter of one MySQL database (pure; tested; the account script is shellchecked): its own
// Deployment beside the writer, so turning
// monitoring on or off never restarts the database. An init step (mysql-exporter.sh, with the database
// image's client and root's password) gives the exporter its own least-privilege account; the exporter
// itself only ever holds that account's password, from its own Secret.
import type * as k8s from "@pulumi/kubernetes";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MYSQL_EXPORTER_USER } from "../config/accounts";
import type { DatabaseEndpoint } from "../databases/endpoint";
import { MYSQL_PORTS } from "../databases/catalog";
import { SECRET_KEYS } from "../databases/mysql/manifests";
import { recommendedLabels, selectorLabels } from "../shared/labels";
import { MYSQLD_EXPORTER_APP, MYSQLD_EXPORTER_PORT } from "./monitors";
import { MYSQLD_EXPORTER_IMAGE } from "./versions";

/** The exporter's MySQL user (letters, digits and _ only: the script quotes nothing else). */
export const EXPORTER_USER = MYSQL_EXPORTER_USER;
export const EXPORTER_PASSWORD_KEY = "password";
/** mysqld_exporter's image runs as nobody. */
const EXPORTER_UID = 65534;

export const MYSQL_EXPORTER_ACCOUNT_SCRIPT = readFileSync(join(__dirname, "mysql-exporter.sh"), "utf8");

export const exporterSecretName = (database: string): string => `${database}-exporter`;

export interface MysqldExporterInput {
  database: string;
  /** The database's image: its mysql client creates the account. */
  image: string;
  endpoint: DatabaseEndpoint;
  nodeSelector: Record<string, string> | undefined;
}

export function mysqldExporter(input: MysqldExporterInput): k8s.types.input.apps.v1.Deployment {
  const { database, endpoint } = input;
  const selector = selectorLabels({ name: MYSQLD_EXPORTER_APP, instance: database });
  const labels = recommendedLabels({
    name: MYSQLD_EXPORTER_APP,
    instance: database,
    component: "metrics",
    version: MYSQLD_EXPORTER_IMAGE.split(":").pop() ?? "",
  });
  const exporterPassword = {
    secretKeyRef: { name: exporterSecretName(database), key: EXPORTER_PASSWORD_KEY },
  };
  const hardened = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
  };
  const probe = { httpGet: { path: "/", port: MYSQLD_EXPORTER_PORT.name }, periodSeconds: 10 };
  return {
    metadata: { name: `${database}-exporter`, namespace: endpoint.namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: selector },
      template: {
        // The init step and the exporter read the password at the same pod start: they always agree.
        metadata: { labels: { ...labels, ...selector } },
        spec: {
          automountServiceAccountToken: false,
          ...(input.nodeSelector ? { nodeSelector: input.nodeSelector } : {}),
          securityContext: {
            runAsNonRoot: true,
            runAsUser: EXPORTER_UID,
            runAsGroup: EXPORTER_UID,
            seccompProfile: { type: "RuntimeDefault" },
          },
          initContainers: [
            {
              name: "account",
              image: input.image,
              command: ["/bin/sh", "-c", MYSQL_EXPORTER_ACCOUNT_SCRIPT, "mysql-exporter-account"],
              env: [
                { name: "HADB_MYSQL_HOST", value: endpoint.host },
                { name: "HADB_MYSQL_PORT", value: String(MYSQL_PORTS.mysql) },
                { name: "HADB_EXPORTER_USER", value: EXPORTER_USER },
                { name: "HADB_EXPORTER_PASSWORD", valueFrom: exporterPassword },
                {
                  name: "MYSQL_PWD",
                  valueFrom: {
                    secretKeyRef: { name: endpoint.credentialsSecret, key: SECRET_KEYS.rootPassword },
                  },
                },
              ],
              resources: {
                requests: { cpu: "10m", memory: "32Mi" },
                limits: { cpu: "200m", memory: "128Mi" },
              },
              securityContext: hardened,
            },
          ],
          containers: [
            {
              name: "exporter",
              image: MYSQLD_EXPORTER_IMAGE,
              args: [
                `--mysqld.address=${endpoint.host}:${MYSQL_PORTS.mysql}`,
                `--mysqld.username=${EXPORTER_USER}`,
                `--web.listen-address=:${MYSQLD_EXPORTER_PORT.port}`,
              ],
              // Read by the exporter itself: never on a command line or in a file.
              env: [{ name: "MYSQLD_EXPORTER_PASSWORD", valueFrom: exporterPassword }],
              ports: [
                {
                  name: MYSQLD_EXPORTER_PORT.name,
                  containerPort: MYSQLD_EXPORTER_PORT.port,
                  protocol: "TCP",
                },
              ],
              livenessProbe: probe,
              readinessProbe: probe,
              resources: {
                requests: { cpu: "20m", memory: "32Mi" },
                limits: { cpu: "200m", memory: "64Mi" },
              },
              securityContext: hardened,
            },
          ],
        },
      },
    },
  };
}
