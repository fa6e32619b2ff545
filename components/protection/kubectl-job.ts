// A CronJob that runs one of hadb's kubectl scripts (mounted from a ConfigMap) as a non-root,
// read-only pod: the IRIS backup and the Longhorn DR standby-volume reconciler share it.
import type * as k8s from "@pulumi/kubernetes";

/**
 * Image of hadb's kubectl jobs: bash, kubectl and jq. alpine/k8s publishes one tag per Kubernetes
 * patch release; 1.35.0 matches the clouds' default minor.
 */
export const BACKUP_JOB_IMAGE = "alpine/k8s:1.35.0";

export interface KubectlCronJobInput {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  schedule: string;
  /** Script file name inside the ConfigMap named like the job. */
  script: string;
  /** Environment the script reads its inputs from. */
  env: { name: string; value: string }[];
  activeDeadlineSeconds: number;
  container: string;
}

export function kubectlCronJob(input: KubectlCronJobInput): k8s.types.input.batch.v1.CronJob {
  return {
    metadata: { name: input.name, namespace: input.namespace, labels: input.labels },
    spec: {
      schedule: input.schedule,
      timeZone: "Etc/UTC",
      // A run still going is never joined by a second one.
      concurrencyPolicy: "Forbid",
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        spec: {
          backoffLimit: 1,
          activeDeadlineSeconds: input.activeDeadlineSeconds,
          template: {
            metadata: { labels: input.labels },
            spec: {
              serviceAccountName: input.name,
              restartPolicy: "Never",
              securityContext: {
                runAsNonRoot: true,
                runAsUser: 65534,
                runAsGroup: 65534,
                seccompProfile: { type: "RuntimeDefault" },
              },
              containers: [
                {
                  name: input.container,
                  image: BACKUP_JOB_IMAGE,
                  command: ["bash", `/scripts/${input.script}`],
                  env: [
                    ...input.env,
                    // kubectl keeps its discovery cache under $HOME.
                    { name: "HOME", value: "/tmp" },
                  ],
                  securityContext: {
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ["ALL"] },
                  },
                  resources: {
                    requests: { cpu: "50m", memory: "64Mi" },
                    limits: { cpu: "500m", memory: "256Mi" },
                  },
                  volumeMounts: [
                    { name: "script", mountPath: "/scripts", readOnly: true },
                    { name: "tmp", mountPath: "/tmp" },
                  ],
                },
              ],
              volumes: [
                { name: "script", configMap: { name: input.name } },
                { name: "tmp", emptyDir: {} },
              ],
            },
          },
        },
      },
    },
  };
}
