// PostgreSQL sequence store through the `pg` client: one autocommit INSERT per write, so an acknowledged
// write is a committed one (with the server's default synchronous_commit=on, flushed to the WAL).
import { Client } from "pg";
import { type ConnectionSettings, LazyConnection, type SequenceStore } from "./writer";

export const POSTGRES_TABLE = "hadb_chaos";

export interface PostgresStoreOptions {
  /** pg destroys a connection attempt that takes longer (a blackholed address never refuses). */
  connectTimeoutMs?: number;
}

export class PostgresStore implements SequenceStore {
  readonly engine = "postgres";
  private readonly connection: LazyConnection<Client>;

  constructor(settings: ConnectionSettings, options: PostgresStoreOptions = {}) {
    this.connection = new LazyConnection<Client>(
      async (onLost) => {
        const client = new Client({
          host: settings.host,
          port: settings.port,
          user: settings.user,
          password: settings.password,
          database: settings.database,
          connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
          keepAlive: true,
          application_name: "hadb-chaos",
        });
        // An idle connection that dies emits these instead of rejecting a query (unhandled, 'error' would
        // crash the process).
        client.on("error", onLost);
        client.on("end", onLost);
        await client.connect();
        return client;
      },
      // end() destroys the socket when a query is still hanging on it.
      (client) => client.end(),
    );
  }

  async prepare(): Promise<void> {
    await this.connection.use(async (client) => {
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${POSTGRES_TABLE} (seq BIGINT PRIMARY KEY, written_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
      );
      await client.query(`TRUNCATE ${POSTGRES_TABLE}`);
    });
  }

  async write(seq: number): Promise<void> {
    await this.connection.use((client) =>
      client.query(`INSERT INTO ${POSTGRES_TABLE} (seq) VALUES ($1)`, [seq]),
    );
  }

  async readAll(): Promise<Set<number>> {
    // BIGINT arrives as a string (pg does not narrow it); sequence numbers fit a double exactly.
    const result = await this.connection.use((client) =>
      client.query<{ seq: string }>(`SELECT seq FROM ${POSTGRES_TABLE}`),
    );
    return new Set(result.rows.map((row) => Number(row.seq)));
  }

  reset(): void {
    this.connection.reset();
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
