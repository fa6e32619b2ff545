// SCRAM-SHA-256 verifiers (RFC 5802/7677, PostgreSQL's stored form), computed by hadb so that a rotated
// password reaches PostgreSQL: PGO 5.8 keeps the `verifier` of an existing user Secret and derives a new
// one only when the password was generated or the verifier is empty (generatePostgresUserSecret in
// internal/controller/postgrescluster/postgres.go). With hadb's verifier in the Secret, a new password
// comes with a new verifier, PGO's user SQL changes and it runs `ALTER ROLE … PASSWORD '<verifier>'`.
import { createHash, createHmac, pbkdf2Sync } from "node:crypto";

/** PostgreSQL's default `scram_iterations` (and what libpq and PGO use). */
export const SCRAM_ITERATIONS = 4096;

const hmac = (key: Buffer, text: string): Buffer => createHmac("sha256", key).update(text).digest();

/**
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` for `password` and a base64 `salt`.
 * Passwords are hadb's generated ASCII (password.ts), which SASLprep leaves unchanged.
 */
export function scramSha256Verifier(
  password: string,
  saltBase64: string,
  iterations = SCRAM_ITERATIONS,
): string {
  if (!/^[\x21-\x7e]+$/.test(password))
    throw new Error("SCRAM verifiers are computed only for printable ASCII passwords (no SASLprep here)");
  const salt = Buffer.from(saltBase64, "base64");
  if (salt.length < 8) throw new Error("a SCRAM salt needs at least 8 bytes");
  const salted = pbkdf2Sync(password, salt, iterations, 32, "sha256");
  const storedKey = createHash("sha256").update(hmac(salted, "Client Key")).digest();
  const serverKey = hmac(salted, "Server Key");
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}
