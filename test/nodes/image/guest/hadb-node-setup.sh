#!/bin/bash
# First thing a hadb real-node VM runs (hadb-node-setup.service): unpacks the node's own files, which
# the test hands over through QEMU's fw_cfg (certificates, kubeconfigs, kubelet/kube-proxy/CNI config,
# node.env), then sets the address, routes, hostname and initiator name they describe. Everything
# node-specific comes from the test; the disk image is the same for every node.
set -euo pipefail
modprobe qemu_fw_cfg
config=/sys/firmware/qemu_fw_cfg/by_name/opt/io.hadb/node.tar/raw
for _ in $(seq 1 50); do
  [[ -r "$config" ]] && break
  sleep 0.1
done
tar -x --no-same-owner -C / -f "$config"
# shellcheck source=/dev/null
. /etc/hadb/node.env
: "${NODE_NAME:?}" "${NODE_IP:?}" "${NODE_PREFIX:?}" "${GATEWAY:?}" "${INITIATOR_NAME:?}"

echo "$NODE_NAME" >/etc/hostname
hostname "$NODE_NAME"
printf '127.0.0.1 localhost\n%s %s\n' "$NODE_IP" "$NODE_NAME" >/etc/hosts

# The NIC's driver may still be loading (udev runs alongside).
modprobe virtio_net
for _ in $(seq 1 300); do
  [[ -e /sys/class/net/eth0 ]] && break
  sleep 0.1
done
ip link set lo up
ip addr add "$NODE_IP/$NODE_PREFIX" dev eth0
ip link set eth0 up
ip route add default via "$GATEWAY"
# Other nodes' pod networks, "cidr@node-ip" (a flat L2: no overlay needed).
for route in ${POD_ROUTES:-}; do
  ip route add "${route%@*}" via "${route#*@}"
done

# Each node its own initiator name: the target's single-writer check tells sessions apart by it.
echo "InitiatorName=$INITIATOR_NAME" >/etc/iscsi/initiatorname.iscsi

modprobe overlay
modprobe br_netfilter
modprobe iscsi_tcp
sysctl -q -w net.bridge.bridge-nf-call-iptables=1 net.ipv4.ip_forward=1
