#!/usr/bin/env bash
# Builds the control-plane binaries of the e2e tier into the tool cache outside the clone
# ($HADB_TOOLS_BIN, default ~/.cache/hadb/bin) from the Go modules pinned in
# test/controlplane/go.mod (Kubernetes), kwok/go.mod (kwok) and etcd/go.mod (etcd), one module each
# because each pins its own versions of shared libraries. Each group is rebuilt only when a binary is
# missing or its go.mod/go.sum (or the Go version) changed, tracked by a hash stamp; the Go build cache
# makes a rebuild cheap.
# Prints the wall time of each group so cold and warm builds can be compared.
#   build.sh [GROUP...]   groups: kubernetes kwok etcd (the control-plane tier, the default) and
#                         kubernetes-node containerd (the real-node tier's kubelet, kube-proxy, runtime)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
bin="${HADB_TOOLS_BIN:-${XDG_CACHE_HOME:-$HOME/.cache}/hadb/bin}"
mkdir -p "$bin"

if ! command -v go >/dev/null 2>&1; then
  echo "build.sh: go is not installed (needs Go >= 1.26)" >&2
  exit 1
fi

# Static, stripped binaries: no cgo toolchain needed, smaller link step.
export CGO_ENABLED=0
export GOFLAGS="-trimpath -buildvcs=false -mod=readonly"
export GOTOOLCHAIN=local

# build_group NAME MODULE_DIR LDFLAGS BINARIES... -- PACKAGES...
build_group() {
  local name="$1" dir="$2" ldflags="$3"
  shift 3
  local binaries=()
  while [[ "$1" != "--" ]]; do
    binaries+=("$1")
    shift
  done
  shift
  local stamp_file="$bin/.stamp-$name"
  local stamp
  stamp="$(cat "$dir/go.mod" "$dir/go.sum" <(go version) <(echo "$ldflags") | sha256sum | cut -d' ' -f1)"
  local missing=0 b
  for b in "${binaries[@]}"; do
    [[ -x "$bin/$b" ]] || missing=1
  done
  if [[ "$missing" == 0 && -f "$stamp_file" && "$(cat "$stamp_file")" == "$stamp" ]]; then
    echo "build.sh: $name up to date (${binaries[*]})"
    return 0
  fi
  local start=$SECONDS
  echo "build.sh: building $name (${binaries[*]}) ..."
  # Built into a temp dir and renamed into place: another checkout building the same group at the same
  # moment never sees (or runs) half-written binaries.
  local tmp
  tmp="$(mktemp -d "$bin/.build-$name.XXXXXX")"
  # One binary: name it (a module path ending in /v3 would name it after "v3"'s parent).
  local out="$tmp/"
  [[ "${#binaries[@]}" == 1 ]] && out="$tmp/${binaries[0]}"
  if ! (cd "$dir" && nice -n 10 go build -ldflags="-s -w $ldflags" -o "$out" "$@"); then
    rm -rf "$tmp"
    return 1
  fi
  for b in "${binaries[@]}"; do mv -f "$tmp/$b" "$bin/$b"; done
  rm -rf "$tmp"
  echo "$stamp" >"$stamp_file.tmp.$$" && mv -f "$stamp_file.tmp.$$" "$stamp_file"
  echo "build.sh: $name built in $((SECONDS - start)) s"
}

# Built as a dependency, Kubernetes reports v0.0.0-master unless its version is stamped in, as its own
# build does (hack/lib/version.sh); kubectl and client version checks read it.
k8s_version="$(cd "$here" && go list -m -f '{{.Version}}' k8s.io/kubernetes)"
k8s_minor="$(echo "$k8s_version" | cut -d. -f2)"
version_flags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  version_flags+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$k8s_minor"
  version_flags+=" -X $pkg.gitTreeState=clean"
done

groups=("$@")
((${#groups[@]} > 0)) || groups=(kubernetes kwok etcd)
total_start=$SECONDS
for group in "${groups[@]}"; do
  case "$group" in
    kubernetes)
      build_group kubernetes "$here" "$version_flags" kube-apiserver kube-controller-manager kube-scheduler kubectl -- \
        k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
        k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
      ;;
    kubernetes-node)
      # Same module and version stamp as the control plane: the nodes run the kubelet it was tested with.
      build_group kubernetes-node "$here" "$version_flags" kubelet kube-proxy -- \
        k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy
      ;;
    containerd)
      # Static too: the guests get the binaries as they are. Without cgo the btrfs snapshotter is left
      # out (overlayfs is what the nodes use).
      build_group containerd "$here/../nodes/containerd" "" containerd containerd-shim-runc-v2 ctr -- \
        github.com/containerd/containerd/v2/cmd/containerd \
        github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2 \
        github.com/containerd/containerd/v2/cmd/ctr
      ;;
    kwok) build_group kwok "$here/kwok" "" kwok -- sigs.k8s.io/kwok/cmd/kwok ;;
    etcd) build_group etcd "$here/etcd" "" etcd -- go.etcd.io/etcd/server/v3 ;;
    *)
      echo "build.sh: unknown group $group (kubernetes kubernetes-node containerd kwok etcd)" >&2
      exit 2
      ;;
  esac
done
echo "build.sh: ${groups[*]} ready in $bin ($((SECONDS - total_start)) s)"
