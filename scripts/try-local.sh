#!/usr/bin/env bash
# Try pgmux on your machine with nothing else running.
#
#   scripts/try-local.sh
#
# What it does:
#   1. builds proxy-cli/target/pgmux.jar if it is missing (mvn -q package -DskipTests);
#   2. starts a throwaway PostgreSQL cluster in a temporary directory, on a free port on 127.0.0.1
#      (when run as root, PostgreSQL runs as the unprivileged system user "pgmuxbench", created if missing);
#   3. creates the role app (password "app", stored as SCRAM) and the database app;
#   4. writes a pgmux configuration (listen 127.0.0.1:6432, transaction pooling, user app/app,
#      a tenant with pool_size 5, app allowed on the admin console) and runs pgmux in the foreground;
#   5. on Ctrl-C (or any exit) stops pgmux and PostgreSQL and deletes the temporary directory.
#
# Needs: Java 17+, PostgreSQL server binaries (initdb, pg_ctl, postgres; version 15 is what we test with),
# and Maven only if the jar has not been built yet.
# Environment: PG_BIN=/path/to/postgresql/bin picks the PostgreSQL binaries; PGMUX_PORT (default 6432);
# PGMUX_METRICS_PORT for /metrics and /health (default 9930, or a free port when 9930 is taken);
# PGMUX_JAR runs another jar than proxy-cli/target/pgmux.jar.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAR=${PGMUX_JAR:-"$REPO/proxy-cli/target/pgmux.jar"}
PGMUX_PORT=${PGMUX_PORT:-6432}
PG_OS_USER=pgmuxbench # only used when this script runs as root

say() { printf 'try-local: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# --- find the PostgreSQL binaries -------------------------------------------------------------------------
find_pg_bin() {
    local dir
    for dir in "${PG_BIN:-}" /usr/lib/postgresql/15/bin; do
        [[ -n $dir && -x $dir/initdb && -x $dir/pg_ctl ]] && { echo "$dir"; return; }
    done
    if command -v pg_config >/dev/null 2>&1; then
        dir=$(pg_config --bindir)
        [[ -x $dir/initdb && -x $dir/pg_ctl ]] && { echo "$dir"; return; }
    fi
    if command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
        return
    fi
    for dir in /usr/lib/postgresql/*/bin /usr/local/pgsql/bin; do
        [[ -x $dir/initdb && -x $dir/pg_ctl ]] && { echo "$dir"; return; }
    done
    return 1
}
PG_BIN=$(find_pg_bin) || die "no PostgreSQL server binaries found (initdb, pg_ctl); install PostgreSQL 15 or set PG_BIN"

command -v java >/dev/null 2>&1 || die "java not found; install a Java 17+ runtime"

# shellcheck source=scripts/lib/ports.sh
source "$REPO/scripts/lib/ports.sh"

port_listening "$PGMUX_PORT" && die "127.0.0.1:$PGMUX_PORT is already in use (another pgmux or PgBouncer?); stop it or set PGMUX_PORT"
if [[ -n ${PGMUX_METRICS_PORT:-} ]]; then
    port_listening "$PGMUX_METRICS_PORT" && die "127.0.0.1:$PGMUX_METRICS_PORT (PGMUX_METRICS_PORT) is already in use"
elif port_listening 9930; then
    PGMUX_METRICS_PORT=$(free_port)
else
    PGMUX_METRICS_PORT=9930
fi

# --- build ------------------------------------------------------------------------------------------------
if [[ ! -f $JAR ]]; then
    command -v mvn >/dev/null 2>&1 || die "$JAR is missing and mvn is not installed to build it"
    say "building pgmux (mvn -q package -DskipTests) ..."
    (cd "$REPO" && mvn -q package -DskipTests)
    [[ -f $JAR ]] || die "the build did not produce $JAR"
fi

# --- run PostgreSQL as an unprivileged user ---------------------------------------------------------------
if [[ $EUID -eq 0 ]]; then
    if ! id "$PG_OS_USER" >/dev/null 2>&1; then
        say "creating system user $PG_OS_USER (PostgreSQL refuses to run as root)"
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_OS_USER"
    fi
    as_pg() { runuser -u "$PG_OS_USER" -- "$@"; }
else
    as_pg() { "$@"; }
fi

TMP=""
PGDATA_DIR=""
PGMUX_PID=""

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [[ -n $PGMUX_PID ]] && kill -0 "$PGMUX_PID" 2>/dev/null; then
        say "stopping pgmux (pid $PGMUX_PID)"
        kill -TERM "$PGMUX_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$PGMUX_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$PGMUX_PID" 2>/dev/null || true
        wait "$PGMUX_PID" 2>/dev/null || true
    fi
    if [[ -n $PGDATA_DIR && -f $PGDATA_DIR/postmaster.pid ]]; then
        say "stopping PostgreSQL"
        as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t 30 stop >/dev/null 2>&1 \
            || say "warning: pg_ctl stop failed; see $TMP/postgres.log"
    fi
    if [[ -n $TMP && -d $TMP ]]; then
        rm -rf "$TMP"
        say "removed $TMP"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

TMP=$(mktemp -d "${TMPDIR:-/tmp}/pgmux-try.XXXXXX")
[[ $EUID -eq 0 ]] && chown "$PG_OS_USER" "$TMP"
PGDATA_DIR="$TMP/data"
PG_PORT=$(free_port) || die "no free port found for PostgreSQL"

# --- throwaway cluster --------------------------------------------------------------------------------------
say "initialising a PostgreSQL cluster in $PGDATA_DIR ($("$PG_BIN/postgres" --version))"
as_pg "$PG_BIN/initdb" -D "$PGDATA_DIR" -U postgres -E UTF8 --locale=C --no-sync \
    --auth-local=trust --auth-host=scram-sha-256 >"$TMP/initdb.log" 2>&1 \
    || { cat "$TMP/initdb.log" >&2; die "initdb failed"; }
# Only the Unix socket in $TMP (owned by the cluster's user) is trusted; TCP on 127.0.0.1 needs a password.
cat >>"$PGDATA_DIR/postgresql.conf" <<EOF

# --- added by scripts/try-local.sh ---
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$TMP'
password_encryption = 'scram-sha-256'
EOF
as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$TMP/postgres.log" -w -t 60 start >/dev/null \
    || { cat "$TMP/postgres.log" >&2; die "PostgreSQL did not start"; }

as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$TMP" -p "$PG_PORT" -U postgres -d postgres \
    -c "CREATE ROLE app LOGIN PASSWORD 'app'" \
    -c "CREATE DATABASE app OWNER app" >/dev/null

# --- pgmux ----------------------------------------------------------------------------------------------------
cat >"$TMP/pgmux.yaml" <<EOF
# Written by scripts/try-local.sh; deleted when it exits.
listen:
  host: 127.0.0.1
  port: $PGMUX_PORT
metrics:
  host: 127.0.0.1
  port: $PGMUX_METRICS_PORT
pool_mode: transaction
auth_type: scram-sha-256
databases:
  app:
    host: 127.0.0.1
    port: $PG_PORT
    dbname: app
users:
  - name: app
    password: app
    tenant: app
tenants:
  app:
    pool_size: 5
admin:
  users: [app]
EOF
# It holds a password: only its owner may read it (pgmux warns otherwise).
chmod 600 "$TMP/pgmux.yaml"

say "starting pgmux: java -jar $JAR --config $TMP/pgmux.yaml"
# In the background so that this shell can react to Ctrl-C at once (a foreground child would delay the trap);
# its output still goes to this terminal.
java -jar "$JAR" --config "$TMP/pgmux.yaml" &
PGMUX_PID=$!

for _ in $(seq 1 300); do
    port_listening "$PGMUX_PORT" && break
    kill -0 "$PGMUX_PID" 2>/dev/null || { wait "$PGMUX_PID" || true; PGMUX_PID=""; die "pgmux exited during startup (output above)"; }
    sleep 0.1
done
port_listening "$PGMUX_PORT" || die "pgmux is not listening on 127.0.0.1:$PGMUX_PORT after 30 s"

cat <<EOF

  pgmux is listening on 127.0.0.1:$PGMUX_PORT, in front of PostgreSQL on 127.0.0.1:$PG_PORT (data in $TMP).

  Connect through pgmux:
      psql "postgresql://app:app@127.0.0.1:$PGMUX_PORT/app"

  The admin console (SHOW POOLS, SHOW CLIENTS, SHOW STATS, PAUSE, RELOAD ...) and the metrics:
      psql "postgresql://app:app@127.0.0.1:$PGMUX_PORT/pgmux" -c "show pools"
      curl -s http://127.0.0.1:$PGMUX_METRICS_PORT/metrics

  Benchmark (in another terminal): create the pgbench tables directly on PostgreSQL, then run through pgmux:
      $PG_BIN/pgbench -i -s 1 "postgresql://app:app@127.0.0.1:$PG_PORT/app"
      $PG_BIN/pgbench -c 20 -j 2 -T 10 -S "postgresql://app:app@127.0.0.1:$PGMUX_PORT/app"

  Press Ctrl-C to stop pgmux and PostgreSQL and delete $TMP.

EOF

# Returns when pgmux exits, or at once when a signal arrives (the traps then clean up).
set +e
wait "$PGMUX_PID"
status=$?
set -e
PGMUX_PID=""
say "pgmux exited with status $status"
exit "$status"
