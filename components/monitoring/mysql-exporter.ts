// The mysqld_exporter of one MySQL database (pure; tested): its own Deployment beside the writer, so
// turning monitoring on or off never restarts the database. It reaches mysqld through the database's
// Service with the engine's least-privilege monitoring account (PROCESS, REPLICATION CLIENT and
// SELECT on performance_schema only), its password read from that account's own Secret.
import type * as k8s from "@pulumi/kubernetes";
import type { DatabaseEndpoint } from "../databases/endpoint";
import { MYSQL_PORTS } from "../databases/catalog";
import { recommendedLabels, selectorLabels } from "../shared/labels";
import { MYSQLD_EXPORTER_APP, MYSQLD_EXPORTER_PORT } from "./monitors";
import { MYSQLD_EXPORTER_IMAGE } from "./versions";

/** The image's user (nobody). */
const EXPORTER_UID = 65534;

export function mysqldExporter(
  database: string,
  endpoint: DatabaseEndpoint,
  nodeSelector: Record<string, string> | undefined,
): k8s.types.input.apps.v1.Deployment {
  const account = endpoint.monitoring;
  if (!account) throw new Error(`database ${database} has no monitoring account`);
  const selector = selectorLabels({ name: MYSQLD_EXPORTER_APP, instance: database });
  const labels = recommendedLabels({
    name: MYSQLD_EXPORTER_APP,
    instance: database,
    component: "metrics",
    version: MYSQLD_EXPORTER_IMAGE.split(":").pop() ?? "",
  });
  const probe = { httpGet: { path: "/", port: MYSQLD_EXPORTER_PORT.name }, periodSeconds: 10 };
  return {
    metadata: { name: `${database}-exporter`, namespace: endpoint.namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: { ...labels, ...selector } },
        spec: {
          automountServiceAccountToken: false,
          ...(nodeSelector ? { nodeSelector } : {}),
          securityContext: {
            runAsNonRoot: true,
            runAsUser: EXPORTER_UID,
            runAsGroup: EXPORTER_UID,
            seccompProfile: { type: "RuntimeDefault" },
          },
          containers: [
            {
              name: "exporter",
              image: MYSQLD_EXPORTER_IMAGE,
              args: [
                `--mysqld.address=${endpoint.host}:${MYSQL_PORTS.mysql}`,
                `--mysqld.username=${account.username}`,
                `--web.listen-address=:${MYSQLD_EXPORTER_PORT.port}`,
              ],
              // Read by the exporter instead of a password on the command line or in a file.
              env: [
                {
                  name: "MYSQLD_EXPORTER_PASSWORD",
                  valueFrom: { secretKeyRef: { name: account.secret, key: account.passwordKey } },
                },
              ],
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
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
              },
            },
          ],
        },
      },
    },
  };
}
