// Pure decision functions and manifest builders, called directly.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { configFromMap } from "../components/config/load";
import { isCidr, isWholeInternet } from "../components/config/network";
import { parseQuantity } from "../components/config/quantity";
import type { DatabaseSpec } from "../components/config/types";
import { failoverTolerations } from "../components/databases/failover";
import { irisCpfMerge } from "../components/databases/iris/cpf";
import {
  IRIS_PORTS,
  irisCredentialsSecret,
  irisDeployment,
  irisNames,
  irisService,
} from "../components/databases/iris/manifests";
import {
  mysqlCredentialsSecret,
  mysqlDeployment,
  mysqlNames,
  mysqlServerConfig,
  mysqlService,
} from "../components/databases/mysql/manifests";
import { IQN, isPortal } from "../components/config/iscsi";
import { chapSecret, lunPersistentVolume } from "../components/storage/iscsi/manifests";
import { nodePrepDaemonSet } from "../components/nodeprep/manifests";
import { imageVersion, recommendedLabels } from "../components/shared/labels";
import {
  LONGHORN_CHART,
  longhornStorageClass,
  longhornValues,
  replicaAntiAffinity,
} from "../components/storage/longhorn/chart";

/** Builders return Pulumi input types; tests read them as plain JSON. */
const plain = (value: unknown): any => JSON.parse(JSON.stringify(value));

function irisSpec(overrides: Record<string, unknown> = {}): DatabaseSpec {
  const config = configFromMap({
    "hadb:databases": JSON.stringify([{ engine: "iris", name: "orders", ...overrides }]),
  });
  const [database] = config.databases;
  assert.ok(database);
  return database;
}

describe("quantities and CIDRs", () => {
  it("parses Kubernetes quantities", () => {
    assert.equal(parseQuantity("4Gi"), 4 * 2 ** 30);
    assert.equal(parseQuantity("500m"), 0.5);
    assert.equal(parseQuantity("10G"), 10e9);
    assert.equal(parseQuantity("1.5"), 1.5);
    for (const bad of ["10GB", "Gi", "-1", "1 Gi", ""]) assert.equal(parseQuantity(bad), undefined, bad);
  });

  it("accepts IPv4/IPv6 CIDRs and spots allow-everything ranges", () => {
    for (const good of ["10.0.0.0/8", "203.0.113.7/32", "fd00::/8", "::/0"]) assert.ok(isCidr(good), good);
    for (const bad of ["10.0.0.0", "10.0.0.0/33", "300.0.0.0/8", "fd00::/129", "x/8"])
      assert.ok(!isCidr(bad), bad);
    assert.ok(isWholeInternet("0.0.0.0/0") && isWholeInternet("::/0") && !isWholeInternet("10.0.0.0/8"));
  });
});

describe("Longhorn", () => {
  it("forces replicas onto different zones only when there are enough zones", () => {
    assert.deepEqual(replicaAntiAffinity({ replicas: 3, zones: ["a", "b", "c"] }), {
      node: "hard",
      zone: "hard",
    });
    assert.deepEqual(replicaAntiAffinity({ replicas: 3, zones: ["a", "b"] }), { node: "hard", zone: "soft" });
    assert.deepEqual(replicaAntiAffinity({ replicas: 3, zones: [] }), { node: "hard", zone: "soft" });
  });

  it("chart values: string settings, node-down pod deletion, no default-class takeover", () => {
    const values = plain(longhornValues({ replicas: 3, zones: ["a", "b", "c"] }));
    for (const [key, value] of Object.entries(values.defaultSettings as Record<string, unknown>)) {
      assert.equal(typeof value, "string", `defaultSettings.${key} must be a string for chart >= 1.10`);
    }
    assert.deepEqual(JSON.parse(values.defaultSettings.defaultReplicaCount), { v1: "3", v2: "3" });
    assert.equal(
      values.defaultSettings.nodeDownPodDeletionPolicy,
      "delete-both-statefulset-and-deployment-pod",
    );
    assert.equal(values.defaultSettings.replicaSoftAntiAffinity, "false");
    assert.equal(values.defaultSettings.replicaZoneSoftAntiAffinity, "false");
    assert.equal(values.persistence.defaultClass, false);
    assert.match(LONGHORN_CHART.version, /^\d+\.\d+\.\d+$/);
  });

  it("database StorageClass: replica count, Retain, expandable", () => {
    const storageClass = plain(longhornStorageClass({ name: "hadb-longhorn", replicas: 3 }));
    assert.equal(storageClass.provisioner, "driver.longhorn.io");
    assert.equal(storageClass.parameters.numberOfReplicas, "3");
    assert.equal(storageClass.reclaimPolicy, "Retain");
    assert.equal(storageClass.allowVolumeExpansion, true);
  });
});

describe("failover tolerations", () => {
  it("replace the 300 s defaults for both node failure taints", () => {
    assert.deepEqual(plain(failoverTolerations(15)), [
      { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 15 },
      {
        key: "node.kubernetes.io/unreachable",
        operator: "Exists",
        effect: "NoExecute",
        tolerationSeconds: 15,
      },
    ]);
  });
});

describe("IRIS", () => {
  it("CPF merge carries global buffers, gmheap, extra [config] keys and the application's actions", () => {
    const text = irisCpfMerge(
      {
        globalBuffersMB: 800,
        gmheapKB: 256000,
        cpfConfig: { locksiz: "33554432" },
        namespace: "ORDERS",
        user: "app",
      },
      "/durable/iris",
    );
    assert.equal(
      text,
      [
        "[config]",
        "globals=0,0,800,0,0,0",
        "gmheap=256000",
        "locksiz=33554432",
        "[Actions]",
        'CreateResource:Name=%DB_ORDERS,PublicPermission=""',
        "CreateDatabase:Name=ORDERS,Directory=/durable/iris/mgr/orders/,Resource=%DB_ORDERS",
        "CreateNamespace:Name=ORDERS,Globals=ORDERS,Routines=ORDERS",
        'CreateRole:Name=hadb_app,Resources="%DB_ORDERS:RW,%Service_Bindings:U"',
        "",
      ].join("\n"),
    );
  });

  it("Deployment: one writer, Recreate, durable %SYS, password from the Secret, probes, tolerations", () => {
    const database = irisSpec();
    const deployment = plain(
      irisDeployment(database, irisNames(database, "hadb"), {
        evictionTolerationSeconds: 12,
        credentialsRevision: "r1",
      }),
    );
    assert.equal(deployment.spec.replicas, 1);
    assert.equal(deployment.spec.strategy.type, "Recreate");
    const pod = deployment.spec.template.spec;
    const [container] = pod.containers;
    assert.deepEqual(container.args, [
      "--password-file",
      "/irissys/credentials/admin-password",
      "-a",
      "/bin/sh /irissys/cpf/apply-accounts.sh /irissys/cpf/accounts.script /tmp/hadb-accounts-applied",
    ]);
    const credentials = pod.volumes.find((v: { name: string }) => v.name === "credentials");
    assert.equal(credentials.secret.secretName, "orders-credentials");
    assert.deepEqual(
      credentials.secret.items.map((item: { key: string }) => item.key),
      ["admin-password", "password"],
    );
    // Started only once the application account is applied (apply-accounts.sh writes the marker).
    assert.match(container.startupProbe.exec.command.join(" "), /test -f \/tmp\/hadb-accounts-applied/);
    assert.equal(deployment.spec.template.metadata.annotations["hadb.io/credentials-revision"], "r1");
    const env = Object.fromEntries(
      container.env.map((e: { name: string; value: string }) => [e.name, e.value]),
    );
    assert.equal(env.ISC_DATA_DIRECTORY, "/durable/iris");
    assert.equal(env.ISC_CPF_MERGE_FILE, "/irissys/cpf/merge.cpf");
    assert.ok(!JSON.stringify(deployment).includes('SYS"'), "no literal default password anywhere");
    for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"])
      assert.ok(container[probe], probe);
    assert.match(container.livenessProbe.exec.command.join(" "), /iris qlist IRIS .*running/);
    assert.equal(container.readinessProbe.tcpSocket.port, "superserver");
    assert.deepEqual(
      pod.tolerations.map((t: { tolerationSeconds: number }) => t.tolerationSeconds),
      [12, 12],
    );
    assert.equal(pod.securityContext.fsGroup, 51773);
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(pod.automountServiceAccountToken, false);
    assert.deepEqual(container.resources.requests, container.resources.limits);
  });

  it("a CPF change changes the pod template (IRIS restarts to apply gmheap)", () => {
    const names = (d: DatabaseSpec) => irisNames(d, "hadb");
    const a = irisSpec();
    const b = irisSpec({ iris: { gmheapKB: 512000 } });
    const checksum = (d: DatabaseSpec) =>
      plain(irisDeployment(d, names(d), { evictionTolerationSeconds: 15, credentialsRevision: "" })).spec
        .template.metadata.annotations["hadb.io/cpf-sha256"];
    assert.notEqual(checksum(a), checksum(b));
    // So does a renamed application user (the accounts script is in the same ConfigMap).
    assert.notEqual(checksum(a), checksum(irisSpec({ iris: { user: "orders" } })));
  });

  it("Service is ClusterIP unless a load balancer with an allowlist is configured", () => {
    const privateService = plain(irisService(irisSpec(), irisNames(irisSpec(), "hadb")));
    assert.equal(privateService.spec.type, "ClusterIP");
    assert.deepEqual(
      privateService.spec.ports.map((p: { port: number }) => p.port),
      [IRIS_PORTS.superserver, IRIS_PORTS.webserver],
    );
    const exposed = irisSpec({ exposure: { type: "loadBalancer", allowedSourceRanges: ["10.1.0.0/16"] } });
    const service = plain(irisService(exposed, irisNames(exposed, "hadb")));
    assert.equal(service.spec.type, "LoadBalancer");
    assert.deepEqual(service.spec.loadBalancerSourceRanges, ["10.1.0.0/16"]);
  });

  it("credentials Secret: the application user and its password, the admin account and its password", () => {
    const database = irisSpec();
    const secret = plain(
      irisCredentialsSecret(database, irisNames(database, "hadb"), { app: "a", admin: "s" }),
    );
    assert.deepEqual(secret.stringData, {
      username: "app",
      password: "a",
      "admin-username": "_SYSTEM",
      "admin-password": "s",
    });
    // A redeploy over data kept by destroy writes the new state's passwords over the kept Secret.
    assert.equal(secret.metadata.annotations["pulumi.com/patchForce"], "true");
  });
});

describe("node prep DaemonSet", () => {
  const daemonSet = plain(nodePrepDaemonSet({ namespace: "hadb-node-prep", name: "hadb-node-prep" }));
  const pod = daemonSet.spec.template.spec;

  it("enters the host through PID 1 only: hostPID, no host network/IPC/paths, no API token", () => {
    assert.equal(pod.hostPID, true);
    assert.equal(pod.hostNetwork, undefined);
    assert.equal(pod.hostIPC, undefined);
    assert.ok(pod.volumes.every((v: Record<string, unknown>) => !("hostPath" in v)));
    assert.equal(pod.automountServiceAccountToken, false);
    assert.deepEqual(pod.tolerations, [{ operator: "Exists" }]);
  });

  it("the init container is not privileged and holds an explicit capability list", () => {
    const [init] = pod.initContainers;
    assert.equal(init.securityContext.privileged, false);
    assert.deepEqual(init.securityContext.capabilities.drop, ["ALL"]);
    assert.ok(init.securityContext.capabilities.add.includes("SYS_MODULE"));
    assert.ok(!init.securityContext.capabilities.add.includes("NET_ADMIN"));
    assert.match(init.command.join(" "), /nsenter --target 1 --mount --net -- bash -c "\$script"/);
  });

  it("the long-running container has no privileges at all", () => {
    const [ready] = pod.containers;
    assert.equal(ready.securityContext.runAsNonRoot, true);
    assert.equal(ready.securityContext.allowPrivilegeEscalation, false);
    assert.deepEqual(ready.securityContext.capabilities.drop, ["ALL"]);
  });
});

describe("labels", () => {
  it("recommended labels and image versions as label values", () => {
    const labels = recommendedLabels({
      name: "iris",
      instance: "orders",
      component: "database",
      version: "2026.1",
    });
    assert.equal(labels["app.kubernetes.io/part-of"], "hadb");
    assert.equal(labels["app.kubernetes.io/managed-by"], "pulumi");
    assert.equal(imageVersion("containers.intersystems.com/intersystems/iris-community:2026.1"), "2026.1");
    assert.equal(imageVersion(`repo/iris@sha256:${"a".repeat(64)}`), "sha256-aaaaaaaaaaaa");
  });
});

describe("MySQL", () => {
  const mysql = (overrides: Record<string, unknown> = {}) => {
    const [database] = configFromMap({
      "hadb:databases": JSON.stringify([{ engine: "mysql", name: "shop-db", ...overrides }]),
    }).databases;
    assert.ok(database);
    return database;
  };

  it("durable commits are set explicitly, not left to defaults", () => {
    const config = mysqlServerConfig();
    assert.match(config, /^innodb_flush_log_at_trx_commit=1$/m);
    assert.match(config, /^sync_binlog=1$/m);
  });

  it("Deployment: one writer, data in a subPath, passwords only from the Secret, real probes", () => {
    const database = mysql();
    assert.equal(database.image, "mysql:8.4.11");
    assert.deepEqual(database.mysql, { database: "shop_db", user: "app" });
    const deployment = plain(
      mysqlDeployment(database, mysqlNames(database, "hadb"), {
        evictionTolerationSeconds: 15,
        credentialsRevision: "r1",
      }),
    );
    assert.equal(deployment.spec.replicas, 1);
    assert.equal(deployment.spec.strategy.type, "Recreate");
    const pod = deployment.spec.template.spec;
    const [container] = pod.containers;
    const data = container.volumeMounts.find((m: { name: string }) => m.name === "data");
    assert.deepEqual(data, { name: "data", mountPath: "/var/lib/mysql", subPath: "mysql" });
    for (const env of container.env) {
      if (/PASSWORD/.test(env.name)) {
        assert.equal(env.value, undefined, env.name);
        assert.equal(env.valueFrom.secretKeyRef.name, "shop-db-credentials");
      }
    }
    assert.deepEqual(container.livenessProbe.exec.command, ["mysqladmin", "ping", "--silent"]);
    const readiness = container.readinessProbe.exec.command.join(" ");
    assert.match(readiness, /MYSQL_PWD="\$MYSQL_ROOT_PASSWORD" mysql --protocol=TCP/);
    assert.match(readiness, /SELECT 1/);
    assert.equal(pod.securityContext.fsGroup, 999);
    // The image's entrypoint through start.sh, which adds --init-file on an initialised data directory.
    assert.deepEqual(container.command.slice(3), [
      "hadb-mysql-start",
      "/var/lib/mysql",
      "/etc/hadb/mysql/accounts.sql",
      "mysqld",
    ]);
    const accounts = pod.volumes.find((v: { name: string }) => v.name === "accounts");
    assert.deepEqual(accounts.secret, {
      secretName: "shop-db-credentials",
      items: [{ key: "accounts.sql", path: "accounts.sql" }],
      defaultMode: 0o440,
    });
    assert.equal(deployment.spec.template.metadata.annotations["hadb.io/credentials-revision"], "r1");
    assert.deepEqual(
      pod.tolerations.map((t: { tolerationSeconds: number }) => t.tolerationSeconds),
      [15, 15],
    );
  });

  it("NodePort only when configured, with fixed ports and the allowlist recorded", () => {
    const database = mysql({
      exposure: { type: "nodePort", allowedSourceRanges: ["192.168.56.0/24"], nodePorts: { mysql: 30306 } },
    });
    const service = plain(mysqlService(database, mysqlNames(database, "hadb")));
    assert.equal(service.spec.type, "NodePort");
    assert.deepEqual(service.spec.ports, [
      { name: "mysql", port: 3306, targetPort: "mysql", protocol: "TCP", nodePort: 30306 },
    ]);
    assert.equal(service.metadata.annotations["hadb.io/allowed-source-ranges"], "192.168.56.0/24");
    assert.equal(plain(mysqlService(mysql(), mysqlNames(mysql(), "hadb"))).spec.type, "ClusterIP");
  });

  it("credentials Secret holds app user, app password, root password and the accounts init file", () => {
    const database = mysql();
    const secret = plain(
      mysqlCredentialsSecret(database, mysqlNames(database, "hadb"), {
        root: "r",
        app: "a",
        accountsSql: "SQL",
      }),
    );
    assert.deepEqual(secret.stringData, {
      username: "app",
      password: "a",
      "root-password": "r",
      "accounts.sql": "SQL",
    });
    assert.equal(secret.metadata.annotations["pulumi.com/patchForce"], "true");
  });
});

describe("iSCSI volumes", () => {
  const target = {
    portal: "192.168.56.10:3260",
    iqn: "iqn.2026-11.io.hadb.lab:databases",
    discoveryChap: false,
  };
  it("a PV per database, pre-bound to its claim, on its own LUN, with session CHAP", () => {
    const pv = plain(
      lunPersistentVolume(target, {
        database: "mysql",
        namespace: "hadb",
        claim: "mysql-data",
        size: "10Gi",
        lun: 1,
        fencing: "target-agent",
      }),
    );
    assert.equal(pv.metadata.name, "hadb-iscsi-hadb-mysql");
    // The policy pack reads how the LUN is fenced when its node is lost.
    assert.deepEqual(pv.metadata.annotations, { "hadb.io/fencing": "target-agent" });
    assert.deepEqual(pv.spec.claimRef, { namespace: "hadb", name: "mysql-data" });
    assert.deepEqual(pv.spec.accessModes, ["ReadWriteOnce"]);
    assert.equal(pv.spec.persistentVolumeReclaimPolicy, "Retain");
    assert.deepEqual(pv.spec.iscsi, {
      targetPortal: "192.168.56.10:3260",
      iqn: "iqn.2026-11.io.hadb.lab:databases",
      lun: 1,
      fsType: "ext4",
      readOnly: false,
      chapAuthSession: true,
      chapAuthDiscovery: false,
      secretRef: { name: "hadb-iscsi-chap", namespace: "hadb-iscsi" },
    });
  });

  it("the CHAP Secret has the type and keys the kubelet's iSCSI plugin reads", () => {
    const session = plain(chapSecret({ user: "u", password: "p", discovery: false }));
    assert.equal(session.type, "kubernetes.io/iscsi-chap");
    assert.deepEqual(Object.keys(session.stringData).sort(), [
      "node.session.auth.password",
      "node.session.auth.username",
    ]);
    const both = plain(chapSecret({ user: "u", password: "p", discovery: true }));
    assert.ok("discovery.sendtargets.auth.password" in both.stringData);
  });

  it("accepts IQNs and portals the standard allows and rejects others", () => {
    for (const good of [
      "iqn.2026-11.io.hadb.lab:databases",
      "iqn.1992-08.com.netapp:sn.1",
      `eui.${"0".repeat(16)}`,
    ])
      assert.ok(IQN.test(good), good);
    for (const bad of ["iqn.2026-13.io.hadb", "iqn.26-01.io.hadb", "IQN.2026-01.io.hadb", "naa.123"])
      assert.ok(!IQN.test(bad), bad);
    for (const good of ["10.0.0.5", "10.0.0.5:3260", "target.example.com:860"])
      assert.ok(isPortal(good), good);
    for (const bad of ["10.0.0.256:3260", "10.0.0.5:70000", "http://x", ""]) assert.ok(!isPortal(bad), bad);
  });
});
