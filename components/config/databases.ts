// Validation of `hadb:databases`: one entry per database, its engine, name, volume, image and the
// engine's own settings (iris.ts, mysql.ts, postgres.ts), exposure and restore source.
import { ENGINE_CATALOG } from "../databases/catalog";
import { readConsumerNamespaces } from "./consumers";
import { readExposure } from "./exposure";
import { readFailoverMeasured } from "./failover-measured";
import { readIris } from "./iris";
import { readMysql } from "./mysql";
import { readPostgres } from "./postgres";
import { DNS_LABEL, isRecord, Problems } from "./problems";
import { MEBIBYTE, parseQuantity } from "./quantity";
import { readResources } from "./resources";
import { readRestoreFrom } from "./restores";
import { readPasswordRevision } from "./accounts";
import { NOT_SUPPORTED_YET } from "./support";
import {
  ENGINES,
  type DatabaseSpec,
  type Engine,
  type ContainerResources,
  type Exposure,
  type StorageBackend,
} from "./types";

/** Longest database name: derived object names append up to 23 characters and must stay DNS labels. */
export const MAX_DATABASE_NAME_LENGTH = 40;

const DATABASE_KEYS = [
  "engine",
  "name",
  "volumeSize",
  "version",
  "image",
  "resources",
  "exposure",
  "iris",
  "mysql",
  "postgres",
  "restoreFrom",
  "passwordRevision",
  "consumerNamespaces",
  "failoverMeasured",
];

export function readDatabases(
  problems: Problems,
  key: string,
  value: unknown,
  storage: StorageBackend,
): DatabaseSpec[] {
  if (!Array.isArray(value)) {
    problems.add(key, value, "must be a list of database entries, e.g. [{engine: iris, name: iris}]");
    return [];
  }
  const databases: DatabaseSpec[] = [];
  const seen = new Map<string, number>();
  value.forEach((entry: unknown, index) => {
    const entryKey = `${key}[${index}]`;
    const database = readDatabase(problems, entryKey, entry, storage);
    if (!database) return;
    const first = seen.get(database.name);
    if (first !== undefined) {
      problems.add(
        `${entryKey}.name`,
        database.name,
        `duplicates ${key}[${first}].name: database names must be unique`,
      );
    } else {
      seen.set(database.name, index);
    }
    databases.push(database);
  });
  return databases;
}

function readDatabase(
  problems: Problems,
  key: string,
  entry: unknown,
  storage: StorageBackend,
): DatabaseSpec | undefined {
  if (!isRecord(entry)) {
    problems.add(key, entry, "must be an object with at least engine and name");
    return undefined;
  }
  problems.unknownKeys(key, entry, DATABASE_KEYS);
  const engine = problems.choice(`${key}.engine`, entry.engine, ENGINES, NOT_SUPPORTED_YET.engine, "iris");
  const catalog = ENGINE_CATALOG[engine];
  const name = problems.string(
    `${key}.name`,
    entry.name,
    new RegExp(`^(?=.{1,${MAX_DATABASE_NAME_LENGTH}}$)${DNS_LABEL.source.slice(1, -1)}$`),
    `must be a DNS label of at most ${MAX_DATABASE_NAME_LENGTH} characters (lowercase letters, digits, '-', starting with a letter)`,
  );
  const volumeSize = entry.volumeSize ?? "10Gi";
  const volumeBytes = problems.quantity(`${key}.volumeSize`, volumeSize, "storage");
  if (volumeBytes > 0 && volumeBytes < 1024 * MEBIBYTE) {
    problems.add(
      `${key}.volumeSize`,
      volumeSize,
      "must be at least 1Gi (a database volume holds data, journals and logs)",
    );
  }
  const image = readImage(problems, key, entry, engine);
  const resources = readResources(problems, `${key}.resources`, entry.resources, catalog.defaultResources);
  const exposure = readExposure(problems, `${key}.exposure`, entry.exposure, Object.keys(catalog.ports));

  // The engine's own settings key; another engine's key is a mistake worth naming.
  let settings: EngineSettings = {};
  for (const other of ENGINES) {
    if (other === engine)
      settings = ENGINE_SETTINGS[engine](problems, key, { entry, name, image, resources, exposure, storage });
    else if (entry[other] !== undefined)
      problems.add(
        `${key}.${other}`,
        entry[other],
        `only applies to engine "${other}" (engine is "${engine}")`,
      );
  }
  const restoreFrom = readRestoreFrom(problems, `${key}.restoreFrom`, entry.restoreFrom, engine);
  const passwordRevision = readPasswordRevision(problems, `${key}.passwordRevision`, entry.passwordRevision);
  const consumerNamespaces = readConsumerNamespaces(
    problems,
    `${key}.consumerNamespaces`,
    entry.consumerNamespaces,
  );
  const failoverMeasured = readFailoverMeasured(
    problems,
    `${key}.failoverMeasured`,
    entry.failoverMeasured,
    engine,
  );
  if (name === undefined) return undefined;
  return {
    ...(failoverMeasured ? { failoverMeasured } : {}),
    ...(restoreFrom ? { restoreFrom } : {}),
    ...(passwordRevision !== undefined ? { passwordRevision } : {}),
    engine,
    name,
    volumeSize: typeof volumeSize === "string" ? volumeSize : "10Gi",
    image,
    resources,
    exposure,
    consumerNamespaces,
    ...settings,
  };
}

/** A database entry as read before its engine's own settings. */
interface EntryRead {
  entry: Record<string, unknown>;
  name: string | undefined;
  image: string;
  resources: ContainerResources;
  exposure: Exposure;
  storage: StorageBackend;
}

/** Each engine's settings live under the key named after it (`iris`, `mysql`, `postgres`). */
type EngineSettings = Partial<Pick<DatabaseSpec, Engine>>;

/** Per engine: reads its settings key and checks the rules only that engine has. */
const ENGINE_SETTINGS: Record<Engine, (problems: Problems, key: string, read: EntryRead) => EngineSettings> =
  {
    iris: (problems, key, { entry, resources }) => ({
      iris: readIris(problems, `${key}.iris`, entry.iris, parseQuantity(resources.limits.memory) ?? 0),
    }),
    mysql: (problems, key, { entry, name }) => ({
      mysql: readMysql(problems, `${key}.mysql`, entry.mysql, name ?? "app"),
    }),
    postgres: (problems, key, { entry, name, image, exposure, storage }) => {
      const postgres = readPostgres(problems, `${key}.postgres`, entry.postgres, name ?? "app", image);
      if (entry.image !== undefined)
        problems.add(
          `${key}.image`,
          entry.image,
          'is not used by engine "postgres": the operator pins the image of each major version; set version instead',
        );
      if (storage === "iscsi" && postgres.instances > 1)
        problems.add(
          `${key}.postgres.instances`,
          postgres.instances,
          'must be 1 on storage "iscsi": one LUN per database, and a replica needs a volume of its own',
        );
      if (exposure.type !== "clusterIP")
        problems.add(
          `${key}.exposure.type`,
          exposure.type,
          'is not supported for engine "postgres" (the operator\'s Service has no source-range allowlist); use clusterIP',
        );
      return { postgres };
    },
  };

function readImage(problems: Problems, key: string, entry: Record<string, unknown>, engine: Engine): string {
  const catalog = ENGINE_CATALOG[engine];
  if (entry.version !== undefined && entry.image !== undefined) {
    problems.add(
      `${key}.image`,
      entry.image,
      "cannot be combined with version: give either a version or a full image",
    );
  }
  if (entry.image !== undefined) {
    const image = problems.string(
      `${key}.image`,
      entry.image,
      /^[a-z0-9][a-z0-9._\-/:]*(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127}|@sha256:[a-f0-9]{64})$/,
      "must be a pinned image reference with a tag or digest, e.g. registry/repo:2026.1",
    );
    if (image !== undefined && /:latest(@|$)/.test(image)) {
      problems.add(`${key}.image`, image, 'must not use the moving tag "latest": pin a version');
    }
    return image ?? "";
  }
  if (entry.version !== undefined) {
    const version = problems.string(
      `${key}.version`,
      entry.version,
      catalog.versionPattern,
      `is not a supported ${engine} version; expected a version like "${catalog.versionExample}"`,
    );
    return `${catalog.imageRepository}:${version ?? catalog.defaultVersion}`;
  }
  return `${catalog.imageRepository}:${catalog.defaultVersion}`;
}
