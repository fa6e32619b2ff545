// Can this standby pair with that primary? Checked on the primary's `disasterRecovery` output (read by
// StackReference) before the standby creates anything. Pure: tests feed it outputs directly.
import { isRecord, show } from "../../config/problems";
import type { HadbConfig } from "../../config/types";
import { SINGLE_WRITER_ENGINES } from "../../databases/catalog";
import { STORAGE_CATALOG, type DisasterRecoveryMode } from "../../storage/catalog";
import type { PrimaryDisasterRecovery } from "./primary";

/** Engines whose data a Longhorn DR volume carries: hadb's single writers (PGO keeps PostgreSQL's volumes). */
export const LONGHORN_DR_ENGINES = SINGLE_WRITER_ENGINES;

const sameList = (a: readonly string[], b: readonly string[]): boolean => {
  const sortedB = [...b].sort();
  return a.length === b.length && [...a].sort().every((value, index) => value === sortedB[index]);
};

/**
 * Problems (empty = paired) between this standby's config and the primary's output, worded like config
 * errors: the key to change, its value, what it must be.
 */
export function pairingProblems(standby: HadbConfig, primaryStack: string, output: unknown): string[] {
  const reference = `hadb:disasterRecovery.primaryStack`;
  if (!isRecord(output))
    return [
      `${reference}: ${show(primaryStack)} exports no disasterRecovery output: deploy it first with hadb:disasterRecovery.role "primary"`,
    ];
  if (output.role !== "primary")
    return [`${reference}: ${show(primaryStack)} is not a DR primary (its role is ${show(output.role)})`];
  const primary = output as unknown as PrimaryDisasterRecovery;
  const problems: string[] = [];
  if (primary.storage !== standby.storage)
    problems.push(
      `hadb:storage: ${show(standby.storage)} must match the primary's storage ${show(primary.storage)}`,
    );
  if (primary.namespace !== standby.namespace)
    problems.push(
      `hadb:namespace: ${show(standby.namespace)} must equal the primary's namespace ${show(primary.namespace)}: workloads keep their namespace across sites`,
    );
  const mode = STORAGE_CATALOG[standby.storage].disasterRecovery;
  if (mode !== undefined && primary.storage === standby.storage)
    problems.push(...MODE_PROBLEMS[mode](standby, primary, primaryStack));
  return problems;
}

/** What else each DR mode needs of the pair. */
const MODE_PROBLEMS: Record<
  DisasterRecoveryMode,
  (standby: HadbConfig, primary: PrimaryDisasterRecovery, primaryStack: string) => string[]
> = {
  "px-dr": (standby, primary) => portworxProblems(standby, primary),
  "longhorn-dr-volumes": (_standby, primary, primaryStack) => longhornProblems(primary, primaryStack),
};

function portworxProblems(standby: HadbConfig, primary: PrimaryDisasterRecovery): string[] {
  const local = standby.portworx;
  const remote = primary.portworx;
  if (!local || !remote)
    return ["hadb:portworx: the primary publishes no PX-DR settings (clusterDomain, kvdb)"];
  const problems: string[] = [];
  if (local.clusterName !== remote.clusterName)
    problems.push(
      `hadb:portworx.clusterName: ${show(local.clusterName)} must equal the primary's ${show(remote.clusterName)}: PX-DR stretches one Portworx cluster over both sites`,
    );
  if (local.clusterDomain === remote.clusterDomain)
    problems.push(
      `hadb:portworx.clusterDomain: ${show(local.clusterDomain)} is the primary's domain too: each site needs its own (e.g. site-a, site-b)`,
    );
  if (!sameList(local.kvdbEndpoints ?? [], remote.kvdbEndpoints))
    problems.push(
      `hadb:portworx.kvdb.endpoints: ${show(local.kvdbEndpoints)} must be the primary's ${show(remote.kvdbEndpoints)}: both sites share one etcd`,
    );
  if (!primary.kubeconfigExported)
    problems.push(
      "hadb:disasterRecovery.primaryStack: the primary exports no kubeconfig, which pairing its cluster needs: set hadb:kubeconfig on the primary (cloud existing) or let hadb create its cluster",
    );
  return problems;
}

function longhornProblems(primary: PrimaryDisasterRecovery, primaryStack: string): string[] {
  const problems: string[] = [];
  if (!primary.longhorn)
    problems.push(
      `hadb:disasterRecovery.primaryStack: ${show(primaryStack)} publishes no Longhorn backup target (hadb:backups.enabled there)`,
    );
  const unsupported = primary.databases.filter((database) => !LONGHORN_DR_ENGINES.includes(database.engine));
  if (unsupported.length > 0)
    problems.push(
      `hadb:disasterRecovery.primaryStack: the primary's databases ${show(unsupported.map((d) => d.name))} are engine postgres, which Longhorn DR volumes do not carry (PGO owns their volumes); supported: ${LONGHORN_DR_ENGINES.join(" | ")}`,
    );
  return problems;
}
