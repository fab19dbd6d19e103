#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL cluster: initdb in a new temporary directory,
# the server listening on a Unix socket there only (no TCP port), trust authentication for
# that socket, then COMMAND with TOUSU_TEST_POSTGRES set to a libpq connection string for the
# cluster's "postgres" database. The cluster is stopped and removed when COMMAND ends, however
# it ends; COMMAND's exit status is this script's.
#
#   tests/postgres/with_cluster.sh COMMAND [ARGS...]
#
# PostgreSQL refuses to run as root: as root, the cluster belongs to the "postgres" user that
# Debian's postgresql package creates, and COMMAND still runs as root. fsync is off: these
# clusters hold test data only (the SQLite store's durability has its own tests); with
# TOUSU_PG_DURABLE=1 it stays on, as for a benchmark of durable writes.
set -euo pipefail

if [ $# -eq 0 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  sed -n '2,13p' "$0"
  [ $# -eq 0 ] && exit 2 || exit 0
fi

bindir=$(pg_config --bindir 2>/dev/null || true)
# pg_config (libpq-dev) names the client's directory; the server's is the newest installed.
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/pg_ctl" ]; then
  echo "with_cluster.sh: no PostgreSQL server found (initdb, pg_ctl); run scripts/deps.sh" >&2
  exit 1
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/tousu-pg.XXXXXX")
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || { echo "with_cluster.sh: running as root needs the 'postgres' user" >&2; exit 1; }
  chown postgres: "$dir"
  as_owner=(setpriv --reuid=postgres --regid=postgres --init-groups --)
fi
chmod 700 "$dir"

stop() {
  "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

"${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
  >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
[ "${TOUSU_PG_DURABLE:-0}" = 1 ] && durability=""
# Enough connections for parallel test processes: each tousu server opens a writer and readers.
"${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses='' -k $dir $durability -c max_connections=300" \
  start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }

export TOUSU_TEST_POSTGRES="host=$dir user=postgres dbname=postgres"
status=0
"$@" || status=$?
exit $status
