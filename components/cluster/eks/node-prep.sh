#!/bin/bash
# EKS node user data (AL2023): installs and starts the iSCSI initiator and the NFS client before the
# node joins the cluster, so Longhorn / iSCSI volumes can attach from the node's first pod on.
# Runs once per instance as root via cloud-init; EKS appends its own nodeadm NodeConfig part.
set -euo pipefail

# iscsi-initiator-utils is in AL2023 since 2023.1; nfs-utils is usually present (reinstall is a no-op).
dnf install -y iscsi-initiator-utils nfs-utils

# A unique initiator name per node: cloned images must not share one (targets reject duplicates).
if ! grep -q '^InitiatorName=iqn\.' /etc/iscsi/initiatorname.iscsi 2>/dev/null; then
  echo "InitiatorName=$(/sbin/iscsi-iname)" >/etc/iscsi/initiatorname.iscsi
fi

modprobe iscsi_tcp
echo iscsi_tcp >/etc/modules-load.d/hadb-iscsi.conf
systemctl enable --now iscsid
