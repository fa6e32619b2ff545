// EKS managed node groups merge launch-template user data with their own only when it is a MIME
// multipart archive (AL2023/nodeadm); a bare script would be rejected.
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** MIME boundary: must not occur inside any part. */
export const USER_DATA_BOUNDARY = "HADB-NODE-PREP-BOUNDARY";

export function nodePrepUserDataScript(): string {
  return readFileSync(join(__dirname, "node-prep.sh"), "utf8");
}

/** The multipart user data (plain text; the launch template wants it base64-encoded). */
export function eksNodeUserData(script: string = nodePrepUserDataScript()): string {
  if (script.includes(USER_DATA_BOUNDARY)) throw new Error("user data script contains the MIME boundary");
  return [
    "MIME-Version: 1.0",
    `Content-Type: multipart/mixed; boundary="${USER_DATA_BOUNDARY}"`,
    "",
    `--${USER_DATA_BOUNDARY}`,
    'Content-Type: text/x-shellscript; charset="us-ascii"',
    "",
    script.trimEnd(),
    "",
    `--${USER_DATA_BOUNDARY}--`,
    "",
  ].join("\n");
}

/** EKS AMI family for an instance type: Graviton families (m7g, c6gn, t4g...) need the ARM image. */
export function eksAmiType(nodeImage: string, instanceType: string): string {
  const arm = /^[a-z]+\d+[a-z]*g[a-z]*\./.test(instanceType);
  if (nodeImage === "Bottlerocket") return arm ? "BOTTLEROCKET_ARM_64" : "BOTTLEROCKET_x86_64";
  return arm ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD";
}
