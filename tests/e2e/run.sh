#!/usr/bin/env bash
# npm run test:e2e: the real-control-plane tier. Installs what it needs from Debian (openssl, for the
# per-run certificates), builds the control-plane binaries (etcd, Kubernetes, kwok) when missing
# (test/controlplane/build.sh: Go build cache + hash stamps, so a warm run costs nothing) and the
# upstream-generated CRDs (test/crds/build.sh), then runs the
# node:test suites in tests/e2e/. Every process the suites start is stopped by its PID; if the test
# process itself dies, the PIDs (temp dirs, network namespaces) it recorded are killed (removed) here on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."

usage="usage: npm run test:e2e [-- TEST_FILE...]   (builds the control plane when missing, then runs tests/e2e/ or the given test files)"
for arg in "$@"; do
  case "$arg" in
    -h | --help | help)
      echo "$usage"
      exit 0
      ;;
    *.test.ts) [[ -f "$arg" ]] || {
      echo "no test file $arg" >&2
      exit 2
    } ;;
    *)
      echo "unknown argument $arg" >&2
      echo "$usage" >&2
      exit 2
      ;;
  esac
done

missing=()
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
if ((${#missing[@]} > 0)); then
  if [[ "$(id -u)" != 0 ]]; then
    echo "test:e2e: needs the Debian packages ${missing[*]} (run as root to install them)" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

bash test/controlplane/build.sh
# Third-party CRDs generated from upstream's API Go modules (+ Longhorn's rules program), cached by version.
bash test/crds/build.sh

# shellcheck source=test/controlplane/leftovers.sh
. test/controlplane/leftovers.sh
pidfile="$(mktemp -t hadb-e2e-pids.XXXXXX)"
export HADB_E2E_PIDFILE="$pidfile"
cleanup() {
  local line
  # Processes first: only live ones of this tier, whose arguments name the run's temp dirs
  # (hadb-cp-*, hadb-etcd-*), so a recycled PID running something else is left alone.
  while read -r line; do
    if [[ "$line" =~ ^[0-9]+$ && -r "/proc/$line/cmdline" ]] &&
      tr '\0' ' ' <"/proc/$line/cmdline" | grep -qE 'hadb-(cp|etcd)-'; then
      kill -9 "$line" 2>/dev/null || true
    fi
  done <"$pidfile"
  # Then the temp dirs of control planes that were not stopped.
  remove_listed_dirs "$pidfile"
  # Then the network namespaces and host links of control planes run in their own namespace
  # (test/controlplane/netns.ts), by the names recorded (only names of that shape).
  while read -r line; do
    case "$line" in
      netns:hadb-site-*) ip netns del "${line#netns:}" 2>/dev/null || true ;;
      link:hadbs*h) ip link del "${line#link:}" 2>/dev/null || true ;;
    esac
  done <"$pidfile"
  rm -f "$pidfile"
}
trap cleanup EXIT

# Test files: the arguments (tests/engine/run.sh passes its own), else tests/e2e's.
if (($# > 0)); then files=("$@"); else files=(tests/e2e/*.test.ts); fi
node --import tsx --test --test-reporter=spec "${files[@]}"
