#!/bin/bash
# STAND-IN entrypoint of hadb's real-node tier: MariaDB from Debian in place of the MySQL 8.4 image
# (no image registry is reachable here). It honours the part of the official image's contract hadb's
# mysql manifests rely on:
#   - MYSQL_ROOT_PASSWORD (required), MYSQL_DATABASE, MYSQL_USER and MYSQL_PASSWORD from the environment
#     (the Secret), applied once, when the data directory is empty;
#   - root may log in with that password over TCP (the readiness probe) and on the socket (mysqladmin);
#   - the server is the container's main process (exec), as the official image's is;
#   - it runs as whatever non-root user the pod says (hadb: 999, the official image's mysql user);
#   - called as `docker-entrypoint.sh mysqld [options]` (hadb's start script does, adding --init-file on
#     an initialised data directory) or with options only, it starts the server with them; any other
#     command is run as it is.
# Passwords never appear on a command line: the bootstrap SQL goes through stdin.
set -euo pipefail

case "${1:-}" in
  mysqld | mariadbd) shift ;;
  -* | "") ;;
  *) exec "$@" ;;
esac
datadir=/var/lib/mysql
: "${MYSQL_ROOT_PASSWORD:?the stand-in needs MYSQL_ROOT_PASSWORD, as the MySQL image does}"

log() { printf '%s [hadb-stand-in] %s\n' "$(date -u +%FT%TZ)" "$*" >&2; }

# A SQL string literal: backslashes and quotes escaped.
sql_string() {
  local value="${1//\\/\\\\}"
  printf "'%s'" "${value//\'/\'\'}"
}
# shellcheck disable=SC2016 # backquotes of a SQL identifier, not a command substitution
sql_identifier() { printf '`%s`' "${1//\`/\`\`}"; }

if [[ ! -d "$datadir/mysql" ]]; then
  log "empty data directory: initialising"
  mariadb-install-db --datadir="$datadir" --auth-root-authentication-method=normal \
    --skip-test-db --skip-name-resolve >/dev/null
  mariadbd --datadir="$datadir" --skip-networking --socket=/tmp/mysqld-bootstrap.sock &
  bootstrap=$!
  for _ in $(seq 1 600); do
    mariadb-admin --socket=/tmp/mysqld-bootstrap.sock -u root ping --silent >/dev/null 2>&1 && break
    kill -0 "$bootstrap" 2>/dev/null || {
      log "bootstrap server exited"
      exit 1
    }
    sleep 0.5
  done
  root_password="$(sql_string "$MYSQL_ROOT_PASSWORD")"
  # install-db also makes root@127.0.0.1, root@::1 and root@<hostname> without a password; with
  # skip_name_resolve the first would take the probes' TCP logins. Only root@localhost and root@% stay.
  other_roots="$(mariadb --socket=/tmp/mysqld-bootstrap.sock -u root -N -e \
    "SELECT CONCAT('DROP USER ', QUOTE(User), '@', QUOTE(Host), ';') FROM mysql.user WHERE User='root' AND Host<>'localhost'")"
  {
    echo "$other_roots"
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY $root_password;"
    echo "CREATE USER 'root'@'%' IDENTIFIED BY $root_password;"
    echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    if [[ -n "${MYSQL_DATABASE:-}" ]]; then
      echo "CREATE DATABASE IF NOT EXISTS $(sql_identifier "$MYSQL_DATABASE");"
    fi
    if [[ -n "${MYSQL_USER:-}" && -n "${MYSQL_PASSWORD:-}" ]]; then
      echo "CREATE USER $(sql_string "$MYSQL_USER")@'%' IDENTIFIED BY $(sql_string "$MYSQL_PASSWORD");"
      if [[ -n "${MYSQL_DATABASE:-}" ]]; then
        echo "GRANT ALL ON $(sql_identifier "$MYSQL_DATABASE").* TO $(sql_string "$MYSQL_USER")@'%';"
      fi
    fi
    echo "FLUSH PRIVILEGES;"
  } | mariadb --socket=/tmp/mysqld-bootstrap.sock -u root
  MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mariadb-admin --socket=/tmp/mysqld-bootstrap.sock -u root shutdown
  wait "$bootstrap" || true
  log "initialised"
fi

log "starting MariaDB $(mariadbd --version | awk '{print $3}') (stand-in for MySQL)"
exec mariadbd --datadir="$datadir" "$@"
