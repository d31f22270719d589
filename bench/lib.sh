# Shared by the scripts of bench/ (sourced, not run): finding the binaries, free ports, a run's working directory,
# and a throwaway PostgreSQL, PgBouncer and pgmux started with equivalent settings, so that run.sh and idle.sh
# compare the same two configurations.
#
# The caller sets REPO, PGMUX_JAR, RESULTS_DIR, POOL_SIZE, MAX_CLIENT_CONN, PGMUX_WORKERS, PGMUX_TRANSPORT,
# PGMUX_JAVA_OPTS, PG_OS_USER, calls make_work before starting servers, and sets the ports BOUNCER_PORT and
# PGMUX_PORT before starting those.

say() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { say "error: $*"; exit 1; }

json_str() { # a JSON string literal
    local s=$1
    s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\t'/ }; s=${s//$'\r'/}; s=${s//$'\n'/ }
    printf '"%s"' "$s"
}
json_num() { [[ $1 =~ ^-?[0-9]+(\.[0-9]+)?$ ]] && printf '%s' "$1" || printf 'null'; }

# --- tools ---------------------------------------------------------------------------------------------------
find_pg_bin() {
    local dir
    for dir in "${PG_BIN:-}" /usr/lib/postgresql/15/bin; do
        [[ -n $dir && -x $dir/initdb && -x $dir/pgbench ]] && { echo "$dir"; return; }
    done
    if command -v pg_config >/dev/null 2>&1; then
        dir=$(pg_config --bindir)
        [[ -x $dir/initdb && -x $dir/pgbench ]] && { echo "$dir"; return; }
    fi
    return 1
}

# Sets PG_BIN, PGBENCH, PSQL and PGBOUNCER, builds the jar if it is missing, and installs PgBouncer when it is
# needed ($1 = 1), missing, and we are root.
find_tools() { # need_pgbouncer
    PG_BIN=$(find_pg_bin) || die "PostgreSQL server binaries and pgbench not found; set PG_BIN"
    PGBENCH=$PG_BIN/pgbench
    PSQL=$PG_BIN/psql
    command -v java >/dev/null 2>&1 || die "java not found"
    command -v timeout >/dev/null 2>&1 || die "timeout (coreutils) not found"

    if [[ ! -f $PGMUX_JAR ]]; then
        command -v mvn >/dev/null 2>&1 || die "$PGMUX_JAR is missing and mvn is not installed"
        say "building pgmux: mvn -q package -DskipTests"
        (cd "$REPO" && mvn -q package -DskipTests)
        [[ -f $PGMUX_JAR ]] || die "the build did not produce $PGMUX_JAR"
    fi

    PGBOUNCER=$(command -v pgbouncer || true)
    [[ -z $PGBOUNCER && -x /usr/sbin/pgbouncer ]] && PGBOUNCER=/usr/sbin/pgbouncer
    if [[ -z $PGBOUNCER && $1 == 1 ]]; then
        [[ $EUID -eq 0 ]] || die "pgbouncer is not installed; run: sudo apt-get install -y pgbouncer"
        say "installing pgbouncer (apt-get install -y pgbouncer)"
        if ! DEBIAN_FRONTEND=noninteractive apt-get install -y pgbouncer >/dev/null; then
            DEBIAN_FRONTEND=noninteractive apt-get update >/dev/null
            DEBIAN_FRONTEND=noninteractive apt-get install -y pgbouncer >/dev/null
        fi
        PGBOUNCER=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
        [[ -x $PGBOUNCER ]] || die "pgbouncer still not found after installing it"
    fi
    return 0
}

# PostgreSQL and PgBouncer refuse to run as root: then the servers (and pgmux, for symmetry) run as PG_OS_USER.
as_srv() {
    if [[ $EUID -eq 0 ]]; then runuser -u "$PG_OS_USER" -- "$@"; else "$@"; fi
}
ensure_os_user() {
    if [[ $EUID -eq 0 ]] && ! id "$PG_OS_USER" >/dev/null 2>&1; then
        say "creating system user $PG_OS_USER"
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_OS_USER"
    fi
    return 0
}

# Many clients need many descriptors: raise our soft limit (what we start inherits it) as far as allowed, at
# most 20000; FD_LIMIT is also applied to the servers when they start.
raise_fd_limit() {
    FD_LIMIT=$(ulimit -Hn)
    [[ $FD_LIMIT == unlimited || $FD_LIMIT -gt 20000 ]] && FD_LIMIT=20000
    ulimit -n "$FD_LIMIT"
}

# --- ports ---------------------------------------------------------------------------------------------------
# shellcheck source=scripts/lib/ports.sh
source "$REPO/scripts/lib/ports.sh"
wait_listening() { # port pidfile name
    for _ in $(seq 1 600); do
        port_listening "$1" && return 0
        if [[ -s $2 ]] && ! kill -0 "$(cat "$2")" 2>/dev/null; then return 1; fi
        sleep 0.1
    done
    return 1
}

# --- the run's directories -------------------------------------------------------------------------------------
# WORK: a fresh temporary directory /tmp/pgmux-NAME.XXXXXX that the servers' user can read, holding a private copy
# of PGMUX_JAR (a rebuild during the run cannot change the binary under test). RESULTS_DIR (and its logs/) made,
# and made absolute. stop_servers removes WORK.
make_work() { # name
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/pgmux-$1.XXXXXX")
    chmod 755 "$WORK"
    if [[ $EUID -eq 0 ]]; then chown "$PG_OS_USER" "$WORK"; fi
    mkdir -p "$RESULTS_DIR/logs"
    RESULTS_DIR=$(cd "$RESULTS_DIR" && pwd)
    cp "$PGMUX_JAR" "$WORK/pgmux.jar"
    chmod 644 "$WORK/pgmux.jar"
}

# --- stopping ------------------------------------------------------------------------------------------------
stop_pidfile() { # pidfile name
    local pid
    [[ -s $1 ]] || return 0
    pid=$(cat "$1")
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    say "$2 (pid $pid) did not stop on SIGTERM; killing it"
    kill -KILL "$pid" 2>/dev/null || true
}

# Stops whatever of pgmux, PgBouncer and PostgreSQL is running, keeps their logs and configurations in
# RESULTS_DIR/logs/ and removes WORK. Safe to call when nothing was started yet.
stop_servers() {
    [[ -n ${WORK:-} && -d $WORK ]] || return 0
    stop_pidfile "$WORK/pgmux.pid" pgmux
    stop_pidfile "$WORK/pgbouncer.pid" pgbouncer
    if [[ -n ${PGDATA_DIR:-} && -f $PGDATA_DIR/postmaster.pid ]]; then
        as_srv "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m immediate -w -t 30 stop >/dev/null 2>&1 \
            || say "warning: pg_ctl stop failed"
    fi
    if [[ -n ${RESULTS_DIR:-} && -d $RESULTS_DIR ]]; then
        mkdir -p "$RESULTS_DIR/logs"
        for f in pgmux.log pgbouncer.log postgres.log pgmux.yaml pgbouncer.ini; do
            [[ -f $WORK/$f ]] && cp "$WORK/$f" "$RESULTS_DIR/logs/" 2>/dev/null
        done
    fi
    rm -rf "$WORK"
}

# --- TLS (TLS=1) ----------------------------------------------------------------------------------------------
# A self-signed certificate for 127.0.0.1 and its unencrypted PKCS#8 key, used by PostgreSQL and both poolers.
make_tls_files() {
    say "TLS: self-signed EC P-256 certificate for 127.0.0.1; every leg encrypted"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
        -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
        -keyout "$WORK/tls.key" -out "$WORK/tls.crt" >/dev/null 2>&1 || die "openssl could not make a certificate"
    chmod 600 "$WORK/tls.key"
    if [[ $EUID -eq 0 ]]; then chown "$PG_OS_USER" "$WORK/tls.key" "$WORK/tls.crt"; fi
}

# --- PostgreSQL ----------------------------------------------------------------------------------------------
# A throwaway cluster tuned for repeatable numbers, not durability; role and database "bench" (password
# "bench"), reachable with the libpq environment this exports. Listens on the port given, else on a free one;
# sets PG_PORT and PGDATA_DIR.
start_postgres() { # max_connections [port]
    PG_PORT=${2:-$(free_port)} || die "no free port for PostgreSQL"
    PGDATA_DIR=$WORK/data
    say "PostgreSQL: initdb, port $PG_PORT, max_connections $1, fsync off (throwaway cluster)"
    as_srv "$PG_BIN/initdb" -D "$PGDATA_DIR" -U postgres -E UTF8 --locale=C --no-sync \
        --auth-local=trust --auth-host=scram-sha-256 >"$WORK/initdb.log" 2>&1 \
        || { cat "$WORK/initdb.log" >&2; die "initdb failed"; }
    cat >>"$PGDATA_DIR/postgresql.conf" <<EOF

# --- bench: a throwaway cluster tuned for repeatable numbers, not for durability ---
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$WORK'
max_connections = $1
shared_buffers = 512MB
fsync = off
synchronous_commit = off
full_page_writes = off
max_wal_size = 4GB
checkpoint_timeout = 30min
password_encryption = 'scram-sha-256'
EOF
    if [[ ${TLS:-0} == 1 ]]; then
        printf "ssl = on\nssl_cert_file = '%s'\nssl_key_file = '%s'\n" "$WORK/tls.crt" "$WORK/tls.key" \
            >>"$PGDATA_DIR/postgresql.conf"
    fi
    as_srv bash -c 'ulimit -n "$1"; shift; exec "$@"' _ "$FD_LIMIT" \
        "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$WORK/postgres.log" -w -t 120 start >/dev/null \
        || { tail -20 "$WORK/postgres.log" >&2; die "PostgreSQL did not start"; }
    as_srv "$PSQL" -X -q -v ON_ERROR_STOP=1 -h "$WORK" -p "$PG_PORT" -U postgres -d postgres \
        -c "CREATE ROLE bench LOGIN PASSWORD 'bench'" -c "CREATE DATABASE bench OWNER bench" >/dev/null
    export PGPASSWORD=bench PGUSER=bench PGDATABASE=bench PGHOST=127.0.0.1
    unset PGSERVICE PGOPTIONS PGSSLMODE PGAPPNAME PGCLIENTENCODING 2>/dev/null || true
    if [[ ${TLS:-0} == 1 ]]; then export PGSSLMODE=require; fi
}

# --- the poolers: the same settings in each one's words --------------------------------------------------------
# md5 client auth, transaction pooling, POOL_SIZE server connections and no reserve, MAX_CLIENT_CONN clients.
# Each writes its pid to WORK/<name>.pid and its output to WORK/<name>.log.
start_pgbouncer() {
    printf '"bench" "bench"\n' >"$WORK/userlist.txt"
    cat >"$WORK/pgbouncer.ini" <<EOF
[databases]
bench = host=127.0.0.1 port=$PG_PORT dbname=bench

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BOUNCER_PORT
unix_socket_dir =
auth_type = md5
auth_file = $WORK/userlist.txt
pool_mode = transaction
default_pool_size = $POOL_SIZE
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = $MAX_CLIENT_CONN
max_db_connections = 0
query_wait_timeout = 120
ignore_startup_parameters = extra_float_digits
log_connections = 0
log_disconnections = 0
stats_period = 60
EOF
    if [[ ${TLS:-0} == 1 ]]; then
        printf 'client_tls_sslmode = require\nclient_tls_cert_file = %s\nclient_tls_key_file = %s\nserver_tls_sslmode = require\n' \
            "$WORK/tls.crt" "$WORK/tls.key" >>"$WORK/pgbouncer.ini"
    fi
    [[ $EUID -eq 0 ]] && chown "$PG_OS_USER" "$WORK/pgbouncer.ini" "$WORK/userlist.txt"
    say "PgBouncer $("$PGBOUNCER" --version | head -1 | awk '{print $2}'): port $BOUNCER_PORT, pool $POOL_SIZE"
    as_srv bash -c 'ulimit -n "$1"; echo $$ >"$2"; exec "$3" "$4"' _ "$FD_LIMIT" "$WORK/pgbouncer.pid" \
        "$PGBOUNCER" "$WORK/pgbouncer.ini" >"$WORK/pgbouncer.log" 2>&1 &
    wait_listening "$BOUNCER_PORT" "$WORK/pgbouncer.pid" \
        || { tail -20 "$WORK/pgbouncer.log" >&2; die "PgBouncer did not start"; }
}

start_pgmux() {
    cat >"$WORK/pgmux.yaml" <<EOF
# Written by bench/lib.sh: the settings of its pgbouncer.ini, in pgmux's words.
listen:
  host: 127.0.0.1
  port: $PGMUX_PORT
pool_mode: transaction
auth_type: md5
default_pool_size: $POOL_SIZE
max_client_connections: $MAX_CLIENT_CONN
workers: $PGMUX_WORKERS
transport: $PGMUX_TRANSPORT
query_wait_timeout: 120s
databases:
  bench:
    host: 127.0.0.1
    port: $PG_PORT
    dbname: bench
users:
  - name: bench
    password: bench
    tenant: bench
tenants:
  bench:
    pool_size: $POOL_SIZE
metrics:
  enabled: false
EOF
    if [[ ${TLS:-0} == 1 ]]; then
        printf 'client_tls_sslmode: require\nclient_tls_cert_file: %s\nclient_tls_key_file: %s\nserver_tls_sslmode: require\n' \
            "$WORK/tls.crt" "$WORK/tls.key" >>"$WORK/pgmux.yaml"
    fi
    [[ $EUID -eq 0 ]] && chown "$PG_OS_USER" "$WORK/pgmux.yaml"
    say "pgmux: port $PGMUX_PORT, pool $POOL_SIZE, workers $PGMUX_WORKERS, transport $PGMUX_TRANSPORT${PGMUX_JAVA_OPTS:+, JVM flags $PGMUX_JAVA_OPTS}"
    # shellcheck disable=SC2086 # PGMUX_JAVA_OPTS is a list of flags
    as_srv bash -c 'ulimit -n "$1"; echo $$ >"$2"; shift 2; exec java "$@"' _ "$FD_LIMIT" "$WORK/pgmux.pid" \
        $PGMUX_JAVA_OPTS -jar "$WORK/pgmux.jar" --config "$WORK/pgmux.yaml" >"$WORK/pgmux.log" 2>&1 &
    wait_listening "$PGMUX_PORT" "$WORK/pgmux.pid" \
        || { tail -20 "$WORK/pgmux.log" >&2; die "pgmux did not start"; }
}
