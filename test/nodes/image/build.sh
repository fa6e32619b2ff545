#!/usr/bin/env bash
# Builds the real-node tier's VM image into the cache outside the clone and prints its directory:
#   $HADB_NODES_CACHE/image-<key>/{disk.raw, vmlinux, initrd.img, images.txt, packages.txt}
# <key> hashes everything that goes in (Debian package lists, this directory's files, the built
# binaries' stamps), so a change rebuilds and an unchanged tree costs nothing.
#
# What goes in:
#   - a Debian root filesystem (rootfs.sh node): kernel, systemd, iSCSI initiator, runc, CNI plugins;
#   - kubelet and kube-proxy (test/controlplane/go.mod) and containerd 2 (test/nodes/containerd/go.mod)
#     from the tool cache (test/controlplane/build.sh kubernetes-node containerd);
#   - guest/: the node setup unit (node files from fw_cfg) and the services (QEMU's guest agent, from
#     Debian, is the test's command channel);
#   - STAND-IN container images, built here from Debian packages because no image registry is
#     reachable, already imported into containerd (a host-side containerd unpacks them into the disk):
#       registry.k8s.io/pause:3.10.1         standins/pause.c (the sandbox image)
#       docker.io/library/debian:12.12-slim  a minbase Debian of the same release (node prep's init container)
#       $MARIADB_REF                         MariaDB from Debian standing in for MySQL 8.4 (hadb's image override)
# Needs root (chroot, mknod-preserving copies), debootstrap, gcc, mkfs.ext4 and the Debian mirror
# this machine's apt uses.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
: "${HADB_NODES_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/hadb/nodes}"
: "${HADB_TOOLS_BIN:=${XDG_CACHE_HOME:-$HOME/.cache}/hadb/bin}"
export HADB_NODES_CACHE
# shellcheck source=test/nodes/image/oci.sh
. "$here/oci.sh"

log() { printf 'image/build.sh: %s\n' "$*" >&2; }

if [[ "$(id -u)" != 0 ]]; then
  log "needs root (debootstrap, chroot)"
  exit 1
fi
for bin in kubelet kube-proxy containerd containerd-shim-runc-v2 ctr; do
  if [[ ! -x "$HADB_TOOLS_BIN/$bin" ]]; then
    log "missing $HADB_TOOLS_BIN/$bin: run test/controlplane/build.sh kubernetes-node containerd"
    exit 1
  fi
done

start=$SECONDS
node_rootfs="$(bash "$here/rootfs.sh" node)"
slim_rootfs="$(bash "$here/rootfs.sh" slim)"
mariadb_rootfs="$(bash "$here/rootfs.sh" mariadb)"
log "root filesystems ready ($((SECONDS - start)) s)"

mariadb_version="$(awk '$1 == "mariadb-server" {print $2}' "$mariadb_rootfs/.packages")"
# The stack's image override points here (tests read images.txt). Tag: Debian's package version without
# its epoch, "+" made "_" (a tag allows [A-Za-z0-9_.-] only).
mariadb_tag="${mariadb_version#*:}"
MARIADB_REF="localhost/hadb-stand-in/mariadb:${mariadb_tag//+/_}"

key="$(
  {
    basename -a "$node_rootfs" "$slim_rootfs" "$mariadb_rootfs"
    find "$here" -type f ! -name '*.md' -print0 | sort -z | xargs -0 sha256sum | sed "s|$here/||"
    cat "$HADB_TOOLS_BIN/.stamp-kubernetes-node" "$HADB_TOOLS_BIN/.stamp-containerd" 2>/dev/null || true
    sha256sum "$HADB_TOOLS_BIN"/{kubelet,kube-proxy,containerd,containerd-shim-runc-v2,ctr} | cut -c1-64
  } | sha256sum | cut -c1-12
)"
out="$HADB_NODES_CACHE/image-$key"
if [[ -f "$out/.complete" ]]; then
  echo "$out"
  exit 0
fi
log "building image-$key"
work="$(mktemp -d "$HADB_NODES_CACHE/.image-$key.XXXXXX")"
ctr_pid=""
cleanup() {
  [[ -n "$ctr_pid" ]] && kill "$ctr_pid" 2>/dev/null && wait "$ctr_pid" 2>/dev/null
  mountpoint -q "$work/root/proc" && umount "$work/root/proc"
  rm -rf "$work"
}
trap cleanup EXIT

# ---- stand-in images ---------------------------------------------------------------------------------
stand_in_label() { # JSON labels every stand-in carries
  printf '{"io.hadb.stand-in":"%s","org.opencontainers.image.description":"hadb test stand-in built from Debian packages, NOT the upstream image"}' "$1"
}
mkdir -p "$work/oci" "$work/pause/etc"
gcc -static -Os -s -o "$work/pause/pause" "$here/standins/pause.c"
oci_image "$work/oci/pause.tar" registry.k8s.io/pause:3.10.1 "$work/pause" \
  "{\"Entrypoint\":[\"/pause\"],\"User\":\"65535:65535\",\"Labels\":$(stand_in_label registry.k8s.io/pause:3.10.1)}"

# Image trees: a copy of the cached rootfs without apt's caches, docs and the build marker files.
image_tree() { # image_tree SRC DEST
  cp -a "$1" "$2"
  rm -rf "$2"/var/cache/apt/archives/*.deb "$2"/var/lib/apt/lists/* "$2"/usr/share/doc \
    "$2"/usr/share/man "$2"/usr/share/info "$2/.complete" "$2/.packages"
}
image_tree "$slim_rootfs" "$work/slim"
oci_image "$work/oci/slim.tar" docker.io/library/debian:12.12-slim "$work/slim" \
  "{\"Cmd\":[\"bash\"],\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"],\"Labels\":$(stand_in_label docker.io/library/debian:12.12-slim)}"

image_tree "$mariadb_rootfs" "$work/mariadb"
# The official image's mysql user is 999:999 and hadb's pod runs as that; Debian's is a dynamic id.
# shellcheck disable=SC2016 # expanded by the shell inside the chroot
chroot "$work/mariadb" sh -c 'old=$(id -u mysql); oldg=$(id -g mysql);
  groupmod -g 999 mysql && usermod -u 999 -g 999 mysql &&
  find / -xdev \( -uid "$old" -o -gid "$oldg" \) -exec chown -h 999:999 {} +'
rm -rf "$work/mariadb/var/lib/mysql" "$work/mariadb/run/mysqld"
install -d -o 999 -g 999 -m 0755 "$work/mariadb/var/lib/mysql" "$work/mariadb/run/mysqld"
install -m 0755 "$here/standins/mariadb-entrypoint.sh" "$work/mariadb/usr/local/bin/docker-entrypoint.sh"
install -m 0644 "$here/standins/mariadb.cnf" "$work/mariadb/etc/mysql/mariadb.conf.d/99-hadb-stand-in.cnf"
oci_image "$work/oci/mariadb.tar" "$MARIADB_REF" "$work/mariadb" \
  "{\"Entrypoint\":[\"/usr/local/bin/docker-entrypoint.sh\"],\"User\":\"999:999\",\"ExposedPorts\":{\"3306/tcp\":{}},\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"],\"Labels\":$(stand_in_label "mysql:8.4 (MariaDB $mariadb_version)")}"
rm -rf "$work/pause" "$work/slim" "$work/mariadb"
log "stand-in images built ($((SECONDS - start)) s)"

# ---- node root filesystem ----------------------------------------------------------------------------
root="$work/root"
cp -a "$node_rootfs" "$root"
rm -f "$root/.complete"
mv "$root/.packages" "$work/packages.txt"
install -m 0755 "$HADB_TOOLS_BIN"/{kubelet,kube-proxy,containerd,containerd-shim-runc-v2,ctr} "$root/usr/local/bin/"
install -m 0755 "$here/guest/hadb-node-setup.sh" "$root/usr/local/sbin/hadb-node-setup"
install -D -m 0644 "$here/guest/containerd-config.toml" "$root/etc/containerd/config.toml"
install -m 0644 "$here"/guest/systemd/*.service "$root/etc/systemd/system/"
mkdir -p "$root/etc/kubernetes" "$root/etc/cni/net.d" "$root/var/lib/kubelet" "$root/etc/hadb"
echo "/dev/vda / ext4 rw,noatime 0 1" >"$root/etc/fstab"
systemctl --root="$root" enable hadb-node-setup containerd kubelet kube-proxy iscsid.socket >/dev/null 2>&1
# Nothing periodic or interactive competes with the node's work under emulation.
systemctl --root="$root" mask apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer \
  e2scrub_reap.service getty@tty1.service open-iscsi.service nfs-client.target rpcbind.service \
  rpcbind.socket >/dev/null 2>&1
# Serial console login for debugging a VM by hand (the console is a file the test keeps).
mkdir -p "$root/etc/systemd/system/serial-getty@ttyS0.service.d"
# shellcheck disable=SC2016 # $TERM is for systemd to expand
printf '[Service]\nExecStart=\nExecStart=-/sbin/agetty --autologin root --keep-baud 115200 %%I $TERM\n' \
  >"$root/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf"

# A small initramfs: only what mounts the root disk (the default, MODULES=most, takes seconds to unpack).
printf 'virtio_pci\nvirtio_blk\next4\n' >"$root/etc/initramfs-tools/modules"
sed -i 's/^MODULES=.*/MODULES=list/; s/^COMPRESS=.*/COMPRESS=gzip/' "$root/etc/initramfs-tools/initramfs.conf"
mount -t proc proc "$root/proc"
kernel_version="$(basename "$(ls -d "$root"/lib/modules/*)")"
chroot "$root" update-initramfs -c -k "$kernel_version" >/dev/null 2>&1 ||
  chroot "$root" update-initramfs -u -k "$kernel_version" >/dev/null
umount "$root/proc"
cp "$root/boot/initrd.img-$kernel_version" "$work/initrd.img"
python3 "$here/extract-vmlinux.py" "$root/boot/vmlinuz-$kernel_version" "$work/vmlinux"

# ---- images into containerd, on the host --------------------------------------------------------------
# A private containerd (its own root inside the node tree, own socket, no CRI, no network) unpacks the
# stand-ins into the overlayfs snapshotter exactly as the node's would after `ctr images import`.
mkdir -p "$work/ctr"
cat >"$work/ctr/config.toml" <<CONFIG
version = 3
root = "$root/var/lib/containerd"
state = "$work/ctr/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.cri.v1.runtime", "io.containerd.cri.v1.images", "io.containerd.nri.v1.nri"]
[grpc]
  address = "$work/ctr/containerd.sock"
[ttrpc]
  address = "$work/ctr/containerd.sock.ttrpc"
CONFIG
"$HADB_TOOLS_BIN/containerd" --config "$work/ctr/config.toml" >"$work/ctr/log" 2>&1 &
ctr_pid=$!
for _ in $(seq 1 100); do
  [[ -S "$work/ctr/containerd.sock" ]] && break
  sleep 0.1
done
for image in pause slim mariadb; do
  "$HADB_TOOLS_BIN/ctr" -a "$work/ctr/containerd.sock" -n k8s.io images import --snapshotter overlayfs \
    "$work/oci/$image.tar" >/dev/null 2>>"$work/ctr/log"
done
"$HADB_TOOLS_BIN/ctr" -a "$work/ctr/containerd.sock" -n k8s.io images ls -q 2>>"$work/ctr/log" | sort >"$work/images.txt"
# The kubelet never garbage-collects a pinned sandbox image; the others are in use or re-imported.
kill "$ctr_pid"
wait "$ctr_pid" 2>/dev/null || true
ctr_pid=""
rm -rf "$work/ctr" "$work/oci"
echo "mariadb $MARIADB_REF" >>"$work/images.txt"
log "images imported ($((SECONDS - start)) s)"

# ---- disk --------------------------------------------------------------------------------------------
# ext4 made straight from the tree (no loop mount); sparse, so the unused space costs nothing.
mkfs.ext4 -q -F -L hadb-node -d "$root" -E lazy_itable_init=1,lazy_journal_init=1 "$work/disk.raw" 6G >&2
rm -rf "$root"
touch "$work/.complete"
rm -rf "$out"
mv "$work" "$out"
trap - EXIT
# Older images: keep the previous one (a run may still use it), drop the rest (~2 GB each).
find "$HADB_NODES_CACHE" -maxdepth 1 -name 'image-*' -type d -printf '%T@ %p\n' | sort -rn | tail -n +3 |
  cut -d' ' -f2- | xargs -r rm -rf
log "image-$key ready in $((SECONDS - start)) s"
echo "$out"
