#!/usr/bin/env bash
# Installs the Debian packages tests/chaos-writers.test.ts and tests/app-accounts.test.ts start real
# database servers from: PostgreSQL (initdb + postgres) and MariaDB (mariadb-install-db + mariadbd), and
# openssl (the PostgreSQL server's test certificate). The tests run their own servers on loopback in temp
# dirs, so the packages' system services are kept from starting during the install.
set -euo pipefail

missing=()
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || missing+=(postgresql)
if ! [ -x /usr/sbin/mariadbd ] || ! command -v mariadb-install-db >/dev/null 2>&1; then
  missing+=(mariadb-server)
fi
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
if [ "${#missing[@]}" -eq 0 ]; then
  echo "chaos test deps: already installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "chaos test deps: ${missing[*]} missing; run as root (apt-get install)" >&2
  exit 1
fi

# policy-rc.d exiting 101 tells invoke-rc.d and deb-systemd-invoke not to start services. Created (and
# removed again) only when the machine has none, so an existing policy is left as it is.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi

echo "chaos test deps: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
