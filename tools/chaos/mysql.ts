// MySQL 8.4 / MariaDB sequence store through `mysql2`: one INSERT per write with autocommit forced on for
// the session, so an acknowledged write is a committed InnoDB transaction (durable with the servers'
// default innodb_flush_log_at_trx_commit=1).
import { type Connection, createConnection, type RowDataPacket } from "mysql2/promise";
import { type ConnectionSettings, LazyConnection, type SequenceStore } from "./writer";

export const MYSQL_TABLE = "hadb_chaos";

export interface MysqlStoreOptions {
  /** mysql2 destroys a connection attempt that takes longer. */
  connectTimeoutMs?: number;
}

export class MysqlStore implements SequenceStore {
  readonly engine = "mysql";
  private readonly connection: LazyConnection<Connection>;

  constructor(settings: ConnectionSettings, options: MysqlStoreOptions = {}) {
    this.connection = new LazyConnection<Connection>(
      async (onLost) => {
        const connection = await createConnection({
          host: settings.host,
          port: settings.port,
          user: settings.user,
          password: settings.password,
          database: settings.database,
          connectTimeout: options.connectTimeoutMs ?? 5_000,
          enableKeepAlive: true,
        });
        // A connection lost while idle emits 'error' (unhandled, it would crash the process).
        connection.on("error", onLost);
        connection.on("end", onLost);
        // autocommit is the server default, but a server-wide `autocommit=0` would make acks meaningless.
        await connection.query("SET autocommit = 1");
        return connection;
      },
      (connection) => {
        connection.destroy();
      },
    );
  }

  async prepare(): Promise<void> {
    await this.connection.use(async (connection) => {
      await connection.query(
        `CREATE TABLE IF NOT EXISTS ${MYSQL_TABLE} (seq BIGINT NOT NULL PRIMARY KEY, ` +
          `written_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)) ENGINE=InnoDB`,
      );
      await connection.query(`TRUNCATE TABLE ${MYSQL_TABLE}`);
    });
  }

  async write(seq: number): Promise<void> {
    await this.connection.use((connection) =>
      connection.query(`INSERT INTO ${MYSQL_TABLE} (seq) VALUES (?)`, [seq]),
    );
  }

  async readAll(): Promise<Set<number>> {
    const [rows] = await this.connection.use((connection) =>
      connection.query<RowDataPacket[]>(`SELECT seq FROM ${MYSQL_TABLE}`),
    );
    return new Set(rows.map((row) => Number(row.seq)));
  }

  reset(): void {
    this.connection.reset();
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
