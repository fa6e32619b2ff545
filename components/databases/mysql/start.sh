#!/bin/sh
# Starts mysqld through the official image's entrypoint (docker-entrypoint.sh, on PATH in the image).
# Usage: start.sh <data directory> <init file> mysqld [options...]
# On an empty data directory the entrypoint creates the accounts itself from the environment, and root
# must not have a password yet, so the init file is left out. On an initialised one the entrypoint sets
# no password at all: --init-file re-applies the accounts with the passwords of this start, which is
# how a rotated password reaches the server (the old one stops working).
set -eu
datadir="$1"
init_file="$2"
shift 2
if [ -d "$datadir/mysql" ]; then
  set -- "$@" "--init-file=$init_file"
fi
exec docker-entrypoint.sh "$@"
