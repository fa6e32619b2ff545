// Tier 3 (real control plane): every stack's synth output server-side applied to a real kube-apiserver
// (built from the pinned Go modules) with strict field validation, on a fresh control plane with
// 3 kwok-simulated nodes in 3 zones. Proves the API server accepts every built-in object, PVCs bind,
// database Deployments become Available and the node-prep DaemonSet lands on every node. Does not prove
// anything a container does: no container runs, kwok plays the kubelets.
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
import type { KubeObject } from "../../tools/synth/write";
import { siteConfig, STACKS, stackConfigValues, synthStack, type SynthResult } from "../helpers/synth";

// DEVELOPERS.md: in CI a missing tool is a failure, locally a skip.
const skip = skipWithoutBinaries();

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
  for (const stack of STACKS) {
    describe(`stack ${stack}`, () => {
      let cp: ControlPlane | undefined;
      let synth: SynthResult;
      let builtIn: KubeObject[] = [];

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
        const custom = synth.manifests.filter((o) => !served.has(o.apiVersion));
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
            (releases.length ? ` (${releases.join(", ")}: charts cannot be fetched here)` : "") +
            `, ${custom.length} custom resource(s) of third-party operators` +
            (custom.length
              ? ` (${custom.map((o) => `${o.apiVersion} ${o.kind}/${o.metadata.name}`).join(", ")})`
              : ""),
        );
        t.diagnostic(`${stack}: operator-managed databases (e.g. PostgresCluster) are out of this tier`);
        assert.deepEqual(rejected, [], "objects rejected by the API server");
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
        const deployments = builtIn.filter((o) => o.kind === "Deployment");
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
