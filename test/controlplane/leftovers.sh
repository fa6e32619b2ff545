#!/usr/bin/env bash
# Sourced by the tiers' runners (tests/e2e/run.sh, tests/nodes/run.sh): removes the temp dirs a control
# plane listed in the run's pid file (`dir:<path>` lines, test/controlplane/cluster.ts) when the test
# process died before removing them itself. Only hadb-cp-* and hadb-etcd-* paths are ever removed.
remove_listed_dirs() {
  local line
  while read -r line; do
    case "$line" in
      dir:*/hadb-cp-* | dir:*/hadb-etcd-*) rm -rf "${line#dir:}" ;;
    esac
  done <"$1"
}
