// Real PostgreSQL and MariaDB servers for the chaos-writer tests, from Debian's packages
// (tools/chaos/install-test-deps.sh): each on loopback, on a free port, in its own temp data dir, with a
// real password-authenticated user, run as the packages' unprivileged system user when the test is root.
// Every process started here is tracked by PID and killed on exit, even when a test fails.
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createConnection } from "mysql2/promise";
import { Client, type ClientConfig } from "pg";
import type { ConnectionSettings } from "../../tools/chaos/writer";
import { sleep } from "../../tools/chaos/writer";

/** PIDs of servers (and a killed postmaster's children) still alive; SIGKILLed if the runner exits. */
const live = new Set<number>();
/** Temp dirs not yet removed by dispose(). */
const dirs = new Set<string>();
function killLive(): void {
  for (const pid of live) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}
process.on("exit", killLive);
// A runner interrupted or timed out by a signal skips "exit" handlers: clean up, then die of the signal.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    killLive();
    process.kill(process.pid, signal);
  });
}

export interface PostgresTools {
  initdb: string;
  postgres: string;
}

export interface MariadbTools {
  installDb: string;
  server: string;
}

/** The newest PostgreSQL under /usr/lib/postgresql (Debian installs each major there, off PATH). */
export function findPostgres(): PostgresTools | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((major) => existsSync(join(root, major, "bin", "postgres")))
    .sort((a, b) => Number(b) - Number(a));
  const bin = majors[0] === undefined ? undefined : join(root, majors[0], "bin");
  return bin ? { initdb: join(bin, "initdb"), postgres: join(bin, "postgres") } : undefined;
}

export function findMariadb(): MariadbTools | undefined {
  const server = ["/usr/sbin/mariadbd", "/usr/bin/mariadbd"].find((path) => existsSync(path));
  const installDb = ["/usr/bin/mariadb-install-db", "/usr/sbin/mariadb-install-db"].find((path) =>
    existsSync(path),
  );
  return server && installDb ? { server, installDb } : undefined;
}

/** Present, or undefined to skip; in CI (.ci/run installs the packages) a missing one fails instead. */
export function requireInstalled<T>(found: T | undefined, packageName: string): T | undefined {
  if (found === undefined && process.env.CI === "true")
    assert.fail(`${packageName} is required in CI (tools/chaos/install-test-deps.sh installs it)`);
  return found;
}

export interface RunAs {
  uid: number;
  gid: number;
}

/** As root, the packages' system user (both servers refuse to run as root); otherwise ourselves. */
export function runAsFor(systemUser: string): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const entry = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .map((line) => line.split(":"))
    .find((fields) => fields[0] === systemUser);
  if (!entry) throw new Error(`system user ${systemUser} not found (installed by its Debian package)`);
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

export function ownedTempDir(prefix: string, runAs: RunAs | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.add(dir);
  if (runAs) chownSync(dir, runAs.uid, runAs.gid);
  return dir;
}

/** Removes a dir made by ownedTempDir (and stops tracking it). */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

export function writeOwned(path: string, text: string, runAs: RunAs | undefined): void {
  writeFileSync(path, text, { mode: 0o600 });
  if (runAs) chownSync(path, runAs.uid, runAs.gid);
}

/**
 * Setup commands (initdb, mariadb-install-db, bootstrap): bounded, but generously: on a loaded 2-core
 * machine mariadb-install-db alone has taken over a minute, and a kill mid-bootstrap leaves a broken
 * system schema ("Unknown table 'mysql.tmp_user_sys'") instead of a clear timeout.
 */
const SETUP_TIMEOUT_MS = 300_000;

export function runChecked(command: string, args: string[], runAs: RunAs | undefined, input?: string): void {
  const result = spawnSync(command, args, { encoding: "utf8", input, timeout: SETUP_TIMEOUT_MS, ...runAs });
  if (result.status !== 0)
    throw new Error(
      `${command} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`,
    );
}

/** initdb: `superuser` authenticated by password (`pwfile`) everywhere, UTF-8, C locale, no fsync. */
export function initPostgres(
  tools: PostgresTools,
  data: string,
  superuser: string,
  pwfile: string,
  runAs: RunAs | undefined,
): void {
  runChecked(
    tools.initdb,
    [
      "-D",
      data,
      "-U",
      superuser,
      `--pwfile=${pwfile}`,
      "--auth-local=scram-sha-256",
      "--auth-host=scram-sha-256",
    ].concat(["-E", "UTF8", "--locale=C", "--no-instructions", "--no-sync"]),
    runAs,
  );
}

/** postgres on 127.0.0.1:`port` and a socket in `socketDir`, plus `settings` (-c name=value). */
export function postgresServerArgs(
  data: string,
  port: number,
  socketDir: string,
  settings: Record<string, string> = {},
): string[] {
  const all = { listen_addresses: "127.0.0.1", unix_socket_directories: socketDir, ...settings };
  return [
    "-D",
    data,
    "-p",
    String(port),
    ...Object.entries(all).flatMap(([name, value]) => ["-c", `${name}=${value}`]),
  ];
}

/**
 * A fresh MariaDB data directory (root authenticated by `rootAuthentication`), then `statements` run in
 * bootstrap mode (FLUSH PRIVILEGES first: bootstrap loads no grant tables until then).
 */
export function initMariadb(
  tools: MariadbTools,
  data: string,
  rootAuthentication: "socket" | "normal",
  statements: string[],
  runAs: RunAs | undefined,
): void {
  // Temporary tables in the server's own directory, not /tmp: parallel test runs (other worktrees,
  // other suites) must not share or clean each other's files (seen: bootstrap failed on a vanished
  // /tmp/#sql-temptable-*).
  const serverTmp = join(dirname(data), "tmp");
  mkdirSync(serverTmp, { recursive: true });
  if (runAs) chownSync(serverTmp, runAs.uid, runAs.gid);
  runChecked(
    tools.installDb,
    [
      "--no-defaults",
      `--datadir=${data}`,
      `--tmpdir=${serverTmp}`,
      `--auth-root-authentication-method=${rootAuthentication}`,
      "--skip-test-db",
    ],
    runAs,
  );
  runChecked(
    tools.server,
    [
      "--no-defaults",
      `--datadir=${data}`,
      `--tmpdir=${serverTmp}`,
      "--bootstrap",
      "--skip-networking",
      "--log-warnings=0",
    ],
    runAs,
    ["FLUSH PRIVILEGES;", ...statements, ""].join("\n"),
  );
}

/** mariadbd on 127.0.0.1:`port`, socket and pid file in `base`, no name resolution (as hadb.cnf). */
export function mariadbServerArgs(data: string, base: string, port: number): string[] {
  return [
    "--no-defaults",
    `--datadir=${data}`,
    `--socket=${join(base, "mysqld.sock")}`,
    `--pid-file=${join(base, "mysqld.pid")}`,
    `--tmpdir=${join(base, "tmp")}`,
    `--port=${port}`,
    "--bind-address=127.0.0.1",
    "--skip-name-resolve",
  ];
}

/** One pg session for `action`, always closed. */
export async function withPgClient<T>(
  config: ClientConfig,
  action: (client: Client) => Promise<T>,
): Promise<T> {
  const client = new Client(config);
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await action(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("no port"));
      });
    });
  });
}

/** Parent PID of `pid` from /proc (field 4 of stat, after the command name in parentheses). */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

function childrenOf(pid: number): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((candidate) => parentOf(candidate) === pid);
}

/** One server process, restartable on the same data dir. */
export class ServerProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private output = "";

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly runAs: RunAs | undefined,
    private readonly stopSignal: NodeJS.Signals,
    /** Extra environment (e.g. PATH with a stand-in for an image's entrypoint). */
    private readonly env: Record<string, string> = {},
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The last lines the server printed, for failure messages. */
  logTail(): string {
    return this.output.split("\n").slice(-25).join("\n");
  }

  /** Spawns the server and resolves once `ready` succeeds; rejects if it exits first or takes > 60 s. */
  async start(ready: () => Promise<void>): Promise<void> {
    if (this.running) throw new Error(`${this.name} already running`);
    const child = spawn(this.command, this.args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C", ...this.env },
      ...this.runAs,
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error(`${this.name}: spawn failed`);
    live.add(pid);
    this.child = child;
    const append = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString("utf8")).slice(-20_000);
    };
    child.stdout.on("data", append);
    child.stderr.on("data", append);
    this.exited = new Promise((resolve) => {
      child.on("exit", () => {
        live.delete(pid);
        resolve();
      });
    });
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`${this.name} exited while starting:\n${this.logTail()}`);
      try {
        await ready();
        return;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`${this.name} not ready after 60 s: ${String(error)}\n${this.logTail()}`, {
            cause: error,
          });
      }
      await sleep(100);
    }
  }

  get running(): boolean {
    const child = this.child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /**
   * Crashes the server like a container kill: freezes it (so it forks nothing more), SIGKILLs it and then
   * each of its children by PID, and waits until all are gone. Resolves with the time of the kill.
   */
  async killHard(): Promise<number> {
    const pid = this.child?.pid;
    if (pid === undefined || !this.running) throw new Error(`${this.name} is not running`);
    process.kill(pid, "SIGSTOP");
    const children = childrenOf(pid);
    for (const child of children) live.add(child);
    process.kill(pid, "SIGKILL");
    for (const child of children) {
      try {
        process.kill(child, "SIGKILL");
      } catch {
        // Exited on its own.
      }
    }
    // From here no process of the server can acknowledge anything.
    const killedAt = performance.timeOrigin + performance.now();
    await this.exited;
    const deadline = Date.now() + 10_000;
    while (children.some(isRunning) && Date.now() < deadline) await sleep(20);
    for (const child of children) live.delete(child);
    return killedAt;
  }

  /** Graceful stop (postgres: fast shutdown; mariadbd: shutdown), SIGKILL after 20 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child?.pid === undefined || !this.running) return;
    child.kill(this.stopSignal);
    let timer: NodeJS.Timeout | undefined;
    const stopped = await Promise.race([
      this.exited.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(resolve, 20_000, false))),
    ]);
    clearTimeout(timer);
    if (!stopped) await this.killHard();
  }
}

export interface LocalServer {
  engine: "postgres" | "mariadb";
  /** The application user's settings (password-authenticated, limited to its database). */
  settings: ConnectionSettings;
  process: ServerProcess;
  /** Deletes one row of the chaos table behind the store's back (for the negative control). */
  deleteSeq(seq: number): Promise<void>;
  /** Starts the server again on the same data dir and port (resolves when it accepts connections). */
  restart(): Promise<void>;
  /** Stops the server and removes its temp dir. */
  dispose(): Promise<void>;
}

const secret = (): string => randomBytes(18).toString("hex");

export async function startPostgres(tools: PostgresTools): Promise<LocalServer> {
  const runAs = runAsFor("postgres");
  const base = ownedTempDir("hadb-chaos-pg-", runAs);
  const data = join(base, "data");
  const port = await freePort();
  const admin: ConnectionSettings = {
    host: "127.0.0.1",
    port,
    user: "hadb_admin",
    password: secret(),
    database: "postgres",
  };
  const settings: ConnectionSettings = { ...admin, user: "hadb", password: secret(), database: "hadb" };
  const pwfile = join(base, "admin-password");
  writeOwned(pwfile, `${admin.password}\n`, runAs);
  // scram everywhere: the test proves the store authenticates with a password, as against a real cluster.
  initPostgres(tools, data, admin.user, pwfile, runAs);
  rmSync(pwfile);
  const server = new ServerProcess(
    "postgres",
    tools.postgres,
    postgresServerArgs(data, port, base),
    runAs,
    "SIGINT",
  );
  const withAdmin = <T>(action: (client: Client) => Promise<T>, as = admin): Promise<T> =>
    withPgClient({ ...as, connectionTimeoutMillis: 2_000 }, action);
  const ready = (): Promise<void> => withAdmin((client) => client.query("SELECT 1")).then(() => undefined);
  await server.start(ready);
  await withAdmin(async (client) => {
    // DDL takes no bind parameters; the password is hex from randomBytes.
    await client.query(`CREATE ROLE ${settings.user} LOGIN PASSWORD '${settings.password}'`);
    await client.query(`CREATE DATABASE ${settings.database} OWNER ${settings.user}`);
  });
  return {
    engine: "postgres",
    settings,
    process: server,
    deleteSeq: (seq) =>
      withAdmin((client) => client.query("DELETE FROM hadb_chaos WHERE seq = $1", [seq]), settings).then(
        () => undefined,
      ),
    restart: () => server.start(ready),
    dispose: async () => {
      await server.stop();
      rmSync(base, { recursive: true, force: true });
      dirs.delete(base);
    },
  };
}

export async function startMariadb(tools: MariadbTools): Promise<LocalServer> {
  const runAs = runAsFor("mysql");
  const base = ownedTempDir("hadb-chaos-mariadb-", runAs);
  const data = join(base, "data");
  const port = await freePort();
  const settings: ConnectionSettings = {
    host: "127.0.0.1",
    port,
    user: "hadb",
    password: secret(),
    database: "hadb",
  };
  // root keeps socket-only authentication; the test's user gets a password and only its database.
  initMariadb(
    tools,
    data,
    "socket",
    [
      `CREATE DATABASE ${settings.database};`,
      `CREATE USER '${settings.user}'@'127.0.0.1' IDENTIFIED BY '${settings.password}';`,
      `GRANT ALL PRIVILEGES ON ${settings.database}.* TO '${settings.user}'@'127.0.0.1';`,
    ],
    runAs,
  );
  const server = new ServerProcess(
    "mariadbd",
    tools.server,
    mariadbServerArgs(data, base, port),
    runAs,
    "SIGTERM",
  );
  const withUser = async <T>(
    action: (connection: Awaited<ReturnType<typeof createConnection>>) => Promise<T>,
  ) => {
    const connection = await createConnection({ ...settings, connectTimeout: 2_000 });
    connection.on("error", () => undefined);
    try {
      return await action(connection);
    } finally {
      connection.destroy();
    }
  };
  const ready = (): Promise<void> =>
    withUser((connection) => connection.query("SELECT 1")).then(() => undefined);
  await server.start(ready);
  return {
    engine: "mariadb",
    settings,
    process: server,
    deleteSeq: (seq) =>
      withUser((connection) => connection.query("DELETE FROM hadb_chaos WHERE seq = ?", [seq])).then(
        () => undefined,
      ),
    restart: () => server.start(ready),
    dispose: async () => {
      await server.stop();
      rmSync(base, { recursive: true, force: true });
      dirs.delete(base);
    },
  };
}
