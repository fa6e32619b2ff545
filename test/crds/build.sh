#!/usr/bin/env bash
# The schema tier's third-party CRDs, generated from upstream's API Go packages at the pinned versions
# (test/crds/<set>/go.mod), and Longhorn's admission rules compiled from longhorn-manager:
#  - controller-gen and longhorn-rules into the tool cache ($HADB_TOOLS_BIN, default ~/.cache/hadb/bin),
#  - every CRD set of catalog.ts into $HADB_CRDS_CACHE (default ~/.cache/hadb/crds/<module>@<version>/).
# Idempotent and keyed by hash stamps (go.mod, go.sum, Go version), so a warm run costs seconds; safe
# when two run at once: binaries and CRD sets are written to temp paths and renamed into place.
# Needs Go >= 1.26 and the repo's npm dependencies (npm ci). Prints the wall time of each step.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${HADB_TOOLS_BIN:-${XDG_CACHE_HOME:-$HOME/.cache}/hadb/bin}"
mkdir -p "$bin"

if ! command -v go >/dev/null 2>&1; then
  echo "crds/build.sh: go is not installed (needs Go >= 1.26)" >&2
  exit 1
fi

export CGO_ENABLED=0
export GOFLAGS="-trimpath -buildvcs=false -mod=readonly"
export GOTOOLCHAIN=local

# build_tool NAME MODULE_DIR PACKAGE: rebuilt when missing or its module's go.mod/go.sum/Go changed.
build_tool() {
  local name="$1" dir="$2" package="$3"
  local stamp_file="$bin/.stamp-$name"
  local stamp
  stamp="$(cat "$dir/go.mod" "$dir/go.sum" <(go version) <(echo "$package") | sha256sum | cut -d' ' -f1)"
  if [[ -x "$bin/$name" && -f "$stamp_file" && "$(cat "$stamp_file")" == "$stamp" ]]; then
    echo "crds/build.sh: $name up to date"
    return 0
  fi
  local start=$SECONDS tmp
  tmp="$(mktemp "$bin/.$name.XXXXXX")"
  echo "crds/build.sh: building $name ..."
  (cd "$dir" && nice -n 10 go build -ldflags="-s -w" -o "$tmp" "$package")
  chmod 755 "$tmp"
  mv -f "$tmp" "$bin/$name"
  echo "$stamp" >"$stamp_file.$$" && mv -f "$stamp_file.$$" "$stamp_file"
  echo "crds/build.sh: $name built in $((SECONDS - start)) s"
}

total_start=$SECONDS
build_tool controller-gen "$here/controller-gen" sigs.k8s.io/controller-tools/cmd/controller-gen
build_tool longhorn-rules "$here/longhorn" .
# controller-gen type-checks each API package with its module's dependencies: download them first
# (cached in the Go module cache; a no-op when warm).
for mod in "$here"/*/go.mod; do
  (cd "$(dirname "$mod")" && go mod download)
done
start=$SECONDS
(cd "$root" && HADB_TOOLS_BIN="$bin" node --import tsx "$here/generate.ts")
echo "crds/build.sh: CRD sets ready in $((SECONDS - start)) s; all in $((SECONDS - total_start)) s"
