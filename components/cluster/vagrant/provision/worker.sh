#!/usr/bin/env bash
# A lab worker joins with the join command the host fetched from the control plane
# (`kubeadm token create --print-join-command`: short-lived token + CA hash pinning).
# Inputs: HADB_JOIN_COMMAND (secret, only in the environment), HADB_NODE_IP.
set -euo pipefail
: "${HADB_NODE_IP:?}"
if [[ -f /etc/kubernetes/kubelet.conf ]]; then
  echo "hadb-lab: $(hostname) already joined"
  exit 0
fi
if [[ -z "${HADB_JOIN_COMMAND:-}" ]]; then
  echo "hadb-lab: HADB_JOIN_COMMAND is empty; run the lab through pulumi up" >&2
  exit 1
fi
read -r -a join <<<"$HADB_JOIN_COMMAND"
if [[ "${join[0]:-}" != "kubeadm" || "${join[1]:-}" != "join" ]]; then
  echo "hadb-lab: HADB_JOIN_COMMAND is not a kubeadm join command" >&2
  exit 1
fi
"${join[@]}"
