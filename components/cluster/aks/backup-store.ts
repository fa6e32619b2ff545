import * as storage from "@pulumi/azure-native/storage";
import * as pulumi from "@pulumi/pulumi";
import type { BackupStoreHandle } from "../handle";

export interface AzureBackupStoreArgs {
  resourceGroupName: pulumi.Input<string>;
  location: string;
}

/** The private container all backups go to (Longhorn backup target, pgBackRest repo). */
export const AZURE_BACKUP_CONTAINER = "hadb-backups";

/**
 * A storage account used for nothing but backups (its key is the least privilege a static credential
 * can have here: this account only), zone-redundant, HTTPS/TLS 1.2 only, no anonymous access.
 */
export function azureBackupStore(
  name: string,
  args: AzureBackupStoreArgs,
  parent: pulumi.Resource,
): BackupStoreHandle {
  // Storage account names are 3-24 lowercase letters/digits: the provider appends a random suffix.
  const account = new storage.StorageAccount(
    name.replace(/[^a-z0-9]/g, "").slice(0, 16),
    {
      resourceGroupName: args.resourceGroupName,
      location: args.location,
      kind: "StorageV2",
      sku: { name: "Standard_ZRS" },
      allowBlobPublicAccess: false,
      enableHttpsTrafficOnly: true,
      minimumTlsVersion: "TLS1_2",
    },
    { parent },
  );
  const container = new storage.BlobContainer(
    `${name}-container`,
    {
      resourceGroupName: args.resourceGroupName,
      accountName: account.name,
      containerName: AZURE_BACKUP_CONTAINER,
      publicAccess: "None",
    },
    { parent },
  );
  const keys = storage.listStorageAccountKeysOutput(
    { resourceGroupName: args.resourceGroupName, accountName: account.name },
    { parent },
  );
  return {
    kind: "azure-blob",
    container: container.name,
    region: args.location,
    accountName: account.name,
    accountKey: pulumi.secret(keys.keys.apply((list) => list[0]?.value ?? "")),
    ready: [container],
  };
}
