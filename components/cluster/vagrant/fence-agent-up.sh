#!/usr/bin/env bash
# Runs on the machine where `pulumi up` runs, in the lab folder: installs hadb's fence agent on the lab's
# iSCSI target VM. Reads the agent's ServiceAccount token (waiting up to 60 s for Kubernetes to fill it
# in) and the cluster CA on the control-plane VM, then streams them with the agent's files and its
# installer (components/storage/iscsi/fence-agent/install.sh) to the target VM over `vagrant ssh`: the
# token goes from VM to VM through this process, never into Pulumi's state or a file here.
# Inputs: HADB_LAB_DIR, HADB_CONTROL_PLANE_VM, HADB_TARGET_VM, HADB_TOKEN_NAMESPACE, HADB_TOKEN_SECRET,
# HADB_FENCE_INSTALL_B64 (install.sh) and the installer's HADB_FENCE_*_B64 inputs.
set -euo pipefail
: "${HADB_LAB_DIR:?}" "${HADB_CONTROL_PLANE_VM:?}" "${HADB_TARGET_VM:?}" "${HADB_TOKEN_NAMESPACE:?}"
: "${HADB_TOKEN_SECRET:?}" "${HADB_FENCE_INSTALL_B64:?}"
cd "$HADB_LAB_DIR"
on_control_plane() { vagrant ssh "$HADB_CONTROL_PLANE_VM" -c "$1" 2>/dev/null | tr -d '\r'; }

token=""
for ((try = 0; try < 30; try++)); do
  token="$(on_control_plane "sudo kubectl --kubeconfig /etc/kubernetes/admin.conf -n $HADB_TOKEN_NAMESPACE get secret $HADB_TOKEN_SECRET -o jsonpath='{.data.token}'" | base64 -d 2>/dev/null || true)"
  [[ -z $token ]] || break
  sleep 2
done
if [[ -z $token ]]; then
  echo "hadb-lab: the fence agent's token ($HADB_TOKEN_NAMESPACE/$HADB_TOKEN_SECRET) was not filled in within 60 s" >&2
  exit 1
fi
ca_b64="$(on_control_plane 'sudo base64 -w0 /etc/kubernetes/pki/ca.crt')"
# Both are written into single-quoted shell lines below: only their own alphabets may pass.
if ! [[ $token =~ ^[A-Za-z0-9._-]+$ && $ca_b64 =~ ^[A-Za-z0-9+/=]+$ ]]; then
  echo "hadb-lab: the fence agent's token or the cluster CA read from $HADB_CONTROL_PLANE_VM is malformed" >&2
  exit 1
fi

{
  # Values are base64 or a JWT: safe inside single quotes.
  for var in $(compgen -v | grep -E '^HADB_FENCE_[A-Z_]+_B64$' | grep -v '^HADB_FENCE_INSTALL_B64$'); do
    printf "export %s='%s'\n" "$var" "${!var}"
  done
  printf "export HADB_FENCE_CA_B64='%s'\n" "$ca_b64"
  printf "export HADB_FENCE_TOKEN='%s'\n" "$token"
  base64 -d <<<"$HADB_FENCE_INSTALL_B64"
} | vagrant ssh "$HADB_TARGET_VM" -c 'sudo bash -s'
