import * as iam from "@pulumi/aws/iam";
import * as s3 from "@pulumi/aws/s3";
import * as pulumi from "@pulumi/pulumi";
import type { BackupStoreHandle } from "../handle";

/** Actions a backup tool needs on its bucket, and nothing else (Longhorn's documented minimum). */
export const BACKUP_BUCKET_ACTIONS = ["s3:PutObject", "s3:GetObject", "s3:ListBucket", "s3:DeleteObject"];

export function backupBucketPolicy(bucketArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: BACKUP_BUCKET_ACTIONS, Resource: [bucketArn, `${bucketArn}/*`] }],
  });
}

/**
 * A private, encrypted S3 bucket and an IAM user whose only permission is that bucket (backup tools
 * in the cluster need static keys). No lifecycle expiry: the backup tools own retention.
 */
export function s3BackupStore(name: string, region: string, parent: pulumi.Resource): BackupStoreHandle {
  const opts = { parent };
  const bucket = new s3.Bucket(name, { bucketPrefix: "hadb-backups-" }, opts);
  const privateAccess = new s3.BucketPublicAccessBlock(
    name,
    {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    opts,
  );
  new s3.BucketOwnershipControls(
    name,
    { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
    opts,
  );
  new s3.BucketServerSideEncryptionConfiguration(
    name,
    { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
    opts,
  );
  const user = new iam.User(`${name}-writer`, {}, opts);
  const policy = new iam.UserPolicy(
    `${name}-writer`,
    { user: user.name, policy: bucket.arn.apply(backupBucketPolicy) },
    opts,
  );
  const key = new iam.AccessKey(`${name}-writer`, { user: user.name }, { parent, dependsOn: [policy] });
  return {
    kind: "s3",
    bucket: bucket.bucket,
    region,
    endpoint: `https://s3.${region}.amazonaws.com`,
    accessKeyId: key.id,
    secretAccessKey: pulumi.secret(key.secret),
    ready: [privateAccess, policy, key],
  };
}
