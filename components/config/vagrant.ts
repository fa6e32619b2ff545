// Validation of `hadb:vagrant`, the local lab's settings (cloud vagrant).
import { isCidr } from "./network";
import { isRecord, Problems } from "./problems";
import { VAGRANT_PROVIDERS, type VagrantSettings } from "./types";
import { SELF_MANAGED_CONTROLLER_TIMINGS } from "../failover/timings";

export const VAGRANT_DEFAULTS: VagrantSettings = {
  provider: "virtualbox",
  // Ubuntu 24.04 LTS: open-iscsi and nfs-common are in its archive; box pinned so every lab starts alike.
  box: "bento/ubuntu-24.04",
  boxVersion: "202404.26.0",
  cpus: 2,
  memoryMB: 4096,
  // VirtualBox allows host-only networks in 192.168.56.0/21 without extra configuration.
  network: "192.168.56.0/24",
  workDir: ".vagrant-lab",
  // kubeadm/kubelet/kubectl from pkgs.k8s.io; 1.36 is a supported minor with current patches.
  kubernetesVersion: "1.36.3",
  nodeMonitorGracePeriodSeconds: SELF_MANAGED_CONTROLLER_TIMINGS.nodeMonitorGracePeriodSeconds,
  nodeStatusUpdateFrequencySeconds: SELF_MANAGED_CONTROLLER_TIMINGS.nodeStatusUpdateFrequencySeconds,
  nodeMonitorPeriodSeconds: SELF_MANAGED_CONTROLLER_TIMINGS.nodeMonitorPeriodSeconds,
  // Room for a database volume with 3 copies spread over 3 OSDs, plus Ceph's own overhead.
  storageDiskGB: 20,
};

const KEYS = Object.keys(VAGRANT_DEFAULTS);
/** Missed heartbeats tolerated before a node is declared failed: fewer means false failovers. */
const MIN_MISSED_HEARTBEATS = 4;

export function readVagrant(
  problems: Problems,
  key: string,
  value: unknown,
  nodeCount: number,
): VagrantSettings {
  if (!isRecord(value)) {
    problems.add(key, value, `must be an object with ${KEYS.join(", ")}`);
    return VAGRANT_DEFAULTS;
  }
  problems.unknownKeys(key, value, KEYS);
  const settings: VagrantSettings = { ...VAGRANT_DEFAULTS };
  if (value.provider !== undefined) {
    settings.provider = problems.choice(
      `${key}.provider`,
      value.provider,
      VAGRANT_PROVIDERS,
      {},
      "virtualbox",
    );
  }
  for (const field of ["box", "workDir"] as const) {
    if (value[field] === undefined) continue;
    settings[field] =
      problems.string(`${key}.${field}`, value[field], /^[\w.\-/]+$/, "must be a plain name or path") ??
      settings[field];
  }
  if (value.boxVersion !== undefined) {
    settings.boxVersion =
      problems.string(
        `${key}.boxVersion`,
        value.boxVersion,
        /^\d+(\.\d+){1,3}$/,
        'must be an exact box version, e.g. "202404.26.0"',
      ) ?? settings.boxVersion;
  }
  if (value.kubernetesVersion !== undefined) {
    settings.kubernetesVersion =
      problems.string(
        `${key}.kubernetesVersion`,
        value.kubernetesVersion,
        /^1\.(3[2-9])\.\d+$/,
        'must be an exact Kubernetes release from 1.32 on, e.g. "1.36.3"',
      ) ?? settings.kubernetesVersion;
  }
  if (value.storageDiskGB !== undefined)
    settings.storageDiskGB = problems.integer(`${key}.storageDiskGB`, value.storageDiskGB, 10, 1024, 20);
  if (value.cpus !== undefined) settings.cpus = problems.integer(`${key}.cpus`, value.cpus, 2, 64, 2);
  if (value.memoryMB !== undefined)
    settings.memoryMB = problems.integer(`${key}.memoryMB`, value.memoryMB, 2048, 262144, 4096);
  if (value.network !== undefined) {
    const network = value.network;
    if (
      typeof network !== "string" ||
      !isCidr(network) ||
      !network.endsWith(".0/24") ||
      network.includes(":")
    ) {
      problems.add(
        `${key}.network`,
        network,
        'must be an IPv4 /24 network address for the lab (host part .0, which the iSCSI target ACL needs), e.g. "192.168.56.0/24"',
      );
    } else settings.network = network;
  }
  const grace = value.nodeMonitorGracePeriodSeconds;
  const frequency = value.nodeStatusUpdateFrequencySeconds;
  if (grace !== undefined)
    settings.nodeMonitorGracePeriodSeconds = problems.integer(
      `${key}.nodeMonitorGracePeriodSeconds`,
      grace,
      8,
      300,
      16,
    );
  if (frequency !== undefined) {
    settings.nodeStatusUpdateFrequencySeconds = problems.integer(
      `${key}.nodeStatusUpdateFrequencySeconds`,
      frequency,
      1,
      60,
      4,
    );
  }
  if (value.nodeMonitorPeriodSeconds !== undefined) {
    settings.nodeMonitorPeriodSeconds = problems.integer(
      `${key}.nodeMonitorPeriodSeconds`,
      value.nodeMonitorPeriodSeconds,
      1,
      10,
      1,
    );
  }
  if (
    settings.nodeMonitorGracePeriodSeconds <
    MIN_MISSED_HEARTBEATS * settings.nodeStatusUpdateFrequencySeconds
  ) {
    problems.add(
      `${key}.nodeMonitorGracePeriodSeconds`,
      settings.nodeMonitorGracePeriodSeconds,
      `must be at least ${MIN_MISSED_HEARTBEATS} × nodeStatusUpdateFrequencySeconds (${settings.nodeStatusUpdateFrequencySeconds}): fewer missed heartbeats would fail over on a busy laptop`,
    );
  }
  if (nodeCount > 9)
    problems.add("hadb:nodeCount", nodeCount, "is too large for the Vagrant lab (at most 9 VMs)");
  return settings;
}

/** Lab addresses: the iSCSI target at .10, node i (1-based) at .(10 + i). */
export function labAddress(network: string, host: number): string {
  const prefix = network.split("/")[0]?.split(".").slice(0, 3).join(".") ?? "192.168.56";
  return `${prefix}.${host}`;
}
