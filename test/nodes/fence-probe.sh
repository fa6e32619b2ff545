#!/usr/bin/env bash
# Real-node tier, issue 15's partition test: runs on the node that is cut off from the control plane.
# Every 0.5 s it writes one 4 KiB block of its own marker ("HADBPROBE:<run>:<n>:" repeated) into a file on
# the database's iSCSI volume, with O_DIRECT and O_DSYNC: a write either reaches the LUN before dd exits
# 0, or fails. Logs "<n> <start ns> <end ns> ok|fail <dd's error>" (guest clock) to
# /var/tmp/hadb-fence-probe.log, and "<n> unmounted" when the volume was not mounted there before or right
# after write n;
# stops when /var/tmp/hadb-fence-probe.stop exists or after 3000 writes. The host reads the log through
# the guest agent and looks for the markers in the LUN's backing file (test/nodes/fence-probe.ts).
#   fence-probe.sh <run id: 8 hex digits>
set -u
run="${1:-}"
[[ $run =~ ^[0-9a-f]{8}$ ]] || {
  echo "usage: fence-probe.sh <8 hex digits>" >&2
  exit 2
}
log=/var/tmp/hadb-fence-probe.log
stop=/var/tmp/hadb-fence-probe.stop
rm -f "$log" "$stop"
# The in-tree iSCSI plugin's global mount of the LUN (the pod's volume is a bind mount of it).
mnt="$(awk '$2 ~ /plugins\/kubernetes.io\/iscsi\// {print $2; exit}' /proc/mounts)"
if [[ -z $mnt ]]; then
  echo "no iSCSI volume mounted" >"$log"
  exit 1
fi
n=0
while [[ ! -e $stop ]] && ((n < 3000)); do
  n=$((n + 1))
  # Whether the volume is still mounted there, before and right after the write: once the kubelet
  # unmounts it, the path is a directory on the node's own disk until the kubelet removes it, and a write
  # to it is not a write to the LUN (one check before raced the unmount in a real run).
  mountpoint -q "$mnt" && was_mounted=1 || was_mounted=0
  start="$(date +%s%N)"
  # dd's own error (errno text) is kept: EIO from the disk and EROFS from an aborted journal differ.
  if error="$(yes "HADBPROBE:$run:$n:" | tr -d '\n' |
    dd of="$mnt/.hadb-fence-probe" bs=4096 count=1 seek="$n" iflag=fullblock oflag=direct,dsync \
      conv=notrunc status=none 2>&1)"; then
    result=ok
  else
    result="fail ${error##*: }"
  fi
  end="$(date +%s%N)"
  if ((was_mounted == 0)) || ! mountpoint -q "$mnt"; then echo "$n unmounted" >>"$log"; fi
  echo "$n $start $end ${result//[$'\n']/ }" >>"$log"
  sleep 0.5
done
