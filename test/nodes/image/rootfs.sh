#!/usr/bin/env bash
# Debootstraps the real-node tier's root filesystems into the cache, keyed by suite and package list:
#   rootfs.sh node|slim|mariadb   -> prints the cached directory
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=test/nodes/image/debian.sh
. "$here/debian.sh"
# shellcheck source=test/nodes/image/packages.sh
. "$here/packages.sh"
: "${HADB_NODES_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/hadb/nodes}"
export HADB_NODES_CACHE

case "${1:-}" in
  node) include="$NODE_PACKAGES" ;;
  slim) include="$SLIM_PACKAGES" ;;
  mariadb) include="$MARIADB_PACKAGES" ;;
  *)
    echo "usage: rootfs.sh node|slim|mariadb" >&2
    exit 2
    ;;
esac
key="$(printf '%s\n' "$DEBIAN_SUITE" "$include" "$DEBOOTSTRAP_RECIPE" | sha256sum | cut -c1-12)"
dir="$HADB_NODES_CACHE/rootfs/$1-$DEBIAN_SUITE-$key"
debootstrap_into "$dir" "$include"
echo "$dir"
