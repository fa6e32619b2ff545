// Object names shared across layers: the storage layer pre-binds volumes to the claim a database will make.

/** PersistentVolumeClaim holding a database's data. */
export function dataClaimName(databaseName: string): string {
  return `${databaseName}-data`;
}
