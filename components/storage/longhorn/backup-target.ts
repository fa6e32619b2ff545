// Longhorn's backup target: the URL form Longhorn expects for each object store, and the credential
// Secret keys it reads (chart >= 1.8: defaultBackupStore.*, not the old defaultSettings.backupTarget*).
import * as pulumi from "@pulumi/pulumi";
import type { BackupStoreHandle } from "../../cluster/handle";

export const BACKUP_CREDENTIALS_SECRET = "hadb-backup-credentials";
/** Seconds between Longhorn's polls of the target for new backups (what DR standby volumes follow). */
export const BACKUP_POLL_SECONDS = 300;

export interface LonghornBackupTarget {
  /** Longhorn URL; always ends with "/". */
  url: pulumi.Input<string>;
  /** Secret data (Longhorn's env var names); undefined for NFS. */
  credentials?: pulumi.Output<Record<string, string>>;
}

export function longhornBackupTarget(
  store: BackupStoreHandle | undefined,
  nfsTarget: string | undefined,
): LonghornBackupTarget | undefined {
  if (store?.kind === "azure-blob") {
    return {
      url: pulumi.interpolate`azblob://${store.container}@core.windows.net/`,
      credentials: pulumi.secret(
        pulumi.all([store.accountName, store.accountKey]).apply(([name, key]): Record<string, string> => ({
          AZBLOB_ACCOUNT_NAME: name,
          AZBLOB_ACCOUNT_KEY: key,
        })),
      ),
    };
  }
  if (store) {
    return {
      url: pulumi.interpolate`s3://${store.bucket}@${store.region}/`,
      credentials: pulumi.secret(
        pulumi
          .all([store.accessKeyId, store.secretAccessKey])
          .apply(([id, secret]): Record<string, string> => ({
            AWS_ACCESS_KEY_ID: id,
            AWS_SECRET_ACCESS_KEY: secret,
            // GCS speaks S3 through its interoperability endpoint; AWS needs none.
            ...(store.kind === "gcs" ? { AWS_ENDPOINTS: store.endpoint } : {}),
          })),
      ),
    };
  }
  if (nfsTarget !== undefined) return { url: `nfs://${nfsTarget.replace(/\/?$/, "/")}` };
  return undefined;
}

/** Chart values for the target (merged into longhornValues). */
export function backupTargetValues(target: LonghornBackupTarget): Record<string, unknown> {
  return {
    defaultBackupStore: {
      backupTarget: target.url,
      ...(target.credentials ? { backupTargetCredentialSecret: BACKUP_CREDENTIALS_SECRET } : {}),
      pollInterval: String(BACKUP_POLL_SECONDS),
    },
  };
}
