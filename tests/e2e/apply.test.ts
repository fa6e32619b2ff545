// Tier 3 (real control plane): every stack's synth output server-side applied to a real kube-apiserver
// (built from the pinned Go modules) with strict field validation, on a fresh control plane with
// 3 kwok-simulated nodes in 3 zones. Proves the API server accepts every built-in object, PVCs bind,
// database Deployments become Available and the node-prep DaemonSet lands on every node. Does not prove
// anything a container does: no container runs, kwok plays the kubelets.
// Third-party custom resources are applied the same way against CRDs generated from upstream's API Go
// packages at the pinned versions (test/crds/build.sh); kinds whose upstream module cannot be had here
// (test/crds/catalog.ts UNCOVERED_GROUPS) are listed, not applied. Admission webhooks do not run here.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MANAGED_CONTROLLER_TIMINGS } from "../../components/failover/timings";
import { DATABASE_POOL_LABEL } from "../../components/cluster/pools";
import { configFromMap } from "../../components/config/load";
import {
  defaultNodes,
  skipWithoutBinaries,
  startControlPlane,
  type ControlPlane,
} from "../../test/controlplane/cluster";
import { APPLY_ARGS, standInVolumes, toYaml, volumeFor } from "../../test/controlplane/lab";
import { CRD_SETS, missingCrdSets, moduleVersion, UNCOVERED_GROUPS } from "../../test/crds/catalog";
import { installCrds } from "../../test/crds/install";
import type { KubeObject } from "../../tools/synth/write";
import { siteConfig, STACKS, stackConfigValues, synthStack, type SynthResult } from "../helpers/synth";

// DEVELOPERS.md: in CI a missing tool is a failure, locally a skip.
const missingCrds = missingCrdSets();
const skip =
  skipWithoutBinaries() ||
  (missingCrds.length > 0 && !process.env.CI
    ? `CRDs not generated (${missingCrds.join(", ")}): run test/crds/build.sh`
    : false);

/** HADB_E2E_STACKS=a,b runs just those stacks (while iterating); unset, every stack. */
const onlyStacks = process.env.HADB_E2E_STACKS?.split(",").filter(Boolean);
const stacks = onlyStacks ? STACKS.filter((stack) => onlyStacks.includes(stack)) : STACKS;

const groupOf = (apiVersion: string): string =>
  apiVersion.includes("/") ? (apiVersion.split("/")[0] ?? "") : "";
const crdSetOf = (apiVersion: string) => CRD_SETS.find((set) => set.groups.includes(groupOf(apiVersion)));

/** Databases hadb runs as its own single-writer Deployment (not through an operator). */
const hadbRunDatabases = (stack: string) =>
  siteConfig(stack).databases.filter((database) => database.engine !== "postgres");
/** A Longhorn DR standby's writers wait at 0 replicas until `npm run dr -- failover` scales them up. */
const isStandby = (stack: string) => siteConfig(stack).disasterRecovery?.role === "standby";

const CLUSTER_SCOPED_KINDS = new Set([
  "Namespace",
  "StorageClass",
  "PersistentVolume",
  "ClusterRole",
  "ClusterRoleBinding",
]);

describe("e2e apply: every stack on a real API server", { skip }, () => {
  for (const stack of stacks) {
    describe(`stack ${stack}`, () => {
      let cp: ControlPlane | undefined;
      let synth: SynthResult;
      let builtIn: KubeObject[] = [];
      let custom: KubeObject[] = [];

      before(async () => {
        synth = synthStack(stack);
        // A stack with a dedicated database pool pins databases to its label: the simulated nodes carry it.
        const pooled = configFromMap(stackConfigValues(stack)).managedCluster?.databasePool !== undefined;
        const nodes = defaultNodes().map((node) =>
          pooled ? { ...node, labels: { ...node.labels, ...DATABASE_POOL_LABEL } } : node,
        );
        cp = await startControlPlane({ timings: MANAGED_CONTROLLER_TIMINGS, name: `apply-${stack}`, nodes });
      });
      after(async () => {
        await cp?.stop();
      });

      const plane = (): ControlPlane => {
        assert.ok(cp, "control plane not started");
        return cp;
      };

      it("accepts every built-in object (server-side apply, strict field validation)", async (t) => {
        // Built-in = served by a fresh API server; anything else is a third-party operator's custom resource.
        const served = new Set((await plane().kubectl(["api-versions"])).split("\n").filter(Boolean));
        builtIn = synth.manifests.filter((o) => served.has(o.apiVersion));
        custom = synth.manifests.filter((o) => !served.has(o.apiVersion));
        assert.ok(builtIn.length > 0, "synth produced no Kubernetes object");
        const ordered = [
          ...builtIn.filter((o) => CLUSTER_SCOPED_KINDS.has(o.kind)),
          ...standInVolumes(builtIn),
          ...builtIn.filter((o) => !CLUSTER_SCOPED_KINDS.has(o.kind)),
        ];
        const rejected: string[] = [];
        for (const object of ordered) {
          const result = await plane().kubectlResult([...APPLY_ARGS, "-f", "-"], toYaml([object]));
          if (result.code !== 0)
            rejected.push(`${object.kind}/${object.metadata.name}: ${result.stderr.trim()}`);
        }
        t.diagnostic(
          `${stack}: applied ${builtIn.length} built-in objects (+ ${standInVolumes(builtIn).length} stand-in PVs)`,
        );
        const releases = synth.releases.map((r) => `${r.chart} ${r.version}`);
        t.diagnostic(
          `${stack}: skipped ${releases.length} Helm release(s)` +
            (releases.length ? ` (${releases.join(", ")}: charts cannot be fetched here)` : ""),
        );
        t.diagnostic(`${stack}: operator-managed databases (e.g. PostgresCluster) are out of this tier`);
        assert.deepEqual(rejected, [], "objects rejected by the API server");
      });

      it("accepts every custom resource against upstream-generated CRDs (strict field validation)", async (t) => {
        const crds = await installCrds(plane());
        const covered = custom.filter((o) => crdSetOf(o.apiVersion) !== undefined);
        const uncovered = custom.filter((o) => crdSetOf(o.apiVersion) === undefined);
        // A group hadb writes that is neither generated nor known to be unavailable: a gap to close.
        const unknown = uncovered.filter((o) => UNCOVERED_GROUPS[groupOf(o.apiVersion)] === undefined);
        assert.deepEqual(
          unknown.map((o) => `${o.apiVersion} ${o.kind}`),
          [],
          "custom resources of a group with no CRD set",
        );
        const rejected: string[] = [];
        for (const object of covered) {
          const result = await plane().kubectlResult([...APPLY_ARGS, "-f", "-"], toYaml([object]));
          if (result.code !== 0)
            rejected.push(`${object.kind}/${object.metadata.name}: ${result.stderr.trim()}`);
        }
        const sets = [...new Set(covered.map((o) => crdSetOf(o.apiVersion)))].map(
          (set) => set && `${set.module}@${moduleVersion(set)}`,
        );
        t.diagnostic(
          `${stack}: applied ${covered.length} custom resource(s) ` +
            `(${covered.map((o) => `${o.kind}/${o.metadata.name}`).join(", ") || "none"}) ` +
            `against ${crds} CRDs` +
            (sets.length ? ` (${sets.join(", ")})` : ""),
        );
        for (const object of uncovered)
          t.diagnostic(
            `${stack}: not applied ${object.apiVersion} ${object.kind}/${object.metadata.name}: ${UNCOVERED_GROUPS[groupOf(object.apiVersion)]}`,
          );
        assert.deepEqual(rejected, [], "custom resources rejected by the API server");
      });

      it("binds every database PVC to its PV (the stack's own, or a stand-in for the provisioner)", async () => {
        const pvcs = builtIn.filter((o) => o.kind === "PersistentVolumeClaim");
        // One claim per hadb-run database; PGO creates the claims of PostgreSQL itself (out of this tier).
        assert.equal(pvcs.length, hadbRunDatabases(stack).length, "one PVC per database hadb runs itself");
        for (const pvc of pvcs) {
          const namespace = pvc.metadata.namespace ?? "default";
          await plane().kubectl([
            "-n",
            namespace,
            "wait",
            "--for=jsonpath={.status.phase}=Bound",
            `pvc/${pvc.metadata.name}`,
            "--timeout=60s",
          ]);
          const volume = await plane().kubectl([
            "-n",
            namespace,
            "get",
            `pvc/${pvc.metadata.name}`,
            "-o",
            "jsonpath={.spec.volumeName}",
          ]);
          assert.equal(volume, volumeFor(builtIn, pvc).name, `${pvc.metadata.name} bound to its PV`);
        }
      });

      it("makes every database Deployment Available on a simulated node", async () => {
        // Database writers only (hadb's exporters, e.g. MySQL's mysqld_exporter, are Deployments too).
        const deployments = builtIn.filter(
          (o) => o.kind === "Deployment" && o.metadata.labels?.["app.kubernetes.io/component"] === "database",
        );
        assert.equal(
          deployments.length,
          hadbRunDatabases(stack).length,
          "one Deployment per database hadb runs",
        );
        const nodes = new Set(plane().nodes.map((n) => n.name));
        for (const deployment of deployments) {
          const namespace = deployment.metadata.namespace ?? "default";
          if (isStandby(stack)) {
            // Standing by: no writer. Activation's last step scales it to 1 (tools/dr/run.ts "scale-up").
            assert.equal((deployment.spec as { replicas: number }).replicas, 0);
            await plane().kubectl([
              "-n",
              namespace,
              "scale",
              `deployment/${deployment.metadata.name}`,
              "--replicas=1",
            ]);
          }
          await plane().kubectl([
            "-n",
            namespace,
            "wait",
            "--for=condition=Available",
            `deployment/${deployment.metadata.name}`,
            "--timeout=120s",
          ]);
          const selector = Object.entries(
            (deployment.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels,
          )
            .map(([k, v]) => `${k}=${v}`)
            .join(",");
          const podNodes = (
            await plane().kubectl([
              "-n",
              namespace,
              "get",
              "pods",
              "-l",
              selector,
              "-o",
              "jsonpath={.items[*].spec.nodeName}",
            ])
          )
            .split(" ")
            .filter(Boolean);
          assert.equal(podNodes.length, 1, `${deployment.metadata.name}: one pod (one writer)`);
          assert.ok(nodes.has(podNodes[0] ?? ""), `${deployment.metadata.name} runs on ${podNodes[0]}`);
        }
      });

      it("fills every service-account token Secret (the PX-DR pairs are built from them)", async () => {
        const tokens = builtIn.filter(
          (o) =>
            o.kind === "Secret" && (o as { type?: string }).type === "kubernetes.io/service-account-token",
        );
        for (const secret of tokens) {
          const namespace = secret.metadata.namespace ?? "default";
          await plane().kubectl([
            "-n",
            namespace,
            "wait",
            "--for=jsonpath={.data.token}",
            `secret/${secret.metadata.name}`,
            "--timeout=60s",
          ]);
          const token = await plane().kubectl([
            "-n",
            namespace,
            "get",
            `secret/${secret.metadata.name}`,
            "-o",
            "jsonpath={.data.token}",
          ]);
          assert.ok(Buffer.from(token, "base64").toString("utf8").split(".").length === 3, "a JWT");
        }
      });

      it("lands one pod of every DaemonSet on each node, Ready", async () => {
        const daemonSets = builtIn.filter((o) => o.kind === "DaemonSet");
        for (const ds of daemonSets) {
          const namespace = ds.metadata.namespace ?? "default";
          const name = ds.metadata.name;
          await plane().kubectl([
            "-n",
            namespace,
            "rollout",
            "status",
            `daemonset/${name}`,
            "--timeout=120s",
          ]);
          const status = JSON.parse(
            await plane().kubectl(["-n", namespace, "get", `daemonset/${name}`, "-o", "jsonpath={.status}"]),
          ) as { desiredNumberScheduled: number; numberReady: number };
          assert.equal(status.desiredNumberScheduled, plane().nodes.length, `${name}: one pod per node`);
          assert.equal(status.numberReady, plane().nodes.length, `${name}: every pod Ready`);
        }
      });
    });
  }
});
