#!/usr/bin/env bash
# hadb node prep: runs on the HOST (entered with nsenter from the node-prep DaemonSet) and makes the
# node able to mount replicated block storage: open-iscsi installed, iscsi_tcp loaded (now and at
# boot), iscsid enabled and running, NFSv4 client installed (Longhorn RWX volumes and backups).
# Idempotent: a node that is already prepared installs nothing. Exits non-zero unless every check passes,
# so the DaemonSet pod (and so `pulumi up`) only becomes ready on prepared nodes.
set -euo pipefail

# HADB_HOST_ROOT prefixes host file paths; it is empty on nodes and a fake root in hadb's tests.
root="${HADB_HOST_ROOT:-}"
# Package tools live in sbin on RHEL-family hosts; appended so a caller's PATH keeps precedence.
export PATH="${PATH}:/usr/sbin:/sbin"

log() { printf 'hadb-node-prep: %s\n' "$*"; }

if [[ ! -r "$root/etc/os-release" ]]; then
  log "cannot read /etc/os-release: unknown host OS" >&2
  exit 1
fi
# shellcheck source=/dev/null
. "$root/etc/os-release"
os_words=" ${ID:-} ${ID_LIKE:-} "

install_packages() {
  case "$os_words" in
    *" debian "* | *" ubuntu "*)
      if [[ $(dpkg-query -W -f='${Status}\n' open-iscsi nfs-common 2>/dev/null | grep -c 'install ok installed') -eq 2 ]]; then
        log "open-iscsi and nfs-common already installed"
        return
      fi
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -q </dev/null
      apt-get install -y -q --no-install-recommends open-iscsi nfs-common </dev/null
      ;;
    *" amzn "* | *" rhel "* | *" fedora "* | *" centos "*)
      if rpm -q iscsi-initiator-utils nfs-utils >/dev/null 2>&1; then
        log "iscsi-initiator-utils and nfs-utils already installed"
      else
        local pm=yum
        command -v dnf >/dev/null 2>&1 && pm=dnf
        "$pm" install -y -q iscsi-initiator-utils nfs-utils </dev/null
      fi
      # RHEL-family packages ship no initiator name; iscsid refuses to start without one.
      if [[ ! -s "$root/etc/iscsi/initiatorname.iscsi" ]]; then
        mkdir -p "$root/etc/iscsi"
        echo "InitiatorName=$(iscsi-iname)" >"$root/etc/iscsi/initiatorname.iscsi"
      fi
      ;;
    *" suse "* | *" sles "* | *" opensuse "*)
      if rpm -q open-iscsi nfs-client >/dev/null 2>&1; then
        log "open-iscsi and nfs-client already installed"
      else
        zypper --non-interactive --gpg-auto-import-keys install open-iscsi nfs-client </dev/null
      fi
      ;;
    *)
      log "unsupported host OS (ID=${ID:-?} ID_LIKE=${ID_LIKE:-?}); supported: Debian/Ubuntu, RHEL family, Amazon Linux, SUSE" >&2
      exit 1
      ;;
  esac
}

install_packages

# iscsi_tcp must be loaded before iscsid starts; persist it for reboots.
modprobe iscsi_tcp
mkdir -p "$root/etc/modules-load.d"
echo iscsi_tcp >"$root/etc/modules-load.d/hadb-iscsi.conf"
systemctl enable --now iscsid.service

# Checks: readiness means all of these hold right now.
failed=0
systemctl is-active --quiet iscsid.service || { log "iscsid is not running" >&2; failed=1; }
grep -q '^iscsi_tcp ' "$root/proc/modules" || { log "kernel module iscsi_tcp is not loaded" >&2; failed=1; }
command -v iscsiadm >/dev/null 2>&1 || { log "iscsiadm is missing" >&2; failed=1; }
command -v mount.nfs4 >/dev/null 2>&1 || { log "NFSv4 client (mount.nfs4) is missing" >&2; failed=1; }
if [[ $failed -ne 0 ]]; then
  exit 1
fi
log "node ready: open-iscsi installed, iscsid running, iscsi_tcp loaded, NFS client installed"
