#!/usr/bin/env bash
# Builds the control-plane binaries of the e2e tier into the tool cache outside the clone
# ($HADB_TOOLS_BIN, default ~/.cache/hadb/bin) from the Go modules pinned in
# test/controlplane/go.mod (Kubernetes), kwok/go.mod (kwok) and etcd/go.mod (etcd), one module each
# because each pins its own versions of shared libraries. Each group is rebuilt only when a binary is
# missing or its go.mod/go.sum (or the Go version) changed, tracked by a hash stamp; the Go build cache
# makes a rebuild cheap.
# Prints the wall time of each group so cold and warm builds can be compared.
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
  # One binary: name it (a module path ending in /v3 would name it after "v3"'s parent).
  local out="$bin/"
  [[ "${#binaries[@]}" == 1 ]] && out="$bin/${binaries[0]}"
  (cd "$dir" && nice -n 10 go build -ldflags="-s -w $ldflags" -o "$out" "$@")
  echo "$stamp" >"$stamp_file"
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

total_start=$SECONDS
build_group kubernetes "$here" "$version_flags" kube-apiserver kube-controller-manager kube-scheduler kubectl -- \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
build_group kwok "$here/kwok" "" kwok -- sigs.k8s.io/kwok/cmd/kwok
build_group etcd "$here/etcd" "" etcd -- go.etcd.io/etcd/server/v3
echo "build.sh: all tools ready in $bin ($((SECONDS - total_start)) s)"
