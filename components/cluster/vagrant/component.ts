import * as command from "@pulumi/command";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { createHash } from "node:crypto";
import { VAGRANT_TARGET_IQN } from "../../config/iscsi";
import type { VagrantSettings } from "../../config/types";
import type { ClusterHandle, FenceAgentHost } from "../handle";
import { labFiles, labScript, labVms, osdDevicePath, TARGET_VM, type LabSpec } from "./lab";

export interface VagrantClusterArgs {
  settings: VagrantSettings;
  nodeCount: number;
  /** When storage is iSCSI on the lab's own target: LUN (from 1) and size in GB per database. */
  iscsiLuns?: { database: string; lun: number; sizeGB: number }[];
  /** Storage owns raw disks (Rook-Ceph): every node gets one of settings.storageDiskGB. */
  rawDisks: boolean;
}

/**
 * The local lab: `vagrant up` of 3 kubeadm VMs (all schedulable; the single control plane is the lab's
 * accepted single point of failure) and, for storage iscsi, a target VM. `vagrant destroy` on delete.
 */
export class VagrantCluster extends pulumi.ComponentResource {
  readonly handle: ClusterHandle;

  constructor(name: string, args: VagrantClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hadb:cluster:Vagrant", name, {}, opts);
    const luns = args.iscsiLuns ?? [];
    const spec: LabSpec = {
      settings: args.settings,
      nodeCount: args.nodeCount,
      ...(args.rawDisks ? { osdDiskGB: args.settings.storageDiskGB } : {}),
      ...(luns.length > 0
        ? { target: { iqn: VAGRANT_TARGET_IQN, lunSizesGB: luns.map((lun) => lun.sizeGB) } }
        : {}),
    };
    const vms = labVms(spec);
    const files = labFiles(spec);
    const fileEnvironment = Object.fromEntries(
      Object.entries(files).flatMap(([path, content], index) => [
        [`HADB_FILE_${index}_PATH`, path],
        [`HADB_FILE_${index}_B64`, Buffer.from(content).toString("base64")],
      ]),
    );
    const chapUser = "hadb-lab";
    // 16 letters and digits: within what every initiator accepts (12-16) and what tgt-admin survives.
    const chapPassword = spec.target
      ? pulumi.secret(
          new random.RandomPassword(`${name}-chap`, { length: 16, special: false }, { parent: this }).result,
        )
      : undefined;
    const labDirectory = { HADB_LAB_DIR: args.settings.workDir };
    const up = new command.local.Command(
      `${name}-up`,
      {
        interpreter: ["/bin/bash", "-c"],
        create: labScript("lab-up.sh"),
        delete: labScript("lab-down.sh"),
        environment: {
          ...labDirectory,
          ...fileEnvironment,
          HADB_VAGRANT_PROVIDER: args.settings.provider,
          HADB_CONTROL_PLANE_VM: vms.find((vm) => vm.role === "control-plane")?.name ?? "",
          HADB_WORKER_VMS: vms
            .filter((vm) => vm.role === "worker")
            .map((vm) => vm.name)
            .join(" "),
          ...(spec.target ? { HADB_TARGET_VM: TARGET_VM, HADB_ISCSI_CHAP_USER: chapUser } : {}),
        },
        // Secrets travel on stdin (see lab-up.sh); the environment stays plain and reviewable.
        stdin: chapPassword ? pulumi.interpolate`HADB_ISCSI_CHAP_PASSWORD=${chapPassword}\n` : "",
        // New VMs for a changed lab: the old ones go first (same names, same addresses).
        triggers: [createHash("sha256").update(JSON.stringify(files)).digest("hex")],
      },
      { parent: this, deleteBeforeReplace: true },
    );
    // A secret command keeps the kubeconfig out of the console diff as well as out of plain state.
    const fetchKubeconfig = new command.local.Command(
      `${name}-kubeconfig`,
      {
        interpreter: ["/bin/bash", "-c"],
        create: pulumi.secret(
          `cd "$HADB_LAB_DIR" && vagrant ssh ${vms.find((vm) => vm.role === "control-plane")?.name ?? ""} -c 'sudo cat /etc/kubernetes/admin.conf' 2>/dev/null | tr -d '\\r'`,
        ),
        environment: labDirectory,
        triggers: [up.id],
      },
      { parent: this, dependsOn: [up], additionalSecretOutputs: ["stdout"] },
    );
    const kubeconfig = pulumi.secret(fetchKubeconfig.stdout);
    const provider = new k8s.Provider(`${name}-k8s`, { kubeconfig }, { parent: this });
    const target = vms.find((vm) => vm.role === "iscsi-target");
    const controlPlane = vms.find((vm) => vm.role === "control-plane");
    const fenceAgentHost: FenceAgentHost | undefined =
      target && controlPlane
        ? {
            apiServer: `https://${controlPlane.ip}:6443`,
            initiators: vms.filter((vm) => vm !== target).map((vm) => ({ node: vm.name, address: vm.ip })),
            installFenceAgent: (agentName, inputs, agentOpts) =>
              new command.local.Command(
                agentName,
                {
                  interpreter: ["/bin/bash", "-c"],
                  create: labScript("fence-agent-up.sh"),
                  // Best effort: the VM may already be gone when the whole lab is destroyed.
                  delete: `cd "$HADB_LAB_DIR" && vagrant ssh ${target.name} -c 'sudo systemctl disable --now hadb-fence-agent' || true`,
                  environment: {
                    ...labDirectory,
                    HADB_CONTROL_PLANE_VM: controlPlane.name,
                    HADB_TARGET_VM: target.name,
                    HADB_TOKEN_NAMESPACE: inputs.tokenSecret.namespace,
                    HADB_TOKEN_SECRET: inputs.tokenSecret.name,
                    HADB_FENCE_INSTALL_B64: Buffer.from(inputs.installScript).toString("base64"),
                    ...inputs.environment,
                  },
                  // A new lab (new VMs) or a changed agent: install again.
                  triggers: [up.id, createHash("sha256").update(JSON.stringify(inputs)).digest("hex")],
                },
                agentOpts,
              ),
          }
        : undefined;
    this.handle = {
      platform: "vagrant",
      provider,
      kubeconfig,
      zones: [],
      nodeOs: "debian",
      nodeCount: args.nodeCount,
      volumeSnapshots: false,
      nodePreparation: { by: "daemonset" },
      blockDevices: args.rawDisks
        ? { kind: "devices", paths: [osdDevicePath(args.settings.provider)] }
        : { kind: "none", reason: "the lab VMs get a raw disk only for storage rook-ceph" },
      summary: { platform: "vagrant", zones: [], nodeCount: args.nodeCount, nodeImage: args.settings.box },
      ...(target && chapPassword
        ? {
            iscsiTarget: {
              portal: `${target.ip}:3260`,
              iqn: VAGRANT_TARGET_IQN,
              lunByDatabase: Object.fromEntries(luns.map((lun) => [lun.database, lun.lun])),
              chapUser,
              chapPassword,
              // iscsi-target.sh makes tgt demand CHAP for discovery too (same credentials).
              discoveryChap: true,
              ready: [up],
              ...(fenceAgentHost ? { fenceAgentHost } : {}),
            },
          }
        : {}),
    };
    this.registerOutputs({ nodes: vms.map((vm) => `${vm.name} ${vm.ip}`) });
  }
}
