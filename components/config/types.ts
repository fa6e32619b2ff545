// The validated, fully defaulted stack configuration. Every layer reads this shape only,
// never raw Pulumi config: `validateConfig` is the single door between user input and resources.

export const CLOUDS = ["aks", "eks", "gke", "vagrant", "existing"] as const;
export type Cloud = (typeof CLOUDS)[number];

export const STORAGE_BACKENDS = ["longhorn", "rook-ceph", "portworx", "iscsi"] as const;
export type StorageBackend = (typeof STORAGE_BACKENDS)[number];

export const ENGINES = ["iris", "mysql", "postgres"] as const;
export type Engine = (typeof ENGINES)[number];

/** How the node OS family is known: declared by the cluster layer, or detected on each node at run time. */
export const NODE_OS_FAMILIES = ["detect", "debian", "rhel", "amazonlinux", "cos"] as const;
export type NodeOsFamily = (typeof NODE_OS_FAMILIES)[number];

export const EXPOSURE_TYPES = ["clusterIP", "loadBalancer", "nodePort"] as const;
export type ExposureType = (typeof EXPOSURE_TYPES)[number];

/** Backends that keep several copies of each volume on different nodes. */
export const REPLICATED_BACKENDS: readonly StorageBackend[] = ["longhorn", "rook-ceph", "portworx"];

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
}

export interface MysqlSettings {
  /** Application database created at first start. */
  database: string;
  /** Application user (the root password stays in the credentials Secret only). */
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
   * and rescheduled. Kubernetes' default is 300 s; see README "How failover works".
   */
  evictionTolerationSeconds: number;
  databases: DatabaseSpec[];
  /** Present exactly when cloud is vagrant. */
  vagrant?: VagrantSettings;
  /** Present exactly when storage is iscsi. */
  iscsi?: IscsiSettings;
}
