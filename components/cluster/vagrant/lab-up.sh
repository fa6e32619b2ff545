#!/usr/bin/env bash
# Runs on the machine where `pulumi up` runs: writes the lab files, boots the target VM (if any) and
# the control plane, fetches a short-lived join command, boots the workers, waits for all nodes.
# Inputs (from the Pulumi Command's environment): HADB_LAB_DIR, HADB_VAGRANT_PROVIDER,
# HADB_CONTROL_PLANE_VM, HADB_WORKER_VMS (space separated), HADB_TARGET_VM (optional),
# HADB_FILE_<n>_PATH / HADB_FILE_<n>_B64 (the lab files). Secrets for the provisioners arrive on stdin
# as KEY=VALUE lines: a secret in the environment would make Pulumi hide the whole (reviewable) environment.
set -euo pipefail
: "${HADB_LAB_DIR:?}" "${HADB_VAGRANT_PROVIDER:?}" "${HADB_CONTROL_PLANE_VM:?}"

while IFS='=' read -r key value; do
  case "$key" in
    HADB_ISCSI_CHAP_PASSWORD) export HADB_ISCSI_CHAP_PASSWORD="$value" ;;
    "") ;;
    *)
      echo "hadb-lab: unexpected secret ${key} on stdin" >&2
      exit 1
      ;;
  esac
done

if ! command -v vagrant >/dev/null 2>&1; then
  echo "hadb-lab: vagrant is not installed (https://developer.hashicorp.com/vagrant/install)" >&2
  exit 1
fi

mkdir -p "$HADB_LAB_DIR"
index=0
while true; do
  path_var="HADB_FILE_${index}_PATH"
  content_var="HADB_FILE_${index}_B64"
  [[ -n "${!path_var:-}" ]] || break
  mkdir -p "$HADB_LAB_DIR/$(dirname "${!path_var}")"
  printf '%s' "${!content_var}" | base64 -d >"$HADB_LAB_DIR/${!path_var}"
  index=$((index + 1))
done
chmod +x "$HADB_LAB_DIR"/provision/*.sh
cd "$HADB_LAB_DIR"

# VirtualBox needs the experimental disks feature for the target VM's data disk.
export VAGRANT_EXPERIMENTAL=disks
up() { vagrant up --provider "$HADB_VAGRANT_PROVIDER" "$@"; }

if [[ -n "${HADB_TARGET_VM:-}" ]]; then
  up "$HADB_TARGET_VM"
fi
up "$HADB_CONTROL_PLANE_VM"

if [[ -n "${HADB_WORKER_VMS:-}" ]]; then
  HADB_JOIN_COMMAND="$(vagrant ssh "$HADB_CONTROL_PLANE_VM" -c 'sudo kubeadm token create --print-join-command --ttl 30m' 2>/dev/null | tr -d '\r')"
  export HADB_JOIN_COMMAND
  read -r -a workers <<<"$HADB_WORKER_VMS"
  up "${workers[@]}"
fi

vagrant ssh "$HADB_CONTROL_PLANE_VM" -c 'sudo kubectl --kubeconfig /etc/kubernetes/admin.conf wait --for=condition=Ready nodes --all --timeout=15m'
echo "hadb-lab: all nodes Ready"
