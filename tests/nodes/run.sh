#!/usr/bin/env bash
# npm run test:nodes (the tier's tests) and npm run bench:nodes (the full side-by-side benchmark): the
# real-node tier. Installs what it needs from Debian, builds the control plane, kubelet, kube-proxy and
# containerd from their Go modules and the VM image (all cached outside the clone, keyed by version),
# then runs the given command inside a network namespace made for this run alone: the control plane,
# tgtd, the VMs' bridge and taps and every byte they send stay in it (the host's own network never
# carries any of it). On exit, whatever still runs in that namespace is killed and the namespace deleted.
#   tests/nodes/run.sh test    node:test suites in tests/nodes/
#   tests/nodes/run.sh bench   tools/bench-nodes.ts (arguments after `bench` are passed on)
#   tests/nodes/run.sh fencing tools/bench-fencing-nodes.ts: issue 15's fencing run (arguments passed on)
set -euo pipefail
cd "$(dirname "$0")/../.."
mode="${1:-test}"
shift || true

if [[ "$(id -u)" != 0 ]]; then
  echo "test:nodes: needs root (network namespace, taps, debootstrap, tgtd)" >&2
  exit 1
fi

# Debian packages: QEMU (TCG), debootstrap, qemu-img, iproute2, openssl (certificates), gcc (the pause
# stand-in), python3 (kernel extraction); tgt through the iSCSI component's own installer.
missing=()
for tool in qemu-system-x86:qemu-system-x86_64 qemu-utils:qemu-img debootstrap:debootstrap iproute2:ip \
  openssl:openssl gcc:gcc python3:python3; do
  command -v "${tool#*:}" >/dev/null 2>&1 || missing+=("${tool%%:*}")
done
[[ -e /usr/lib/x86_64-linux-gnu/libc.a ]] || missing+=(libc6-dev)
if ((${#missing[@]} > 0)); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
bash components/storage/iscsi/install-test-deps.sh

step() { printf 'test:nodes: %s (%s s)\n' "$1" "$((SECONDS - start))"; }
start=$SECONDS
# The three root filesystems (cached; debootstrap, mostly downloads and unpacking) alongside the Go builds.
rootfs_pids=()
for tree in node slim mariadb; do
  bash test/nodes/image/rootfs.sh "$tree" >/dev/null &
  rootfs_pids+=("$!")
done
bash test/controlplane/build.sh kubernetes etcd kubernetes-node containerd
step "binaries ready"
for pid in "${rootfs_pids[@]}"; do wait "$pid"; done
step "root filesystems ready"
image="$(bash test/nodes/image/build.sh)"
step "image ready: $image"

ns="hadb-nodes-$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
ip netns add "$ns"
# The control plane lists its temp dirs here (test/controlplane/cluster.ts), for removal if it dies.
# shellcheck source=test/controlplane/leftovers.sh
. test/controlplane/leftovers.sh
pidfile="$(mktemp -t hadb-nodes-pids.XXXXXX)"
cleanup() {
  local pids
  # Everything in the namespace is this run's: it was made above and nothing else joins it.
  for _ in 1 2 3; do
    pids="$(ip netns pids "$ns" 2>/dev/null || true)"
    [[ -z "$pids" ]] && break
    # shellcheck disable=SC2086 # one PID per word
    kill -9 $pids 2>/dev/null || true
    sleep 0.5
  done
  ip netns del "$ns" 2>/dev/null || true
  remove_listed_dirs "$pidfile"
  rm -f "$pidfile"
  [[ -n "${HADB_NODES_KEEP:-}" ]] || rm -rf "/tmp/$ns"-*
}
trap cleanup EXIT
export HADB_NODES_NETNS="$ns" HADB_NODES_IMAGE="$image" HADB_E2E_PIDFILE="$pidfile"

case "$mode" in
  test) ip netns exec "$ns" node --import tsx --test --test-reporter=spec tests/nodes/*.test.ts ;;
  bench) ip netns exec "$ns" node --import tsx tools/bench-nodes.ts "$@" ;;
  fencing) ip netns exec "$ns" node --import tsx tools/bench-fencing-nodes.ts "$@" ;;
  *)
    echo "usage: tests/nodes/run.sh test|bench|fencing [args]" >&2
    exit 2
    ;;
esac
