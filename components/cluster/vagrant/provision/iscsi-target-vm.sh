#!/usr/bin/env bash
# The lab's iSCSI target VM: formats and mounts its data disk, then runs the same target script
# hadb's tests run against a real tgtd (uploaded to /tmp/hadb-iscsi-target.sh by the Vagrantfile).
# Inputs: HADB_BACKING_DIR (the data disk's mount point) and everything iscsi-target.sh documents
#         (HADB_TARGET_IQN, HADB_LUN_SIZES, HADB_PORTAL, HADB_INITIATOR_CIDRS, HADB_CHAP_USER,
#         HADB_CHAP_PASSWORD: secret, only in the environment), passed through unchanged.
set -euo pipefail
: "${HADB_BACKING_DIR:?}"

# The data disk is the one disk that has no partitions and is not mounted.
if ! mountpoint -q "$HADB_BACKING_DIR"; then
  disk=""
  while read -r name type; do
    [[ "$type" == "disk" ]] || continue
    if [[ "$(lsblk -nro NAME "$name" | wc -l)" -eq 1 ]] && ! grep -q "^$name " /proc/mounts; then
      disk="$name"
      break
    fi
  done < <(lsblk -dpno NAME,TYPE)
  if [[ -z "$disk" ]]; then
    echo "hadb-lab: no empty data disk found for the iSCSI backing store" >&2
    exit 1
  fi
  blkid "$disk" >/dev/null 2>&1 || mkfs.ext4 -q -L hadb-iscsi "$disk"
  mkdir -p "$HADB_BACKING_DIR"
  grep -q "LABEL=hadb-iscsi" /etc/fstab || echo "LABEL=hadb-iscsi $HADB_BACKING_DIR ext4 defaults,nofail 0 2" >>/etc/fstab
  mount "$HADB_BACKING_DIR"
fi

exec bash /tmp/hadb-iscsi-target.sh
