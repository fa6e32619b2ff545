#!/usr/bin/env bash
# Every Kubernetes VM of the hadb lab: containerd, kubeadm/kubelet/kubectl (pinned), and what
# replicated and iSCSI storage need on a node (open-iscsi with iscsi_tcp, NFS client).
# Inputs: HADB_K8S_VERSION (e.g. 1.36.3), HADB_NODE_IP (this VM's lab address).
set -euo pipefail
: "${HADB_K8S_VERSION:?}" "${HADB_NODE_IP:?}"
minor="${HADB_K8S_VERSION%.*}"
export DEBIAN_FRONTEND=noninteractive

# kubelet refuses to run with swap on.
swapoff -a
sed -i '/\sswap\s/s/^/#/' /etc/fstab

cat >/etc/modules-load.d/hadb-k8s.conf <<MODULES
overlay
br_netfilter
iscsi_tcp
MODULES
modprobe overlay
modprobe br_netfilter
modprobe iscsi_tcp
cat >/etc/sysctl.d/90-hadb-k8s.conf <<SYSCTL
net.bridge.bridge-nf-call-iptables = 1
net.bridge.bridge-nf-call-ip6tables = 1
net.ipv4.ip_forward = 1
SYSCTL
sysctl --system >/dev/null

apt-get update -q
apt-get install -y -q apt-transport-https ca-certificates curl gpg containerd open-iscsi nfs-common
mkdir -p /etc/containerd
containerd config default >/etc/containerd/config.toml
# kubelet and containerd must agree on the systemd cgroup driver.
sed -i 's/SystemdCgroup = false/SystemdCgroup = true/' /etc/containerd/config.toml
systemctl restart containerd
systemctl enable --now iscsid

install -d -m 0755 /etc/apt/keyrings
curl -fsSL "https://pkgs.k8s.io/core:/stable:/v${minor}/deb/Release.key" | gpg --dearmor --yes -o /etc/apt/keyrings/kubernetes-apt-keyring.gpg
echo "deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] https://pkgs.k8s.io/core:/stable:/v${minor}/deb/ /" >/etc/apt/sources.list.d/kubernetes.list
apt-get update -q
package_version="$(apt-cache madison kubeadm | awk -v v="${HADB_K8S_VERSION}-" 'index($3, v) == 1 {print $3; exit}')"
if [[ -z "$package_version" ]]; then
  echo "hadb-lab: Kubernetes ${HADB_K8S_VERSION} is not in the pkgs.k8s.io v${minor} repository" >&2
  exit 1
fi
apt-get install -y -q "kubelet=${package_version}" "kubeadm=${package_version}" "kubectl=${package_version}"
apt-mark hold kubelet kubeadm kubectl

# The lab network is the VM's second NIC; without this kubelet would advertise the NAT address.
echo "KUBELET_EXTRA_ARGS=--node-ip=${HADB_NODE_IP}" >/etc/default/kubelet
systemctl enable kubelet
