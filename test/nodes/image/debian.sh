#!/usr/bin/env bash
# Shared by the real-node tier's image builds: the Debian mirror and suite this machine's apt already uses
# (the package registry; no other host is contacted), and a debootstrap into a cached directory.
# Sourced, not run.

# Bump when debootstrap_into changes what it builds (rootfs.sh keys the cache on it, not on this file's
# text, so a comment does not cost a 10-minute rebuild).
# shellcheck disable=SC2034 # read by rootfs.sh, which sources this file
DEBOOTSTRAP_RECIPE=1

# debian_mirror: the first `URIs:` (deb822) or `deb URL` line of the machine's apt sources.
debian_mirror() {
  local uri
  uri="$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)"
  if [[ -z "$uri" ]]; then
    uri="$(grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)"
  fi
  if [[ -z "$uri" ]]; then
    echo "no Debian mirror in this machine's apt sources" >&2
    return 1
  fi
  echo "$uri"
}

# The suite the images are built from: the host's own release, so host-built binaries (glibc) run in them.
DEBIAN_SUITE="$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")"

# debootstrap_into DIR "pkg1,pkg2,...": a minbase Debian of DEBIAN_SUITE with the packages, built in a temp
# dir next to DIR and renamed into place, so a concurrent build or an interrupted one never leaves half a
# tree under DIR. Downloaded .debs are kept in $HADB_NODES_CACHE/debs/<name> for the next build (one
# cache per tree: debootstrap runs that share one would corrupt each other's downloads).
debootstrap_into() {
  local dir="$1" include="$2" tmp mirror
  [[ -f "$dir/.complete" ]] && return 0
  command -v debootstrap >/dev/null 2>&1 || {
    echo "debootstrap is not installed (apt-get install debootstrap)" >&2
    return 1
  }
  mirror="$(debian_mirror)"
  local debs
  debs="$HADB_NODES_CACHE/debs/$(basename "$dir" | cut -d- -f1)"
  mkdir -p "$debs" "$(dirname "$dir")"
  tmp="$(mktemp -d "$dir.tmp.XXXXXX")"
  # shellcheck disable=SC2064 # expand now: the trap must remove this build's own temp dir.
  trap "rm -rf '$tmp'" RETURN
  nice -n 10 debootstrap --variant=minbase --include="$include" --cache-dir="$debs" \
    "$DEBIAN_SUITE" "$tmp" "$mirror" >"$tmp.log" 2>&1 || {
    tail -n 30 "$tmp.log" >&2
    rm -f "$tmp.log"
    return 1
  }
  rm -f "$tmp.log"
  # What went in, with versions: numbers measured on these images cite them.
  # shellcheck disable=SC2016 # a dpkg-query format, not shell
  chroot "$tmp" dpkg-query -W -f '${Package} ${Version}\n' >"$tmp/.packages"
  touch "$tmp/.complete"
  rm -rf "$dir"
  mv "$tmp" "$dir"
}
