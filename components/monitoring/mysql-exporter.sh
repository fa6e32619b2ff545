#!/bin/sh
# The mysqld_exporter pod's init step: creates (or updates) the exporter's own MySQL account, then exits.
# Least privilege: PROCESS and REPLICATION CLIENT (server status, InnoDB and replica state) and SELECT
# on performance_schema only, never on application data; at most 3 connections (mysqld_exporter's
# README). Runs with the database image's mysql client, root's password in MYSQL_PWD (never on a
# command line); the exporter's password comes from HADB_EXPORTER_PASSWORD and reaches mysql on stdin.
# Re-run at every start of the exporter pod, so a new password (or a database restored from another
# stack, or a DR standby promoted later) gets the account as this stack defines it. Waits up to
# HADB_WAIT_SECONDS for the database; the kubelet restarts the step after that.
set -eu
: "${HADB_MYSQL_HOST:?}" "${HADB_MYSQL_PORT:?}" "${HADB_EXPORTER_USER:?}" "${HADB_EXPORTER_PASSWORD:?}" "${MYSQL_PWD:?}"
wait_seconds="${HADB_WAIT_SECONDS:-1800}"
client() { mysql --protocol=TCP -h "$HADB_MYSQL_HOST" -P "$HADB_MYSQL_PORT" -u root "$@"; }

# Access denied is waited out too: during a password rotation the database may still be restarting
# with the old root password. The server's last answer is printed when the wait ends.
waited=0
until last_error=$(client -e "SELECT 1" 2>&1 >/dev/null); do
  if [ "$waited" -ge "$wait_seconds" ]; then
    echo "mysql-exporter-account: $HADB_MYSQL_HOST:$HADB_MYSQL_PORT did not let root in within ${wait_seconds} s: $last_error" >&2
    exit 1
  fi
  sleep 5
  waited=$((waited + 5))
done

# Generated passwords are letters and digits only: safe inside a quoted SQL string.
case "$HADB_EXPORTER_PASSWORD$HADB_EXPORTER_USER" in
  *[!A-Za-z0-9_]*)
    echo "mysql-exporter-account: user and password must be letters, digits and _" >&2
    exit 1
    ;;
esac
account="'$HADB_EXPORTER_USER'@'%'"
client <<SQL
SET SESSION sql_log_bin = 0;
CREATE USER IF NOT EXISTS $account IDENTIFIED BY '$HADB_EXPORTER_PASSWORD' WITH MAX_USER_CONNECTIONS 3;
ALTER USER $account IDENTIFIED BY '$HADB_EXPORTER_PASSWORD' WITH MAX_USER_CONNECTIONS 3;
GRANT PROCESS, REPLICATION CLIENT ON *.* TO $account;
GRANT SELECT ON performance_schema.* TO $account;
SQL
echo "mysql-exporter-account: $account ready on $HADB_MYSQL_HOST"
