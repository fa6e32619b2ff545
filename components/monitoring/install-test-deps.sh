#!/usr/bin/env bash
# Builds the promtool that tests/monitoring-rules.test.ts runs `promtool test rules` with: the Prometheus
# release the pinned kube-prometheus-stack chart deploys (components/monitoring/versions.ts), from its Go
# module (Prometheus 3.x is published as module versions v0.3xx.y), into the tool cache outside the
# clone ($HADB_TOOLS_BIN, default ~/.cache/hadb/bin). Idempotent: a promtool of that version already
# there costs one version check. Safe when another checkout builds it at the same moment: the binary is
# written to a temporary file and renamed into place.
set -euo pipefail
cd "$(dirname "$0")/../.."

version="$(sed -n 's|^export const PROMETHEUS_VERSION = "\([0-9.]*\)";$|\1|p' components/monitoring/versions.ts)"
if [[ -z "$version" ]]; then
  echo "install-test-deps.sh: cannot read PROMETHEUS_VERSION from components/monitoring/versions.ts" >&2
  exit 1
fi
# 3.14.0 -> v0.314.0
IFS=. read -r major minor patch <<<"$version"
module_version="v0.$((major * 100 + minor)).${patch}"
bin="${HADB_TOOLS_BIN:-${XDG_CACHE_HOME:-$HOME/.cache}/hadb/bin}"
if [[ -x "$bin/promtool" ]] && "$bin/promtool" --version 2>&1 | grep -q "promtool, version ${version} "; then
  exit 0
fi
mkdir -p "$bin"
# A throwaway module requiring exactly that version: `go install pkg@version` would also list the
# module's versions, which this machine's module proxy refuses.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(
  cd "$work"
  go mod init hadb.local/promtool-build >/dev/null 2>&1
  go mod edit -require="github.com/prometheus/prometheus@${module_version}"
  # The release's own version string, as its Makefile stamps it (promtool --version shows it).
  CGO_ENABLED=0 nice go build -mod=mod \
    -ldflags "-X github.com/prometheus/common/version.Version=${version}" \
    -o "$work/promtool" github.com/prometheus/prometheus/cmd/promtool
)
mv -f "$work/promtool" "$bin/promtool.tmp.$$"
mv -f "$bin/promtool.tmp.$$" "$bin/promtool"
"$bin/promtool" --version
