// Node pools of the clusters hadb creates: names and the label that steers database pods.

/** Label on every node of a dedicated database pool; database pods select it. */
export const DATABASE_POOL_LABEL = { "hadb.io/pool": "database" } as const;

/** Service CIDR shared by the clouds' cluster networks: outside every default node network hadb uses. */
export const SERVICE_CIDR = "10.96.0.0/16";
export const DNS_SERVICE_IP = "10.96.0.10";
/** Overlay pod network (AKS CNI overlay); pods never take addresses from the node subnet. */
export const POD_CIDR = "10.244.0.0/16";
