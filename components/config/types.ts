// The validated, fully defaulted stack configuration. Every layer reads this shape only,
// never raw Pulumi config: `validateConfig` is the single door between user input and resources.
import type { FencingSettings } from "./fencing";

export const CLOUDS = ["aks", "eks", "gke", "vagrant", "existing"] as const;
export type Cloud = (typeof CLOUDS)[number];

export const STORAGE_BACKENDS = ["longhorn", "rook-ceph", "portworx", "iscsi"] as const;
export type StorageBackend = (typeof STORAGE_BACKENDS)[number];

export const ENGINES = ["iris", "mysql", "postgres"] as const;
export type Engine = (typeof ENGINES)[number];

/** How the node OS family is known: declared by the cluster layer, or detected on each node at run time. */
export const NODE_OS_FAMILIES = ["detect", "debian", "rhel", "amazonlinux", "cos", "bottlerocket"] as const;
export type NodeOsFamily = (typeof NODE_OS_FAMILIES)[number];

export const EXPOSURE_TYPES = ["clusterIP", "loadBalancer", "nodePort"] as const;
export type ExposureType = (typeof EXPOSURE_TYPES)[number];

/** Node OS families with a read-only image: nothing (open-iscsi included) can be installed on them. */
export const IMMUTABLE_NODE_OS: readonly NodeOsFamily[] = ["cos", "bottlerocket"];

export type Exposure =
  | { type: "clusterIP" }
  | {
      type: "loadBalancer";
      /** CIDRs allowed to reach the load balancer; never empty, never the whole internet. */
      allowedSourceRanges: string[];
      /** Extra Service annotations, e.g. the cloud's "internal load balancer" switch. */
      annotations: Record<string, string>;
    }
  | {
      type: "nodePort";
      /** Networks that can reach the nodes (Kubernetes cannot filter NodePorts: the network must). */
      allowedSourceRanges: string[];
      /** Fixed node ports per Service port name (30000-32767); unset ports get one assigned. */
      nodePorts: Record<string, number>;
    };

export interface ResourceQuantities {
  cpu: string;
  memory: string;
}

export interface ContainerResources {
  requests: ResourceQuantities;
  limits: ResourceQuantities;
}

export interface IrisSettings {
  /** 8 KB global buffer pool size in MB (CPF `globals`). */
  globalBuffersMB: number;
  /** Generic memory heap in KB (CPF `gmheap`). */
  gmheapKB: number;
  /** Further `[config]` section keys merged into the CPF verbatim. */
  cpfConfig: Record<string, string>;
  /** The application's namespace (and database of the same name), uppercase. */
  namespace: string;
  /** The application user, limited to `namespace`; the predefined accounts stay the admin's. */
  user: string;
}

export interface MysqlSettings {
  /** Application database created at first start. */
  database: string;
  /** Application user (the root password stays in the credentials Secret only). */
  user: string;
}

export interface PostgresSettings {
  /** PostgreSQL major version; PGO picks the matching image it was released with. */
  version: number;
  /** Instances of the PostgresCluster: 1 = one writer on replicated storage; 2-3 = streaming replicas too. */
  instances: number;
  /** Application database and its owner. */
  database: string;
  user: string;
}

export interface DatabaseSpec {
  engine: Engine;
  /** DNS label; every Kubernetes object of this database is named from it. */
  name: string;
  volumeSize: string;
  /** Fully pinned container image actually deployed (engine default, version override or image override). */
  image: string;
  resources: ContainerResources;
  exposure: Exposure;
  /** Present exactly when engine is iris. */
  iris?: IrisSettings;
  /** Present exactly when engine is mysql. */
  mysql?: MysqlSettings;
  /** Present exactly when engine is postgres. */
  postgres?: PostgresSettings;
  /** Clone from a snapshot or backup (e.g. production into a test stack). */
  restoreFrom?: RestoreSource;
  /** Keeper of the generated passwords: changing it rotates every password of the entry. */
  passwordRevision?: string;
  /** Namespaces of applications that get a copy of the connection Secret (`hadb-<name>`). */
  consumerNamespaces: string[];
  /** Node-side failover durations measured on this stack's nodes, replacing the budget's estimates. */
  failoverMeasured?: FailoverMeasured;
}

/** Seconds measured on the stack's own nodes (spans: components/config/failover-measured.ts). */
export interface FailoverMeasured {
  attachSeconds: number;
  containerStartSeconds: number;
  readySeconds: number;
  /** Where and how they were measured, printed as the budget steps' source. */
  source: string;
}

export const VAGRANT_PROVIDERS = ["virtualbox", "libvirt"] as const;
export type VagrantProvider = (typeof VAGRANT_PROVIDERS)[number];

/** The local lab (cloud vagrant): VMs and the self-managed control plane's failure timings. */
export interface VagrantSettings {
  provider: VagrantProvider;
  box: string;
  boxVersion: string;
  cpus: number;
  memoryMB: number;
  /** Host-only /24 network: nodes get .11, .12, ...; the iSCSI target .10. */
  network: string;
  /** Folder (relative to the project) holding the Vagrantfile and scripts. */
  workDir: string;
  kubernetesVersion: string;
  nodeMonitorGracePeriodSeconds: number;
  nodeStatusUpdateFrequencySeconds: number;
  nodeMonitorPeriodSeconds: number;
  /** Size of the raw disk every node gets when storage needs one (Rook-Ceph OSDs). */
  storageDiskGB: number;
}

export type IscsiTarget =
  | { kind: "vagrant" }
  | {
      kind: "external";
      /** host:port of the target portal. */
      portal: string;
      iqn: string;
      luns: number[];
      chapUser: string;
      /** From the secret key hadb:iscsiChapPassword. */
      chapPassword: string;
    };

export interface IscsiSettings {
  target: IscsiTarget;
  /** The LUN each database's volume lives on: one database per LUN, never shared. */
  lunByDatabase: Record<string, number>;
}

export const MANAGED_CLOUDS = ["aks", "eks", "gke"] as const;
export type ManagedCloud = (typeof MANAGED_CLOUDS)[number];

/** An extra node pool reserved for database pods (they get its label as node selector). */
export interface DatabasePool {
  nodeCount: number;
  nodeSize: string;
}

/**
 * A cluster hadb creates in a cloud (`hadb:aks` / `hadb:eks` / `hadb:gke` plus the provider's own
 * region/project keys), validated and defaulted.
 */
export interface ManagedClusterSettings {
  cloud: ManagedCloud;
  /** azure-native:location, aws:region or gcp:region. */
  region: string;
  /** gcp:project (GKE only). */
  project?: string;
  /** Kubernetes minor version, e.g. "1.34". */
  kubernetesVersion: string;
  /** VM size / instance type / machine type of the system pool. */
  nodeSize: string;
  /** OS image of every node: AKS osSKU, EKS AMI family, GKE imageType. */
  nodeImage: string;
  nodeDiskGB: number;
  /** Size of each raw block device handed to Rook-Ceph OSDs / Portworx drives. */
  storageDiskGB: number;
  databasePool?: DatabasePool;
  /** Address space of the network hadb creates for the cluster. */
  networkCidr: string;
  /** CIDRs allowed to reach the Kubernetes API; empty = the cloud's default (public, any address). */
  apiAllowedCidrs: string[];
  /** GKE: refuse `pulumi destroy` of the cluster until turned off. */
  deletionProtection: boolean;
  /** EKS: IAM principals (role/user ARNs) granted cluster admin through access entries. */
  adminPrincipalArns: string[];
}

/** `hadb:portworx` and its secret keys (storage portworx). */
export interface PortworxSettings {
  /** StorageCluster name (PX-DR: identical on both sites). */
  clusterName: string;
  /** AKS: the service principal Portworx manages its cloud drives with. */
  azure?: { tenantId: string; clientId: string; clientSecret: string };
  /** SaaS licence key; undefined = 30-day trial. */
  licenseKey?: string;
  /** External etcd endpoints ("etcd:https://host:2379"); undefined = the internal KVDB. PX-DR needs them. */
  kvdbEndpoints?: string[];
  /** PX-DR: this site's cluster domain inside the stretched Portworx cluster. */
  clusterDomain?: string;
}

export const DISASTER_RECOVERY_ROLES = ["primary", "standby"] as const;
export type DisasterRecoveryRole = (typeof DISASTER_RECOVERY_ROLES)[number];

/** `hadb:disasterRecovery`: this stack is one site of a primary/standby pair. */
export type DisasterRecoverySettings =
  | { role: "primary"; intervalMinutes: number }
  | {
      role: "standby";
      /** The primary's stack, as StackReference names it: "org/project/stack". */
      primaryStack: string;
      /** PX-DR: how often Kubernetes resources follow; Longhorn: how often new standby volumes are set up. */
      intervalMinutes: number;
    };

/** `hadb:backups`: scheduled snapshots and off-cluster backups. */
export interface BackupSettings {
  enabled: boolean;
  /** Cron (5 fields, UTC) of off-cluster backups. */
  schedule: string;
  /** Backups kept per volume (per database for pgBackRest full backups). */
  retain: number;
  /** Cron of local snapshots (fast restore points kept on the storage itself). */
  snapshotSchedule: string;
  snapshotRetain: number;
  /** Off-cluster NFS export ("server:/path") for clusters hadb has no object store for. */
  nfsTarget?: string;
}

/** Where a database's volume starts from instead of empty. */
export type RestoreSource =
  { kind: "volumeSnapshot"; name: string } | { kind: "longhornBackup"; url: string };

export const MONITORING_MODES = ["off", "operator", "install"] as const;
export type MonitoringMode = (typeof MONITORING_MODES)[number];

/** `hadb:monitoring`: who runs Prometheus, and what hadb's monitors, rules and dashboard carry. */
export interface MonitoringSettings {
  /** off: nothing; operator: the cluster's prometheus-operator; install: hadb installs kube-prometheus-stack. */
  mode: MonitoringMode;
  /** Labels on every ServiceMonitor/PodMonitor/PrometheusRule (what the cluster's Prometheus selects them by). */
  labels: Record<string, string>;
  /** install: the namespace of kube-prometheus-stack. */
  namespace: string;
}

export interface HadbConfig {
  cloud: Cloud;
  storage: StorageBackend;
  nodeCount: number;
  zones: string[];
  nodeOs: NodeOsFamily;
  /** Only for cloud `existing`: kubeconfig contents (secret); undefined means the ambient current context. */
  kubeconfig: string | undefined;
  /** Only for cloud `existing`: a context name inside the kubeconfig; undefined means its current context. */
  kubeContext: string | undefined;
  prepareNodes: boolean;
  storageReplicas: number;
  namespace: string;
  /**
   * How long a DB pod stays bound to a node that is `not-ready` or `unreachable` before it is evicted
   * and rescheduled. Kubernetes' default is 300 s; see docs/failover.md.
   */
  evictionTolerationSeconds: number;
  databases: DatabaseSpec[];
  /** Present exactly when cloud is vagrant. */
  vagrant?: VagrantSettings;
  /** Present exactly when storage is iscsi. */
  iscsi?: IscsiSettings;
  /** Present exactly when storage is portworx. */
  portworx?: PortworxSettings;
  /** Raw disks on every node for Rook-Ceph (cloud existing; clouds create volumes instead). */
  blockDevices: string[];
  /** Present exactly when cloud is aks, eks or gke. */
  managedCluster?: ManagedClusterSettings;
  backups: BackupSettings;
  /** Present when this stack is one site of a DR pair. */
  disasterRecovery?: DisasterRecoverySettings;
  monitoring: MonitoringSettings;
  /** Who fences a lost node before its database volumes move (docs/fencing.md). */
  fencing: FencingSettings;
  /** How resources are deployed: chart source and what `pulumi destroy` keeps. */
  deployment: DeploymentSettings;
}

export interface DeploymentSettings {
  /** A Helm repository mirroring every pinned chart; undefined = each chart's upstream repository. */
  chartRepository: string | undefined;
  /** Destroy leaves data-bearing resources in the cluster (components/deployment/data-retention.ts). */
  keepDataOnDestroy: boolean;
}
