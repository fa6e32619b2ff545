// Every database password: generated once, kept in state, handled only as a secret. Letters, digits
// and "-_.~" only, so it survives URLs, shells, SQL literals and CPF/ini files unquoted. A changed
// `passwordRevision` (the generators' keeper) replaces them: that is how passwords rotate.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { createHash } from "node:crypto";

/** Characters a generated password is made of (tests and SQL/ObjectScript builders rely on it). */
export const PASSWORD_ALPHABET = /^[A-Za-z0-9\-_.~]+$/;

/**
 * A database credential by role ("password", "root-password"): generated, or, on a DR standby, the
 * primary's (the restored data was written with it).
 */
export function databaseCredential(
  role: string,
  component: string,
  parent: pulumi.Resource,
  inherited: pulumi.Output<Record<string, string>> | undefined,
  revision?: string,
): pulumi.Output<string> {
  if (inherited)
    return pulumi.secret(
      inherited.apply((credentials) => {
        const value = credentials[role];
        if (value === undefined) throw new Error(`the DR primary has no ${role} for database ${component}`);
        return value;
      }),
    );
  return generatedPassword(`${component}-${role}`, parent, revision);
}

/** Keepers only once a revision is set: adding them to an existing password would replace it. */
const keepersOf = (revision: string | undefined) =>
  revision === undefined ? {} : { keepers: { passwordRevision: revision } };

function generatedPassword(name: string, parent: pulumi.Resource, revision?: string): pulumi.Output<string> {
  const password = new random.RandomPassword(
    name,
    {
      length: 32,
      special: true,
      overrideSpecial: "-_.~",
      minLower: 2,
      minUpper: 2,
      minNumeric: 2,
      ...keepersOf(revision),
    },
    { parent },
  );
  // The provider marks `result` secret too; the program does not rely on it (mocks do not apply it).
  return pulumi.secret(password.result);
}

/**
 * A random salt (base64) that changes with the passwords it salts, for verifiers hadb computes itself
 * (PostgreSQL SCRAM): stable across `pulumi up` runs, so the verifier is too.
 */
export function generatedSalt(
  name: string,
  parent: pulumi.Resource,
  revision?: string,
): pulumi.Output<string> {
  const salt = new random.RandomBytes(name, { length: 16, ...keepersOf(revision) }, { parent });
  return pulumi.secret(salt.base64);
}

/**
 * A pod-template annotation that changes whenever any of `credentials` does, so a rotated password
 * restarts the engine that applies passwords at start. One-way: a truncated SHA-256 of 32-character
 * random passwords reveals nothing usable, so the value is deliberately not a secret (a secret
 * annotation would hide every change of the pod template in previews).
 */
export function credentialsRevision(credentials: pulumi.Input<string>[]): pulumi.Output<string> {
  return pulumi.unsecret(pulumi.all(credentials).apply((values) => credentialsDigest(values)));
}

/** The annotation value: 16 hex digits of SHA-256 over the credentials, domain-separated. */
export function credentialsDigest(values: readonly string[]): string {
  const hash = createHash("sha256").update("hadb-credentials-revision");
  for (const value of values) hash.update("\0").update(value);
  return hash.digest("hex").slice(0, 16);
}

/** The pod-template annotation carrying `credentialsRevision`. */
export const CREDENTIALS_REVISION_ANNOTATION = "hadb.io/credentials-revision";

/**
 * Annotations of every Secret holding a database's passwords. `pulumi.com/patchForce` makes the
 * Kubernetes provider force its server-side apply, so the state's passwords win over another field
 * manager's: PGO co-owns its user Secret (it copies the keys back), and a redeploy the user consented
 * to (docs/teardown.md) meets the earlier deployment's manager. What keeps a redeploy from writing new
 * passwords over kept data is the credentials guard each Secret waits for (credentials-guard.ts).
 */
export const CREDENTIALS_SECRET_ANNOTATIONS: Readonly<Record<string, string>> = {
  "pulumi.com/patchForce": "true",
};
