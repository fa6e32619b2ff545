#!/usr/bin/env bash
# Installs what tests/iscsi-target.test.ts needs on Debian/Ubuntu (CI runs it as root from .ci/run):
#   tgt           user-space iSCSI target (tgtd, tgtadm, tgt-admin): the daemon iscsi-target.sh drives
#   libiscsi-bin  user-space iSCSI initiator tools (iscsi-ls, iscsi-inq, iscsi-readcapacity16) and, through
#                 its dependency libiscsi7, the library the test's block write/read-back goes through
#   python3       loads libiscsi7 with ctypes for that write/read-back (libiscsi-bin ships no dd-like tool)
#   ShellCheck    lints the provisioning scripts (package shellcheck)
# Idempotent: installs only what is missing, so a warm CI machine pays one dpkg query.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-deps.sh: must run as root (apt-get install)" >&2
  exit 1
fi

missing=()
for pkg in tgt libiscsi-bin python3 shellcheck; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

# tgt's maintainer script runs `invoke-rc.d tgt start || exit 1` when /etc/init.d/tgt exists, i.e. on
# every machine without systemd (CI, containers). That would start a tgtd on 0.0.0.0:3260 nobody asked
# for, or fail the install when it cannot start. The test starts its own private tgtd, so services are
# denied for the duration of the install with a policy-rc.d (exit 101 = "action forbidden"; invoke-rc.d
# then skips the start and succeeds). An existing policy-rc.d is kept and restored.
policy=/usr/sbin/policy-rc.d
backup=""
if [ -e "$policy" ]; then
  backup="$(mktemp)"
  cp -p "$policy" "$backup"
fi
restore_policy() {
  if [ -n "$backup" ]; then
    cp -p "$backup" "$policy"
    rm -f "$backup"
  else
    rm -f "$policy"
  fi
}
trap restore_policy EXIT
printf '#!/bin/sh\nexit 101\n' >"$policy"
chmod 0755 "$policy"

apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-test-deps.sh: installed ${missing[*]}"
