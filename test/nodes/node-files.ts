// What makes a VM a particular node: the files the test hands it through fw_cfg (guest/hadb-node-setup.sh
// unpacks them). Pure builders, so the kubelet's timings and the addresses can be checked without a VM.
import { stringify } from "yaml";
import type { ControllerTimings } from "../../components/failover/timings";
import { GATEWAY, LAB_PREFIX, nodeAddress, POD_CIDR, podSubnet } from "./network";

export const ZONE_LABEL = "topology.kubernetes.io/zone";
/** The lab's node names (the Vagrantfile's). */
export const nodeName = (index: number): string => `hadb-k8s-${index}`;
export const initiatorName = (index: number): string => `iqn.2026-11.io.hadb.lab:${nodeName(index)}`;

export interface NodeFilesInput {
  index: number;
  nodeCount: number;
  serverUrl: string;
  caCert: string;
  kubelet: { cert: string; key: string };
  kubeProxy: { cert: string; key: string };
  timings: ControllerTimings;
}

function kubeconfig(serverUrl: string, user: string, certFile: string, keyFile: string): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "hadb-lab",
        cluster: { server: serverUrl, "certificate-authority": "/etc/kubernetes/pki/ca.crt" },
      },
    ],
    users: [{ name: user, user: { "client-certificate": certFile, "client-key": keyFile } }],
    contexts: [{ name: "hadb-lab", context: { cluster: "hadb-lab", user } }],
    "current-context": "hadb-lab",
  });
}

/** The kubelet's heartbeat as the lab configures it: status every N s, a Lease of 4 N (renewed every N). */
export function kubeletConfig(timings: ControllerTimings): Record<string, unknown> {
  return {
    apiVersion: "kubelet.config.k8s.io/v1beta1",
    kind: "KubeletConfiguration",
    containerRuntimeEndpoint: "unix:///run/containerd/containerd.sock",
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: "/etc/kubernetes/pki/ca.crt" },
    },
    authorization: { mode: "Webhook" },
    readOnlyPort: 0,
    nodeStatusUpdateFrequency: `${timings.nodeStatusUpdateFrequencySeconds}s`,
    nodeLeaseDurationSeconds: 4 * timings.nodeStatusUpdateFrequencySeconds,
    // No DNS in the lab: pods get an empty resolver config rather than the build machine's.
    resolvConf: "/etc/hadb/resolv.conf",
    clusterDomain: "cluster.local",
    // 1.5 GiB VMs: evict only when really short, never the database for a page-cache dip.
    evictionHard: { "memory.available": "50Mi", "nodefs.available": "5%", "imagefs.available": "5%" },
    serializeImagePulls: false,
    rotateCertificates: false,
  };
}

export function kubeProxyConfig(index: number): Record<string, unknown> {
  return {
    apiVersion: "kubeproxy.config.k8s.io/v1alpha1",
    kind: "KubeProxyConfiguration",
    clientConnection: { kubeconfig: "/etc/kubernetes/kube-proxy.conf" },
    mode: "iptables",
    clusterCIDR: POD_CIDR,
    hostnameOverride: nodeName(index),
    // Leave the kernel's conntrack table size alone (a VM, not a production node).
    conntrack: { maxPerCore: 0 },
    metricsBindAddress: "127.0.0.1:10249",
  };
}

/** A bridge on each node with host-local addresses from the node's own /24; routes go node to node. */
export function cniConfig(index: number): Record<string, unknown> {
  return {
    cniVersion: "1.0.0",
    name: "hadb-lab",
    plugins: [
      {
        type: "bridge",
        bridge: "cni0",
        isGateway: true,
        ipMasq: true,
        hairpinMode: true,
        ipam: {
          type: "host-local",
          ranges: [[{ subnet: podSubnet(index) }]],
          routes: [{ dst: "0.0.0.0/0" }],
        },
      },
      { type: "portmap", capabilities: { portMappings: true } },
    ],
  };
}

export function nodeEnv(index: number, nodeCount: number): string {
  const routes = Array.from({ length: nodeCount }, (_, i) => i + 1)
    .filter((other) => other !== index)
    .map((other) => `${podSubnet(other)}@${nodeAddress(other)}`);
  return [
    `NODE_NAME=${nodeName(index)}`,
    `NODE_IP=${nodeAddress(index)}`,
    `NODE_PREFIX=${LAB_PREFIX}`,
    `GATEWAY=${GATEWAY}`,
    `POD_ROUTES="${routes.join(" ")}"`,
    `INITIATOR_NAME=${initiatorName(index)}`,
    `NODE_LABELS=${ZONE_LABEL}=zone-${index},topology.kubernetes.io/region=hadb-lab`,
    "",
  ].join("\n");
}

/** Path (inside the guest) -> content, for the node's fw_cfg tarball. */
export function nodeFiles(input: NodeFilesInput, read: (path: string) => string): Record<string, string> {
  const pki = "/etc/kubernetes/pki";
  return {
    "etc/hadb/node.env": nodeEnv(input.index, input.nodeCount),
    "etc/hadb/resolv.conf": "# hadb lab: no DNS server\n",
    [`${pki.slice(1)}/ca.crt`]: read(input.caCert),
    [`${pki.slice(1)}/kubelet.crt`]: read(input.kubelet.cert),
    [`${pki.slice(1)}/kubelet.key`]: read(input.kubelet.key),
    [`${pki.slice(1)}/kube-proxy.crt`]: read(input.kubeProxy.cert),
    [`${pki.slice(1)}/kube-proxy.key`]: read(input.kubeProxy.key),
    "etc/kubernetes/kubelet.conf": kubeconfig(
      input.serverUrl,
      `system:node:${nodeName(input.index)}`,
      `${pki}/kubelet.crt`,
      `${pki}/kubelet.key`,
    ),
    "etc/kubernetes/kube-proxy.conf": kubeconfig(
      input.serverUrl,
      "system:kube-proxy",
      `${pki}/kube-proxy.crt`,
      `${pki}/kube-proxy.key`,
    ),
    "etc/kubernetes/kubelet-config.yaml": stringify(kubeletConfig(input.timings)),
    "etc/kubernetes/kube-proxy-config.yaml": stringify(kubeProxyConfig(input.index)),
    "etc/cni/net.d/10-hadb-lab.conflist": JSON.stringify(cniConfig(input.index), null, 2),
  };
}
