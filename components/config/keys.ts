// The `hadb:` stack configuration keys: one table that drives parsing (tools and the Pulumi program),
// validation defaults, the typed `config:` block of Pulumi.yaml and docs/configuration.md
// (tests check that all of them agree).

/** "object" = any JSON value (objects, lists of objects): parsed as JSON, declared untyped in Pulumi.yaml. */
export type ConfigValueType = "string" | "integer" | "boolean" | "array" | "object";

export interface ConfigKeySpec {
  type: ConfigValueType;
  /** Element type for arrays (Pulumi.yaml `items`). */
  items?: "string";
  /** Default applied when the key is absent; undefined means "no default". */
  default?: unknown;
  secret?: boolean;
  description: string;
}

export const CONFIG_NAMESPACE = "hadb";

export const DEFAULT_EVICTION_TOLERATION_SECONDS = 15;

export const CONFIG_KEYS = {
  cloud: {
    type: "string",
    default: "existing",
    description:
      "Where the cluster comes from: aks | eks | gke | vagrant | existing (the current kubeconfig).",
  },
  storage: {
    type: "string",
    default: "longhorn",
    description: "Replicated block storage backend: longhorn | rook-ceph | portworx | iscsi.",
  },
  nodeCount: {
    type: "integer",
    default: 3,
    description:
      "Number of schedulable nodes (created, or present in an existing cluster). >= 3 for replicated storage.",
  },
  zones: {
    type: "array",
    items: "string",
    default: [],
    description:
      "Availability zones the nodes span (distinct). With at least storageReplicas zones, replicas are forced into different zones.",
  },
  nodeOs: {
    type: "string",
    default: "detect",
    description:
      "Node OS family: detect (node prep inspects each node) | debian | rhel | amazonlinux | cos | bottlerocket. Clouds derive it from their nodeImage.",
  },
  // Optional keys default to "" (= unset): Pulumi treats a typed key without a default as required.
  kubeconfig: {
    type: "string",
    default: "",
    secret: true,
    description:
      "cloud=existing only: kubeconfig contents (set with --secret). Unset: the ambient current context.",
  },
  kubeContext: {
    type: "string",
    default: "",
    description: "cloud=existing only: context name inside the kubeconfig. Unset: its current context.",
  },
  prepareNodes: {
    type: "boolean",
    default: true,
    description:
      "Run the node-prep DaemonSet (open-iscsi, iscsid, iscsi_tcp, NFS client) before installing storage.",
  },
  storageReplicas: {
    type: "integer",
    default: 3,
    description: "Copies of every database volume kept by replicated storage (3..nodeCount).",
  },
  namespace: {
    type: "string",
    default: "hadb",
    description: "Namespace of the database workloads.",
  },
  evictionTolerationSeconds: {
    type: "integer",
    default: DEFAULT_EVICTION_TOLERATION_SECONDS,
    description:
      "Seconds a DB pod stays bound to a not-ready/unreachable node before it is evicted (k8s default 300; 0..300).",
  },
  vagrant: {
    // Untyped in Pulumi.yaml (structured); validated by components/config/vagrant.ts.
    type: "object",
    default: {},
    description:
      "cloud=vagrant only: {provider, box, boxVersion, cpus, memoryMB, network, workDir, kubernetesVersion, nodeMonitorGracePeriodSeconds, nodeStatusUpdateFrequencySeconds, nodeMonitorPeriodSeconds, storageDiskGB}.",
  },
  iscsi: {
    type: "object",
    default: {},
    description:
      'storage=iscsi only: {target: "vagrant"} or {target: {portal, iqn, luns, chapUser}} for an external target.',
  },
  iscsiChapPassword: {
    type: "string",
    default: "",
    secret: true,
    description:
      "storage=iscsi with an external target: the CHAP secret (set with --secret; at least 12 characters).",
  },
  fencing: {
    type: "object",
    default: {},
    description:
      "How a lost node is fenced before its database volumes move: {mode: automatic | off, detectionSeconds} (docs/fencing.md). automatic: Longhorn/Portworx fence by themselves, hadb's agent fences the lab's iSCSI target; Rook-Ceph and external iSCSI targets need mode off (a lost node keeps its volumes until it returns or you act).",
  },
  aks: {
    type: "object",
    default: {},
    description:
      "cloud=aks only: {kubernetesVersion, nodeSize, nodeImage, nodeDiskGB, storageDiskGB, databasePool, networkCidr, apiAllowedCidrs}. Region: azure-native:location.",
  },
  eks: {
    type: "object",
    default: {},
    description:
      "cloud=eks only: {kubernetesVersion, nodeSize, nodeImage, nodeDiskGB, storageDiskGB, databasePool, networkCidr, apiAllowedCidrs, adminPrincipalArns}. Region: aws:region.",
  },
  gke: {
    type: "object",
    default: {},
    description:
      "cloud=gke only: {kubernetesVersion, nodeSize, nodeImage, nodeDiskGB, storageDiskGB, databasePool, networkCidr, apiAllowedCidrs, deletionProtection}. Region/project: gcp:region, gcp:project.",
  },
  blockDevices: {
    type: "array",
    items: "string",
    default: [],
    description:
      'storage=rook-ceph on cloud=existing: empty raw disks present on every node, e.g. ["/dev/sdb"] (Ceph wipes and owns them).',
  },
  portworx: {
    type: "object",
    default: {},
    description:
      "storage=portworx only: {clusterName, azure: {tenantId, clientId}, kvdb: {endpoints}, clusterDomain} (AKS needs a service principal that manages disks; PX-DR needs kvdb and clusterDomain).",
  },
  portworxAzureClientSecret: {
    type: "string",
    default: "",
    secret: true,
    description:
      "storage=portworx on aks: the client secret of hadb:portworx.azure.clientId (set with --secret).",
  },
  portworxLicenseKey: {
    type: "string",
    default: "",
    secret: true,
    description:
      "storage=portworx: SaaS licence account key (set with --secret). Unset: Portworx starts on its 30-day trial.",
  },
  backups: {
    type: "object",
    default: {},
    description:
      "Snapshots and off-cluster backups: {enabled, schedule, retain, snapshotSchedule, snapshotRetain, target: {nfs}} (docs/backups.md). On aks/eks/gke hadb creates the bucket.",
  },
  disasterRecovery: {
    type: "object",
    default: {},
    description:
      'A site of a DR pair: {role: primary | standby, primaryStack: "org/project/stack" (standby), intervalMinutes} (docs/disaster-recovery.md). Storage portworx (PX-DR) or longhorn (DR volumes).',
  },
  monitoring: {
    type: "object",
    default: {},
    description:
      "Metrics, alert rules and a Grafana dashboard: {mode: off | operator (your prometheus-operator) | install (a pinned kube-prometheus-stack), labels, namespace} (docs/monitoring.md). Default off.",
  },
  chartRepository: {
    type: "string",
    default: "",
    description:
      "A Helm repository (http(s)://) holding the same chart names and versions hadb pins, used for every chart instead of their upstream repositories (air-gapped clusters, mirrors). Unset: upstream.",
  },
  keepDataOnDestroy: {
    type: "boolean",
    default: true,
    description:
      "pulumi destroy leaves namespaces, volumes, claims, Secrets, storage systems and database clusters in the cluster (state only). false: destroy deletes them, data included.",
  },
  databases: {
    // Pulumi.yaml's typed config has no object type (pulumi/pulumi#11321): this key is declared
    // untyped there and validated here instead.
    type: "object",
    default: [],
    description:
      "Databases: list of {engine, name, volumeSize, version | image, resources, exposure, iris, mysql, postgres, restoreFrom, passwordRevision, consumerNamespaces, failoverMeasured} (docs/configuration.md).",
  },
} as const satisfies Record<string, ConfigKeySpec>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

export const CONFIG_KEY_NAMES = Object.keys(CONFIG_KEYS) as ConfigKey[];
