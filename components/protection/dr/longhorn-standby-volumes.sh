#!/bin/bash
# Keeps one Longhorn DR (standby) volume per database of the primary site. Runs as a CronJob in the
# standby cluster, whose Longhorn reads the primary's backup target: for every database without a
# standby volume yet, it finds the newest completed backup of the primary's claim (Longhorn labels each
# backup with the claim's namespace and name, "KubernetesStatus") and creates the standby volume from
# it. From then on Longhorn itself restores every newer backup into it, incrementally.
#
# Input: $VOLUMES_FILE, one line per database: <volume> <namespace> <claim> <size-bytes> <replicas>
# Exit: 0 when every volume exists or is waiting for a first backup; non-zero on any API error.
set -euo pipefail

LONGHORN_NAMESPACE="${LONGHORN_NAMESPACE:-longhorn-system}"
VOLUMES_FILE="${VOLUMES_FILE:-/etc/hadb/standby-volumes}"

newest_backup_url() {
  # $1 namespace, $2 claim: URL of the newest Completed backup taken of that claim, or nothing.
  kubectl -n "$LONGHORN_NAMESPACE" get backups.longhorn.io -o json |
    jq -r --arg namespace "$1" --arg claim "$2" '
      [ .items[]
        | select(.status.state == "Completed")
        | select((.status.labels.KubernetesStatus // "{}" | fromjson) as $k
                 | $k.namespace == $namespace and $k.pvcName == $claim) ]
      | sort_by(.status.backupCreatedAt) | last | .status.url // empty'
}

while read -r volume namespace claim size replicas; do
  [ -n "${volume:-}" ] || continue
  existing=$(kubectl -n "$LONGHORN_NAMESPACE" get volumes.longhorn.io "$volume" --ignore-not-found -o name)
  if [ -n "$existing" ]; then
    echo "standby volume $volume exists; Longhorn restores new backups of $namespace/$claim into it"
    continue
  fi
  url=$(newest_backup_url "$namespace" "$claim")
  if [ -z "$url" ]; then
    echo "no completed backup of $namespace/$claim on the target yet; retrying at the next run"
    continue
  fi
  echo "creating standby volume $volume from $url"
  kubectl apply -f - <<VOLUME
apiVersion: longhorn.io/v1beta2
kind: Volume
metadata:
  name: $volume
  namespace: $LONGHORN_NAMESPACE
  labels:
    app.kubernetes.io/managed-by: hadb
    app.kubernetes.io/component: dr-standby-volume
spec:
  fromBackup: "$url"
  Standby: true
  size: "$size"
  numberOfReplicas: $replicas
  accessMode: rwo
  frontend: ""
VOLUME
done <"$VOLUMES_FILE"
