#!/bin/bash
# One scheduled backup of a database's data volume (run by hadb's backup CronJobs):
#   1. HADB_FREEZE=iris: freeze IRIS writes; Backup.General.ExternalFreeze() exits 5 when frozen
#      (3 = failed). HADB_FREEZE=none: crash-consistent (MySQL/InnoDB recovers like from a power cut);
#   2. cut a VolumeSnapshot of the data claim and wait until the storage has taken it;
#   3. thaw at once (always, even after a failure), before any upload;
#   4. HADB_COPY=none: the snapshot is the backup (Longhorn's `bak` class uploads it; otherwise a local
#      restore point); keep the newest HADB_RETAIN of this claim, delete older ones.
#      HADB_COPY=restic: copy it off the cluster: a claim cloned from the snapshot is mounted read-only
#      by a restic Job (templates in HADB_COPY_DIR, restic keeps the newest HADB_RETAIN), then the
#      clone, the Job and the snapshot are deleted.
# HADB_EXEC runs a command in the IRIS container (kubectl exec); empty runs `iris` locally (tests).
set -euo pipefail

: "${HADB_NAMESPACE:?}" "${HADB_DEPLOYMENT:?}" "${HADB_CLAIM:?}" "${HADB_SNAPSHOT_CLASS:?}" "${HADB_RETAIN:?}"
HADB_FREEZE="${HADB_FREEZE:-iris}"
HADB_COPY="${HADB_COPY:-none}"
HADB_COPY_DIR="${HADB_COPY_DIR:-/scripts}"
HADB_CUT_TIMEOUT_SECONDS="${HADB_CUT_TIMEOUT_SECONDS:-120}"
HADB_COPY_TIMEOUT_SECONDS="${HADB_COPY_TIMEOUT_SECONDS:-3600}"
HADB_POLL_SECONDS="${HADB_POLL_SECONDS:-2}"
case "$HADB_FREEZE" in iris | none) ;; *)
  echo "HADB_FREEZE must be iris or none, not ${HADB_FREEZE}" >&2
  exit 2
  ;;
esac
case "$HADB_COPY" in none | restic) ;; *)
  echo "HADB_COPY must be none or restic, not ${HADB_COPY}" >&2
  exit 2
  ;;
esac
if [[ -z "${HADB_EXEC+set}" ]]; then
  HADB_EXEC="kubectl -n ${HADB_NAMESPACE} exec deploy/${HADB_DEPLOYMENT} -c iris --"
fi
readonly FROZEN_EXIT=5
# Retention never mixes local restore points with the short-lived snapshots of off-cluster copies.
if [[ $HADB_COPY == none ]]; then label_key="hadb.io/backup-of"; else label_key="hadb.io/copy-of"; fi

log() { printf '%s hadb-volume-backup: %s\n' "$(date -u +%FT%TZ)" "$*" >&2; }

# Runs a Backup.General class method in %SYS; prints nothing, returns the session's exit status.
iris_call() {
  local method=$1 status=0
  # shellcheck disable=SC2086 # HADB_EXEC is a command prefix: word splitting is intended.
  $HADB_EXEC iris session IRIS -U %SYS "##Class(Backup.General).${method}()" >/dev/null 2>&1 || status=$?
  return "$status"
}

thaw() {
  [[ $HADB_FREEZE == iris ]] || return 0
  local status=0
  iris_call ExternalThaw || status=$?
  if [[ $status -ne $FROZEN_EXIT ]]; then
    log "ExternalThaw failed (exit $status): IRIS may still be frozen; thaw it by hand"
    return 1
  fi
  log "IRIS thawed"
}

if [[ $HADB_FREEZE == iris ]]; then
  freeze_status=0
  iris_call ExternalFreeze || freeze_status=$?
  if [[ $freeze_status -ne $FROZEN_EXIT ]]; then
    log "ExternalFreeze failed (exit $freeze_status, expected $FROZEN_EXIT): no snapshot taken"
    thaw || true
    exit 1
  fi
  log "IRIS frozen"
fi

stamp="$(date -u +%Y%m%d%H%M%S)"
snapshot="${HADB_CLAIM}-${stamp}"

# Explicit returns: `set -e` does not apply inside a function called as `cut_snapshot || ...`.
cut_snapshot() {
  if ! kubectl -n "$HADB_NAMESPACE" create -f - <<MANIFEST; then
apiVersion: snapshot.storage.k8s.io/v1
kind: VolumeSnapshot
metadata:
  name: ${snapshot}
  labels:
    ${label_key}: ${HADB_CLAIM}
spec:
  volumeSnapshotClassName: ${HADB_SNAPSHOT_CLASS}
  source:
    persistentVolumeClaimName: ${HADB_CLAIM}
MANIFEST
    log "could not create snapshot ${snapshot}"
    return 1
  fi
  # The snapshot is cut once creationTime is set; uploading a Longhorn backup continues after the thaw.
  local deadline=$((SECONDS + HADB_CUT_TIMEOUT_SECONDS))
  until [[ -n "$(kubectl -n "$HADB_NAMESPACE" get volumesnapshot "$snapshot" -o jsonpath='{.status.creationTime}')" ]]; do
    if ((SECONDS >= deadline)); then
      log "snapshot ${snapshot} not cut within ${HADB_CUT_TIMEOUT_SECONDS} s"
      return 1
    fi
    sleep "$HADB_POLL_SECONDS"
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

if [[ $HADB_COPY == none ]]; then
  # Retention: newest first, delete everything after the first HADB_RETAIN.
  mapfile -t old < <(kubectl -n "$HADB_NAMESPACE" get volumesnapshot -l "${label_key}=${HADB_CLAIM}" \
    --sort-by=.metadata.creationTimestamp -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' |
    grep -v '^$' | tac | tail -n "+$((HADB_RETAIN + 1))")
  for name in "${old[@]}"; do
    kubectl -n "$HADB_NAMESPACE" delete volumesnapshot "$name" --wait=false
    log "deleted old snapshot ${name}"
  done
  exit 0
fi

# Off-cluster copy: the snapshot becomes a read-only clone that a restic Job uploads.
clone="${HADB_CLAIM}-copy-${stamp}"
job="${HADB_DEPLOYMENT}-copy-${stamp}"
cleanup() {
  kubectl -n "$HADB_NAMESPACE" delete job "$job" --ignore-not-found --wait=false >/dev/null || true
  kubectl -n "$HADB_NAMESPACE" delete pvc "$clone" --ignore-not-found --wait=false >/dev/null || true
  kubectl -n "$HADB_NAMESPACE" delete volumesnapshot "$snapshot" --ignore-not-found --wait=false >/dev/null || true
}
trap cleanup EXIT

render() {
  sed -e "s/__CLONE__/${clone}/g" -e "s/__SNAPSHOT__/${snapshot}/g" -e "s/__JOB__/${job}/g" "$1"
}

wait_until() {
  local what=$1 deadline=$((SECONDS + $2))
  shift 2
  until "$@"; do
    if ((SECONDS >= deadline)); then
      log "timed out waiting for ${what}"
      return 1
    fi
    sleep "$HADB_POLL_SECONDS"
  done
}

snapshot_ready() {
  [[ "$(kubectl -n "$HADB_NAMESPACE" get volumesnapshot "$snapshot" -o jsonpath='{.status.readyToUse}')" == true ]]
}

job_state() {
  kubectl -n "$HADB_NAMESPACE" get job "$job" -o jsonpath='{.status.succeeded}/{.status.failed}'
}
job_finished() {
  local state
  state="$(job_state)"
  [[ $state == 1/* || $state == */[1-9]* ]]
}

wait_until "snapshot ${snapshot} to be ready" "$HADB_CUT_TIMEOUT_SECONDS" snapshot_ready
render "${HADB_COPY_DIR}/clone-claim.json" | kubectl -n "$HADB_NAMESPACE" create -f -
render "${HADB_COPY_DIR}/copy-job.json" | kubectl -n "$HADB_NAMESPACE" create -f -
log "copying ${snapshot} off the cluster (job ${job})"
wait_until "job ${job}" "$HADB_COPY_TIMEOUT_SECONDS" job_finished
kubectl -n "$HADB_NAMESPACE" logs "job/${job}" --tail=50 >&2 || true
if [[ "$(job_state)" != 1/* ]]; then
  log "copy of ${snapshot} failed"
  exit 1
fi
log "copy of ${snapshot} stored; clone and snapshot removed"
