#!/bin/bash
# Application-consistent backup of one IRIS data volume (run by hadb's backup CronJob):
#   1. freeze IRIS writes: Backup.General.ExternalFreeze() exits 5 when frozen (3 = failed);
#   2. cut a VolumeSnapshot of the data claim and wait until the storage has taken it;
#   3. thaw at once (always, even after a failure), before the snapshot's upload finishes;
#   4. keep the newest HADB_RETAIN snapshots of this claim, delete older ones.
# HADB_EXEC runs a command in the IRIS container (kubectl exec); empty runs `iris` locally (tests).
set -euo pipefail

: "${HADB_NAMESPACE:?}" "${HADB_DEPLOYMENT:?}" "${HADB_CLAIM:?}" "${HADB_SNAPSHOT_CLASS:?}" "${HADB_RETAIN:?}"
HADB_CUT_TIMEOUT_SECONDS="${HADB_CUT_TIMEOUT_SECONDS:-120}"
if [[ -z "${HADB_EXEC+set}" ]]; then
  HADB_EXEC="kubectl -n ${HADB_NAMESPACE} exec deploy/${HADB_DEPLOYMENT} -c iris --"
fi
readonly FROZEN_EXIT=5

log() { printf '%s hadb-iris-backup: %s\n' "$(date -u +%FT%TZ)" "$*" >&2; }

# Runs a Backup.General class method in %SYS; prints nothing, returns the session's exit status.
iris_call() {
  local method=$1 status=0
  # shellcheck disable=SC2086 # HADB_EXEC is a command prefix: word splitting is intended.
  $HADB_EXEC iris session IRIS -U %SYS "##Class(Backup.General).${method}()" >/dev/null 2>&1 || status=$?
  return "$status"
}

thaw() {
  local status=0
  iris_call ExternalThaw || status=$?
  if [[ $status -ne $FROZEN_EXIT ]]; then
    log "ExternalThaw failed (exit $status): IRIS may still be frozen; thaw it by hand"
    return 1
  fi
  log "IRIS thawed"
}

freeze_status=0
iris_call ExternalFreeze || freeze_status=$?
if [[ $freeze_status -ne $FROZEN_EXIT ]]; then
  log "ExternalFreeze failed (exit $freeze_status, expected $FROZEN_EXIT): no snapshot taken"
  thaw || true
  exit 1
fi
log "IRIS frozen"

snapshot="${HADB_CLAIM}-$(date -u +%Y%m%d%H%M%S)"

# Explicit returns: `set -e` does not apply inside a function called as `cut_snapshot || ...`.
cut_snapshot() {
  if ! kubectl -n "$HADB_NAMESPACE" create -f - <<MANIFEST; then
apiVersion: snapshot.storage.k8s.io/v1
kind: VolumeSnapshot
metadata:
  name: ${snapshot}
  labels:
    hadb.io/backup-of: ${HADB_CLAIM}
spec:
  volumeSnapshotClassName: ${HADB_SNAPSHOT_CLASS}
  source:
    persistentVolumeClaimName: ${HADB_CLAIM}
MANIFEST
    log "could not create snapshot ${snapshot}"
    return 1
  fi
  # The snapshot is cut once creationTime is set; uploading the backup continues after the thaw.
  local deadline=$((SECONDS + HADB_CUT_TIMEOUT_SECONDS))
  until [[ -n "$(kubectl -n "$HADB_NAMESPACE" get volumesnapshot "$snapshot" -o jsonpath='{.status.creationTime}')" ]]; do
    if ((SECONDS >= deadline)); then
      log "snapshot ${snapshot} not cut within ${HADB_CUT_TIMEOUT_SECONDS} s"
      return 1
    fi
    sleep 2
  done
}

cut_status=0
cut_snapshot || cut_status=$?

thaw_status=0
thaw || thaw_status=$?
if [[ $cut_status -ne 0 ]]; then
  log "snapshot ${snapshot} failed (exit $cut_status)"
  exit 1
fi
log "snapshot ${snapshot} cut"
[[ $thaw_status -eq 0 ]] || exit 1

# Retention: newest first, delete everything after the first HADB_RETAIN.
mapfile -t old < <(kubectl -n "$HADB_NAMESPACE" get volumesnapshot -l "hadb.io/backup-of=${HADB_CLAIM}" \
  --sort-by=.metadata.creationTimestamp -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' |
  grep -v '^$' | tac | tail -n "+$((HADB_RETAIN + 1))")
for name in "${old[@]}"; do
  kubectl -n "$HADB_NAMESPACE" delete volumesnapshot "$name" --wait=false
  log "deleted old snapshot ${name}"
done
