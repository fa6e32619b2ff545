// Per-run certificates and keys for the test control plane, made with the openssl CLI (Node's crypto
// cannot issue X.509 certificates). Everything is valid for one day and lives in the run's temp dir.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Pki {
  caCert: string;
  caKey: string;
  /** kube-apiserver serving certificate for 127.0.0.1/localhost. */
  serverCert: string;
  serverKey: string;
  /** Client certificate in group system:masters, used by kubectl and every component. */
  adminCert: string;
  adminKey: string;
  /** Service-account token signing key pair. */
  serviceAccountKey: string;
  serviceAccountPub: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

// P-256 keys: fast to generate and accepted by every component (ES256 service-account tokens too).
const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/**
 * A client certificate signed by the run's CA (e.g. a kubelet's, CN=system:node:<name>, O=system:nodes).
 * Returns the certificate and key paths in `dir`.
 */
export function issueClientCertificate(
  pki: Pki,
  dir: string,
  name: string,
  subject: string,
): { cert: string; key: string } {
  issue(dir, name, subject, ["extendedKeyUsage=clientAuth", "keyUsage=critical,digitalSignature"], pki);
  return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
}

function issue(
  dir: string,
  name: string,
  subject: string,
  extensions: string[],
  ca?: Pick<Pki, "caCert" | "caKey">,
): void {
  openssl(["req", "-new", ...EC_KEY, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject], dir);
  writeFileSync(join(dir, `${name}.ext`), extensions.join("\n") + "\n");
  openssl(
    [
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      ca?.caCert ?? "ca.crt",
      "-CAkey",
      ca?.caKey ?? "ca.key",
      "-set_serial",
      `0x${randomBytes(8).toString("hex")}`,
      "-days",
      "1",
      "-extfile",
      `${name}.ext`,
      "-out",
      `${name}.crt`,
    ],
    dir,
  );
}

/** `serverAddresses`: extra IP addresses the API server is reached at (a test network's gateway, or
 * the address of the network namespace it runs in). */
export function generatePki(dir: string, serverAddresses: string[] = []): Pki {
  openssl(
    [
      "req",
      "-x509",
      ...EC_KEY,
      "-keyout",
      "ca.key",
      "-out",
      "ca.crt",
      "-days",
      "1",
      "-subj",
      "/CN=hadb-e2e-ca",
    ],
    dir,
  );
  issue(dir, "apiserver", "/CN=kube-apiserver", [
    `subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default.svc,IP:10.96.0.1${serverAddresses.map((a) => `,IP:${a}`).join("")}`,
    "extendedKeyUsage=serverAuth",
    "keyUsage=critical,digitalSignature",
  ]);
  issue(dir, "admin", "/O=system:masters/CN=hadb-e2e-admin", [
    "extendedKeyUsage=clientAuth",
    "keyUsage=critical,digitalSignature",
  ]);
  openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "sa.key"], dir);
  openssl(["pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub"], dir);
  return {
    caCert: join(dir, "ca.crt"),
    caKey: join(dir, "ca.key"),
    serverCert: join(dir, "apiserver.crt"),
    serverKey: join(dir, "apiserver.key"),
    adminCert: join(dir, "admin.crt"),
    adminKey: join(dir, "admin.key"),
    serviceAccountKey: join(dir, "sa.key"),
    serviceAccountPub: join(dir, "sa.pub"),
  };
}
