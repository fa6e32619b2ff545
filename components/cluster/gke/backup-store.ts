import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import * as storage from "@pulumi/gcp/storage";
import * as pulumi from "@pulumi/pulumi";
import type { BackupStoreHandle } from "../handle";

export interface GcsBackupStoreArgs {
  project: string;
  region: string;
}

/** GCS's S3-compatible (interoperability) endpoint: backup tools speak S3 with an HMAC key. */
export const GCS_S3_ENDPOINT = "https://storage.googleapis.com";

/**
 * A regional bucket with uniform access and public access prevention, and a service account whose
 * only grant is object admin on that bucket; its HMAC key is what the backup tools use.
 */
export function gcsBackupStore(
  name: string,
  args: GcsBackupStoreArgs,
  parent: pulumi.Resource,
): BackupStoreHandle {
  const opts = { parent };
  const bucket = new storage.Bucket(
    name,
    {
      location: args.region,
      uniformBucketLevelAccess: true,
      publicAccessPrevention: "enforced",
    },
    opts,
  );
  const writer = new serviceaccount.Account(
    `${name}-writer`,
    { accountId: `${name}-writer`.slice(0, 30), displayName: "hadb backup writer" },
    opts,
  );
  const grant = new storage.BucketIAMMember(
    `${name}-writer`,
    {
      bucket: bucket.name,
      role: "roles/storage.objectAdmin",
      member: pulumi.interpolate`serviceAccount:${writer.email}`,
    },
    opts,
  );
  const key = new storage.HmacKey(
    `${name}-writer`,
    { serviceAccountEmail: writer.email, project: args.project },
    opts,
  );
  return {
    kind: "gcs",
    bucket: bucket.name,
    region: args.region,
    endpoint: GCS_S3_ENDPOINT,
    accessKeyId: key.accessId,
    secretAccessKey: pulumi.secret(key.secret),
    ready: [grant, key],
  };
}
