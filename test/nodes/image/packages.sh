#!/usr/bin/env bash
# The Debian packages of the real-node tier's three root filesystems (sourced by rootfs.sh). Changing a
# list changes its cache key, so the next build debootstraps afresh.
# shellcheck disable=SC2034 # the lists are read by the script that sources this file

# Node VMs: kernel + initramfs, systemd, what the kubelet and kube-proxy call on the host (mount, mkfs,
# blkid, iptables, conntrack, iscsiadm), the iSCSI initiator, the NFS client hadb's node prep checks for,
# runc and the CNI plugins, and QEMU's guest agent (the test's command channel into the VM). Debian's runc 1.1.5 and CNI plugins 1.1.1 work under containerd 2 (CRI
# spec 1.0); Debian's containerd (1.6) does not: kubelet 1.36+ needs the CRI RuntimeConfig call added in
# containerd 2.0, so containerd is built from its Go module (build.sh, group containerd).
NODE_PACKAGES="linux-image-amd64,initramfs-tools,systemd-sysv,udev,kmod,dbus,iproute2,iptables,conntrack,\
ethtool,iputils-ping,socat,netbase,open-iscsi,nfs-common,runc,containernetworking-plugins,e2fsprogs,\
util-linux,mount,procps,psmisc,qemu-guest-agent"

# Stand-in for docker.io/library/debian:12.12-slim (hadb's node-prep init container): a minbase
# Debian of the same release; node prep only needs sh, bash and nsenter from it.
SLIM_PACKAGES="util-linux"

# Stand-in for the MySQL 8.4 image: MariaDB from Debian (same protocol and client tools).
MARIADB_PACKAGES="mariadb-server,mariadb-client,util-linux"
