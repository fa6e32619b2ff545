#!/bin/sh
# Run by iris-main once IRIS has started (--after): applies hadb's accounts (accounts.ts) through the
# instance owner's terminal, which the InterSystems images authenticate by OS user, and records success
# in a marker the startup probe waits for, so a failure keeps the pod unready and gets it restarted.
# Usage: apply-accounts.sh <ObjectScript file> <marker file>
# The password is read inside IRIS from the mounted Secret: nothing here sees or prints it.
set -u
script="$1"
marker="$2"
rm -f "$marker"
output=$(iris session IRIS -U %SYS <"$script" 2>&1)
status=$?
printf '%s\n' "$output"
case "$output" in
*"hadb: IRIS accounts applied"*)
  : >"$marker"
  exit 0
  ;;
esac
echo "hadb: applying the IRIS accounts failed (iris session exit $status)" >&2
exit 1
