#!/usr/bin/env bash
# Destroys the lab's VMs (pulumi destroy, or a lab change that needs new VMs).
set -euo pipefail
: "${HADB_LAB_DIR:?}"
if [[ -f "$HADB_LAB_DIR/Vagrantfile" ]] && command -v vagrant >/dev/null 2>&1; then
  cd "$HADB_LAB_DIR"
  vagrant destroy -f
fi
