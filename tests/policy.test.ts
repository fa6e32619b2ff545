// The policy pack's checks, called directly: passing and failing cases per policy, every stack's synth
// output passes the whole pack, and one deliberately broken resource per policy is rejected.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DEFAULT_POLICY_CONFIG,
  HADB_POLICIES,
  NODE_PORT_ALLOWLIST_ANNOTATION,
  evaluatePolicies,
  type PolicyResourceInput,
} from "../policy/policies";
import { STACKS, synthStack, type SynthResult } from "./helpers/synth";

const k8s = (apiVersion: string, kind: string, props: Record<string, unknown>): PolicyResourceInput => ({
  type: `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${kind}`,
  name: (props.metadata as { name?: string } | undefined)?.name ?? kind.toLowerCase(),
  props: { apiVersion, kind, ...props },
});

const probes = {
  livenessProbe: { exec: { command: ["true"] }, periodSeconds: 10, failureThreshold: 3 },
  readinessProbe: { tcpSocket: { port: 1972 }, periodSeconds: 5 },
};
const tolerations = (seconds: number) =>
  ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"].map((key) => ({
    key,
    operator: "Exists",
    effect: "NoExecute",
    tolerationSeconds: seconds,
  }));

/** A compliant single-writer IRIS Deployment; tests break one thing at a time. */
function database(
  overrides: {
    spec?: Record<string, unknown>;
    pod?: Record<string, unknown>;
    container?: Record<string, unknown>;
  } = {},
) {
  return k8s("apps/v1", "Deployment", {
    metadata: { name: "iris", namespace: "hadb", labels: { "app.kubernetes.io/component": "database" } },
    spec: {
      replicas: 1,
      strategy: { type: "Recreate" },
      selector: { matchLabels: { app: "iris" } },
      template: {
        metadata: { labels: { app: "iris", "app.kubernetes.io/component": "database" } },
        spec: {
          terminationGracePeriodSeconds: 60,
          tolerations: tolerations(15),
          containers: [
            {
              name: "iris",
              image: "containers.intersystems.com/intersystems/iris-community:2026.1",
              ...probes,
              ...overrides.container,
            },
          ],
          volumes: [{ name: "data", persistentVolumeClaim: { claimName: "iris-data" } }],
          ...overrides.pod,
        },
      },
      ...overrides.spec,
    },
  });
}
const claim = (accessModes: string[]) =>
  k8s("v1", "PersistentVolumeClaim", {
    metadata: { name: "iris-data", namespace: "hadb" },
    spec: { accessModes, resources: { requests: { storage: "10Gi" } } },
  });

const check = (policyName: string, resources: PolicyResourceInput[]) =>
  evaluatePolicies(
    resources,
    DEFAULT_POLICY_CONFIG,
    HADB_POLICIES.filter((p) => p.name === policyName),
  ).map((v) => v.message);

describe("hadb-single-writer", () => {
  it("accepts replicas 1 + Recreate on an RWO claim, and any Deployment on a shared RWX claim", () => {
    assert.deepEqual(check("hadb-single-writer", [database(), claim(["ReadWriteOnce"])]), []);
    const shared = database({ spec: { replicas: 3, strategy: { type: "RollingUpdate" } } });
    assert.deepEqual(check("hadb-single-writer", [shared, claim(["ReadWriteMany"])]), []);
  });
  it("rejects a rolling update or a second replica on an RWO claim, an unknown claim or an iSCSI volume", () => {
    const rolling = database({ spec: { strategy: { type: "RollingUpdate" } } });
    assert.match(
      check("hadb-single-writer", [rolling, claim(["ReadWriteOnce"])])[0] ?? "",
      /strategy RollingUpdate; use replicas 1 and strategy Recreate/,
    );
    assert.equal(check("hadb-single-writer", [database({ spec: { replicas: 2 } })]).length, 1);
    const iscsi = database({
      spec: { strategy: undefined },
      pod: {
        volumes: [
          { name: "data", iscsi: { targetPortal: "10.0.0.5:3260", iqn: "iqn.2026-01.io.hadb:lun", lun: 0 } },
        ],
      },
    });
    assert.equal(check("hadb-single-writer", [iscsi]).length, 1);
  });
});

describe("hadb-replicated-storage", () => {
  const storageClass = (provisioner: string, parameters: Record<string, string>) =>
    k8s("storage.k8s.io/v1", "StorageClass", { metadata: { name: "db" }, provisioner, parameters });
  it("accepts 3 copies", () => {
    assert.deepEqual(
      check("hadb-replicated-storage", [storageClass("driver.longhorn.io", { numberOfReplicas: "3" })]),
      [],
    );
    assert.deepEqual(check("hadb-replicated-storage", [storageClass("pxd.portworx.com", { repl: "3" })]), []);
    assert.deepEqual(
      check("hadb-replicated-storage", [storageClass("ebs.csi.aws.com", {})]),
      [],
      "not a replicated backend",
    );
  });
  it("rejects fewer copies on Longhorn, Portworx, Ceph pools and the Longhorn chart", () => {
    assert.equal(
      check("hadb-replicated-storage", [storageClass("driver.longhorn.io", { numberOfReplicas: "2" })])
        .length,
      1,
    );
    assert.equal(
      check("hadb-replicated-storage", [storageClass("pxd.portworx.com", { repl: "1" })]).length,
      1,
    );
    const pool = k8s("ceph.rook.io/v1", "CephBlockPool", {
      metadata: { name: "pool" },
      spec: { replicated: { size: 2 } },
    });
    assert.match(check("hadb-replicated-storage", [pool])[0] ?? "", /CephBlockPool pool keeps 2 copies/);
    const release: PolicyResourceInput = {
      type: "kubernetes:helm.sh/v3:Release",
      name: "longhorn",
      props: {
        chart: "longhorn",
        version: "1.12.1",
        values: { defaultSettings: { defaultReplicaCount: '{"v1":"2","v2":"3"}' } },
      },
    };
    assert.deepEqual(check("hadb-replicated-storage", [release]), [
      'Longhorn default replica count (v1) keeps "2" copies; replicated database storage needs at least 3',
    ]);
  });
});

describe("hadb-private-database-services", () => {
  const service = (spec: Record<string, unknown>, annotations: Record<string, string> = {}) =>
    k8s("v1", "Service", {
      metadata: {
        name: "iris",
        namespace: "hadb",
        labels: { "app.kubernetes.io/component": "database" },
        annotations,
      },
      spec: { ports: [{ name: "superserver", port: 1972 }], ...spec },
    });
  it("accepts ClusterIP, an allowlisted load balancer and an annotated NodePort", () => {
    assert.deepEqual(check("hadb-private-database-services", [service({ type: "ClusterIP" })]), []);
    assert.deepEqual(
      check("hadb-private-database-services", [
        service({ type: "LoadBalancer", loadBalancerSourceRanges: ["10.0.0.0/8"] }),
      ]),
      [],
    );
    assert.deepEqual(
      check("hadb-private-database-services", [
        service({ type: "NodePort" }, { [NODE_PORT_ALLOWLIST_ANNOTATION]: "192.168.56.0/24" }),
      ]),
      [],
    );
  });
  it("rejects open load balancers and unannotated NodePorts, found by label or database port", () => {
    assert.match(
      check("hadb-private-database-services", [service({ type: "LoadBalancer" })])[0] ?? "",
      /LoadBalancer with no source ranges/,
    );
    assert.match(
      check("hadb-private-database-services", [
        service({ type: "LoadBalancer", loadBalancerSourceRanges: ["0.0.0.0/0"] }),
      ])[0] ?? "",
      /admit every address/,
    );
    const unlabelled = k8s("v1", "Service", {
      metadata: { name: "pg" },
      spec: { type: "NodePort", ports: [{ port: 5432 }] },
    });
    assert.equal(check("hadb-private-database-services", [unlabelled]).length, 1);
  });
});

describe("hadb-no-literal-passwords", () => {
  it("accepts passwords from Secrets and password files", () => {
    const fromSecret = database({
      container: {
        env: [{ name: "MYSQL_ROOT_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } }],
        args: ["--password-file", "/irissys/credentials/password"],
      },
    });
    assert.deepEqual(check("hadb-no-literal-passwords", [fromSecret]), []);
  });
  it("rejects literal env passwords, password flags, passwords in config files and default Secret values", () => {
    const literal = database({ container: { env: [{ name: "POSTGRES_PASSWORD", value: "hunter2" }] } });
    assert.match(check("hadb-no-literal-passwords", [literal])[0] ?? "", /sets POSTGRES_PASSWORD literally/);
    const flag = database({ container: { args: ["--password=hunter2"] } });
    assert.match(
      check("hadb-no-literal-passwords", [flag])[0] ?? "",
      /passes a password on the command line \(--password\)/,
    );
    assert.ok(
      !(check("hadb-no-literal-passwords", [flag])[0] ?? "").includes("hunter2"),
      "never echo the password",
    );
    const cpf = k8s("v1", "ConfigMap", {
      metadata: { name: "cpf" },
      data: { "merge.cpf": "[Startup]\nPasswordHash=abc,def,10000,SHA512\n" },
    });
    assert.equal(check("hadb-no-literal-passwords", [cpf]).length, 1);
    const defaultSecret = k8s("v1", "Secret", {
      metadata: { name: "iris" },
      data: { password: Buffer.from("SYS").toString("base64") },
    });
    assert.match(
      check("hadb-no-literal-passwords", [defaultSecret])[0] ?? "",
      /key password holds a default password/,
    );
  });
});

describe("hadb-database-probes", () => {
  it("accepts probed database containers and ignores non-database workloads", () => {
    assert.deepEqual(check("hadb-database-probes", [database()]), []);
    const web = k8s("apps/v1", "Deployment", {
      metadata: { name: "web" },
      spec: { template: { spec: { containers: [{ name: "web", image: "nginx:1.27" }] } } },
    });
    assert.deepEqual(check("hadb-database-probes", [web]), []);
  });
  it("rejects a database container without probes, also when recognised only by its image", () => {
    const mysql = k8s("apps/v1", "Deployment", {
      metadata: { name: "mysql" },
      spec: { template: { spec: { containers: [{ name: "mysql", image: "mysql:8.4" }] } } },
    });
    assert.deepEqual(check("hadb-database-probes", [mysql]), [
      "Deployment default/mysql container mysql has no livenessProbe",
      "Deployment default/mysql container mysql has no readinessProbe",
    ]);
  });
});

describe("hadb-failover-tolerations", () => {
  it("accepts hadb's 15 s tolerations (node-loss budget within the 150 s target)", () => {
    assert.deepEqual(check("hadb-failover-tolerations", [database()]), []);
  });
  it("on the lab's iSCSI target, the budget counts the fence agent's detection time", () => {
    const lab = {
      ...DEFAULT_POLICY_CONFIG,
      platform: "vagrant",
      storage: "iscsi",
      nodeLossRecoveryTargetSeconds: 90,
    } as const;
    const only = HADB_POLICIES.filter((p) => p.name === "hadb-failover-tolerations");
    assert.deepEqual(evaluatePolicies([database()], lab, only), []);
    assert.match(
      evaluatePolicies([database()], { ...lab, fencingDetectionSeconds: 120 }, only)[0]?.message ?? "",
      /would take up to \d{3} s to recover from a lost node \(target 90 s\)/,
    );
  });
  it("rejects the Kubernetes default 300 s, and too long explicit tolerations", () => {
    assert.match(
      check("hadb-failover-tolerations", [database({ pod: { tolerations: [] } })])[0] ?? "",
      /would take up to \d+ s to recover from a lost node \(target 150 s\): its not-ready\/unreachable tolerationSeconds is 300 \(Kubernetes default\)/,
    );
    assert.equal(
      check("hadb-failover-tolerations", [database({ pod: { tolerations: tolerations(120) } })]).length,
      1,
    );
  });
});

describe("hadb-fenced-storage", () => {
  const lun = (annotations?: Record<string, string>) =>
    k8s("v1", "PersistentVolume", {
      metadata: { name: "lun-1", ...(annotations ? { annotations } : {}) },
      spec: { iscsi: { targetPortal: "10.0.0.5:3260", iqn: "iqn.2026-01.io.hadb:lun", lun: 1 } },
    });
  const rbd = (annotations?: Record<string, string>) =>
    k8s("storage.k8s.io/v1", "StorageClass", {
      metadata: { name: "rbd", ...(annotations ? { annotations } : {}) },
      provisioner: "rook-ceph.rbd.csi.ceph.com",
    });
  const agent = k8s("rbac.authorization.k8s.io/v1", "ClusterRole", {
    metadata: { name: "hadb-fence-agent" },
    rules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["patch"], resourceNames: ["hadb-k8s-1"] }],
  });
  it("accepts a LUN fenced by hadb's agent in the same stack, and volumes explicitly opted out", () => {
    assert.deepEqual(check("hadb-fenced-storage", [lun({ "hadb.io/fencing": "target-agent" }), agent]), []);
    assert.deepEqual(check("hadb-fenced-storage", [lun({ "hadb.io/fencing": "off" })]), []);
    assert.deepEqual(check("hadb-fenced-storage", [rbd({ "hadb.io/fencing": "off" })]), []);
    // Storage that fences itself needs no declaration.
    const longhorn = k8s("storage.k8s.io/v1", "StorageClass", {
      metadata: { name: "lh" },
      provisioner: "driver.longhorn.io",
    });
    assert.deepEqual(check("hadb-fenced-storage", [longhorn]), []);
  });
  it("rejects an undeclared iSCSI LUN or RBD class, and a fence agent that is not there", () => {
    assert.match(
      check("hadb-fenced-storage", [lun()])[0] ?? "",
      /PersistentVolume default\/lun-1 holds an iSCSI LUN, which nothing fences when its node is lost/,
    );
    assert.match(check("hadb-fenced-storage", [rbd()])[0] ?? "", /holds Ceph RBD images/);
    assert.match(
      check("hadb-fenced-storage", [lun({ "hadb.io/fencing": "target-agent" })])[0] ?? "",
      /declares hadb\.io\/fencing: target-agent but the stack has no fence agent/,
    );
  });
});

describe("hadb-pinned-versions", () => {
  it("accepts tags and digests and exact chart versions", () => {
    assert.deepEqual(check("hadb-pinned-versions", [database()]), []);
    const digest = database({ container: { image: `registry:5000/iris@sha256:${"b".repeat(64)}` } });
    assert.deepEqual(check("hadb-pinned-versions", [digest]), []);
  });
  it("rejects latest, untagged images (a registry port is not a tag) and unpinned charts", () => {
    assert.equal(
      check("hadb-pinned-versions", [database({ container: { image: "mysql:latest" } })]).length,
      1,
    );
    assert.equal(
      check("hadb-pinned-versions", [database({ container: { image: "registry:5000/iris" } })]).length,
      1,
    );
    const chart: PolicyResourceInput = {
      type: "kubernetes:helm.sh/v3:Release",
      name: "longhorn",
      props: { chart: "longhorn", version: "^1.12" },
    };
    assert.match(
      check("hadb-pinned-versions", [chart])[0] ?? "",
      /has version "\^1\.12"; pin an exact version/,
    );
  });
});

describe("hadb-privileged-pods-confined", () => {
  const hostPod = (namespace: string) =>
    k8s("apps/v1", "DaemonSet", {
      metadata: { name: "prep", namespace },
      spec: {
        template: {
          spec: {
            hostPID: true,
            containers: [
              {
                name: "c",
                image: "debian:12.12-slim",
                securityContext: { capabilities: { add: ["SYS_ADMIN"] } },
              },
            ],
          },
        },
      },
    });
  it("allows host access in the node-prep namespace only", () => {
    assert.deepEqual(check("hadb-privileged-pods-confined", [hostPod("hadb-node-prep")]), []);
    assert.match(
      check("hadb-privileged-pods-confined", [hostPod("hadb")])[0] ?? "",
      /needs host access \(hostPID; capabilities SYS_ADMIN on c\)/,
    );
  });
  it("catches privileged containers and hostPath volumes", () => {
    const privileged = database({
      container: { securityContext: { privileged: true } },
      pod: { volumes: [{ name: "h", hostPath: { path: "/" } }] },
    });
    assert.match(
      check("hadb-privileged-pods-confined", [privileged])[0] ?? "",
      /hostPath volume; privileged container iris/,
    );
  });
});

/** Synth output as the policy engine sees it: each Kubernetes object and Helm release with its inputs. */
function policyInputs(result: SynthResult): PolicyResourceInput[] {
  return [
    ...result.manifests.map((object) => k8s(object.apiVersion, object.kind, object)),
    ...result.releases.map((release) => ({
      type: "kubernetes:helm.sh/v3:Release",
      name: release.name,
      props: { chart: release.chart, version: release.version, values: release.values },
    })),
  ];
}

describe("the whole pack over every stack", () => {
  for (const stack of STACKS) {
    it(`${stack}: no violations`, () => {
      assert.deepEqual(evaluatePolicies(policyInputs(synthStack(stack))), []);
    });
  }

  it("a broken resource per policy is rejected by that policy", () => {
    const broken: Record<string, PolicyResourceInput[]> = {
      "hadb-single-writer": [database({ spec: { replicas: 2 } })],
      "hadb-replicated-storage": [
        k8s("storage.k8s.io/v1", "StorageClass", {
          metadata: { name: "x" },
          provisioner: "driver.longhorn.io",
          parameters: { numberOfReplicas: "1" },
        }),
      ],
      "hadb-private-database-services": [
        k8s("v1", "Service", {
          metadata: { name: "db" },
          spec: { type: "LoadBalancer", ports: [{ port: 3306 }] },
        }),
      ],
      "hadb-no-literal-passwords": [
        database({ container: { env: [{ name: "ISC_PASSWORD", value: "SYS" }] } }),
      ],
      "hadb-database-probes": [database({ container: { livenessProbe: undefined } })],
      "hadb-failover-tolerations": [database({ pod: { tolerations: undefined } })],
      "hadb-fenced-storage": [
        k8s("v1", "PersistentVolume", {
          metadata: { name: "lun" },
          spec: { iscsi: { targetPortal: "10.0.0.5:3260", iqn: "iqn.2026-01.io.hadb:lun", lun: 1 } },
        }),
      ],
      "hadb-pinned-versions": [database({ container: { image: "intersystems/iris-community:latest" } })],
      "hadb-privileged-pods-confined": [database({ pod: { hostNetwork: true } })],
    };
    assert.deepEqual(
      Object.keys(broken).sort(),
      HADB_POLICIES.map((p) => p.name).sort(),
      "one broken case per policy",
    );
    for (const [policy, resources] of Object.entries(broken)) {
      const violations = evaluatePolicies(resources);
      assert.ok(
        violations.some((v) => v.policy === policy),
        `${policy} did not reject its broken resource`,
      );
    }
  });
});
