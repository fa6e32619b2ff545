#!/usr/bin/env bash
# Builds the restic that tests/restic-copy.test.ts runs the copy Job's script with: the version the
# Job's image pins (components/protection/copy.ts), from its Go module, into the tool cache outside
# the clone ($HADB_TOOLS_BIN, default ~/.cache/hadb/bin; Debian's restic is older and lacks the `cat config` exit code 10 the script relies on). Idempotent: a restic
# of that version already there costs one version check.
set -euo pipefail
cd "$(dirname "$0")/../.."

version="$(sed -n 's|^export const RESTIC_IMAGE = "restic/restic:\([0-9.]*\)";$|\1|p' components/protection/copy.ts)"
if [[ -z "$version" ]]; then
  echo "install-test-deps.sh: cannot read RESTIC_IMAGE's version from components/protection/copy.ts" >&2
  exit 1
fi
bin="${HADB_TOOLS_BIN:-${XDG_CACHE_HOME:-$HOME/.cache}/hadb/bin}"
if [[ -x "$bin/restic" ]] && "$bin/restic" version | grep -q "restic ${version} "; then
  exit 0
fi
mkdir -p "$bin"
# A throwaway module requiring exactly that version: `go install pkg@version` would also list the
# module's versions, which this machine's module proxy refuses.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(
  cd "$work"
  go mod init hadb.local/restic-build >/dev/null 2>&1
  go mod edit -require="github.com/restic/restic@v${version}"
  CGO_ENABLED=0 go build -mod=mod -o "$bin/restic" github.com/restic/restic/cmd/restic
)
"$bin/restic" version
