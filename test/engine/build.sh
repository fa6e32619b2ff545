#!/usr/bin/env bash
# Builds the real-engine tier's binaries (npm run test:engine) into the tool cache outside the clone,
# $HADB_TOOLS_BIN/pulumi (default ~/.cache/hadb/bin/pulumi), from Go modules:
#   pulumi                      the Pulumi CLI, github.com/pulumi/pulumi/pkg/v3 at the version pinned in
#                               pulumi/go.mod (the same release as the @pulumi/pulumi npm package);
#   pulumi-resource-kubernetes  the Kubernetes provider, github.com/pulumi/pulumi-kubernetes/provider/v4
#                               at the pseudo-version pinned in kubernetes/go.mod;
#   pulumi-language-nodejs      hadb's STAND-IN Node.js language host (pulumi/nodejs-host);
#   pulumi-resource-random      hadb's STAND-IN random provider (pulumi/random-provider).
# The language host sits next to `pulumi`, where the CLI looks for its bundled hosts. Each group is
# rebuilt only when its inputs change (hash stamp); binaries are stripped and written to a temp name,
# then renamed, so two checkouts building at once do not see half-written files.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
bin="${HADB_TOOLS_BIN:-${XDG_CACHE_HOME:-$HOME/.cache}/hadb/bin}/pulumi"
mkdir -p "$bin"

if ! command -v go >/dev/null 2>&1; then
  echo "engine build.sh: go is not installed (needs Go >= 1.26)" >&2
  exit 1
fi
export CGO_ENABLED=0 GOTOOLCHAIN=local
export GOFLAGS="-trimpath -buildvcs=false -mod=readonly"

# build_group NAME STAMP_INPUT DIR LDFLAGS BINARY=PACKAGE...
build_group() {
  local name="$1" stamp_input="$2" dir="$3" ldflags="$4"
  shift 4
  local stamp missing=0 pair
  stamp="$(printf '%s\n%s\n%s\n' "$stamp_input" "$(go version)" "$ldflags" | sha256sum | cut -d' ' -f1)"
  for pair in "$@"; do
    [[ -x "$bin/${pair%%=*}" ]] || missing=1
  done
  if [[ "$missing" == 0 && "$(cat "$bin/.stamp-$name" 2>/dev/null)" == "$stamp" ]]; then
    echo "engine build.sh: $name up to date"
    return 0
  fi
  local start=$SECONDS tmp
  tmp="$(mktemp -d "$bin/.build-$name.XXXXXX")"
  echo "engine build.sh: building $name ..."
  for pair in "$@"; do
    (cd "$dir" && nice -n 10 go build -ldflags="-s -w $ldflags" -o "$tmp/${pair%%=*}" "${pair#*=}")
  done
  for pair in "$@"; do
    mv -f "$tmp/${pair%%=*}" "$bin/${pair%%=*}"
  done
  rm -rf "$tmp"
  echo "$stamp" >"$bin/.stamp-$name.tmp.$$" && mv -f "$bin/.stamp-$name.tmp.$$" "$bin/.stamp-$name"
  echo "engine build.sh: $name built in $((SECONDS - start)) s"
}

total_start=$SECONDS
cli_dir="$here/pulumi"
cli_version="$(cd "$cli_dir" && go list -m -f '{{.Version}}' github.com/pulumi/pulumi/pkg/v3)"
build_group cli "$(cat "$cli_dir/go.mod" "$cli_dir/go.sum")" "$cli_dir" \
  "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$cli_version" \
  pulumi=github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
build_group standins "$(cat "$cli_dir/go.mod" "$cli_dir/go.sum" "$cli_dir"/nodejs-host/*.go "$cli_dir"/random-provider/*.go)" \
  "$cli_dir" "" pulumi-language-nodejs=./nodejs-host pulumi-resource-random=./random-provider

# The provider's main package embeds schema-embed.json, which upstream generates at release time from
# the shipped schema.json (its generate.go); the module zip has schema.json only. So the main package
# is assembled outside the clone from the module's own files, and generate.go is run as upstream does.
k8s_dir="$here/kubernetes"
k8s_module=github.com/pulumi/pulumi-kubernetes/provider/v4
k8s_version="$(cd "$k8s_dir" && go list -m -f '{{.Version}}' "$k8s_module")"
k8s_stamp="$(cat "$k8s_dir/go.mod" "$k8s_dir/go.sum")"
if [[ ! -x "$bin/pulumi-resource-kubernetes" || "$(cat "$bin/.stamp-kubernetes" 2>/dev/null)" != "$(printf '%s\n%s\n%s\n' "$k8s_stamp" "$(go version)" "-X $k8s_module/pkg/version.Version=${k8s_version#v}" | sha256sum | cut -d' ' -f1)" ]]; then
  (cd "$k8s_dir" && go mod download "$k8s_module")
  src="$(cd "$k8s_dir" && go list -m -f '{{.Dir}}' "$k8s_module")/cmd/pulumi-resource-kubernetes"
  work="$(mktemp -d "${TMPDIR:-/tmp}/hadb-k8s-provider.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  cp "$k8s_dir/go.mod" "$k8s_dir/go.sum" "$src/main.go" "$src/generate.go" "$src/schema.json" \
    "$src/terraform-mapping.json" "$work/"
  chmod u+w "$work"/*
  (cd "$work" && VERSION="${k8s_version#v}" nice -n 10 go run generate.go)
  # The schema the provider serves, kept for tests/engine's check of the SDK's resource types.
  cp "$work/schema-embed.json" "$bin/kubernetes-schema.json.tmp.$$" && mv -f "$bin/kubernetes-schema.json.tmp.$$" "$bin/kubernetes-schema.json"
  build_group kubernetes "$k8s_stamp" "$work" "-X $k8s_module/pkg/version.Version=${k8s_version#v}" \
    pulumi-resource-kubernetes=.
else
  echo "engine build.sh: kubernetes up to date"
fi
echo "engine build.sh: engine ready in $bin ($((SECONDS - total_start)) s)"
