#!/usr/bin/env bash
# The lab's control plane (also schedulable: 3 nodes carry databases and storage replicas).
# Node failure timings come from hadb's failover config: a node silent for
# HADB_NODE_MONITOR_GRACE_SECONDS is marked failed; kubelets report every HADB_NODE_STATUS_SECONDS.
# Inputs: HADB_NODE_IP, HADB_K8S_VERSION, HADB_POD_CIDR, HADB_NODE_MONITOR_GRACE_SECONDS,
#         HADB_NODE_STATUS_SECONDS, HADB_NODE_MONITOR_PERIOD_SECONDS, HADB_FLANNEL_VERSION.
set -euo pipefail
: "${HADB_NODE_IP:?}" "${HADB_K8S_VERSION:?}" "${HADB_POD_CIDR:?}" "${HADB_NODE_MONITOR_GRACE_SECONDS:?}"
: "${HADB_NODE_STATUS_SECONDS:?}" "${HADB_NODE_MONITOR_PERIOD_SECONDS:?}" "${HADB_FLANNEL_VERSION:?}"
export KUBECONFIG=/etc/kubernetes/admin.conf

if [[ ! -f /etc/kubernetes/admin.conf ]]; then
  cat >/root/hadb-kubeadm.yaml <<CONFIG
apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
localAPIEndpoint:
  advertiseAddress: ${HADB_NODE_IP}
nodeRegistration:
  kubeletExtraArgs:
    - name: node-ip
      value: ${HADB_NODE_IP}
  # All lab nodes are schedulable: no control-plane taint.
  taints: []
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
kubernetesVersion: v${HADB_K8S_VERSION}
networking:
  podSubnet: ${HADB_POD_CIDR}
controllerManager:
  extraArgs:
    - name: node-monitor-grace-period
      value: ${HADB_NODE_MONITOR_GRACE_SECONDS}s
    - name: node-monitor-period
      value: ${HADB_NODE_MONITOR_PERIOD_SECONDS}s
---
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: systemd
nodeStatusUpdateFrequency: ${HADB_NODE_STATUS_SECONDS}s
# Lease renewals (every quarter of the duration) are the heartbeat the controller watches.
nodeLeaseDurationSeconds: $((HADB_NODE_STATUS_SECONDS * 4))
CONFIG
  kubeadm init --config /root/hadb-kubeadm.yaml
fi

kubectl apply -f "https://github.com/flannel-io/flannel/releases/download/${HADB_FLANNEL_VERSION}/kube-flannel.yml"
# flannel would otherwise pick the NAT interface every VirtualBox VM shares.
if ! kubectl -n kube-flannel get ds kube-flannel-ds -o jsonpath='{.spec.template.spec.containers[0].args}' | grep -q iface-can-reach; then
  kubectl -n kube-flannel patch ds kube-flannel-ds --type json \
    -p "[{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/0/args/-\",\"value\":\"--iface-can-reach=${HADB_NODE_IP}\"}]"
fi
