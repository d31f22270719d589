#!/usr/bin/env bash
# Fleet budgets across separate pgmux processes (docs/FLEET.md, "Measured"). See bench/README.md.
#
#   bench/fleet.sh                  # five phases, about 2-3 minutes
#
# Starts a throwaway PostgreSQL 15 (max_connections 30), writes one pgmux.yaml with a fleet and two tenant budgets,
# starts three pgmux.jar processes on that one file (each its own port and instance id, from the environment), puts
# each under its own pgbench load (tenant web: pgbench -S, tenant jobs: TPC-B; transaction pooling) and samples
# pg_stat_activity every 100 ms, counting each tenant's server connections (the fleet's control connections,
# application_name 'pgmux <id>', left out). Phases, each printing what it measured:
#   a) steady load on all three: the most connections sampled against each budget, pgbench's failures
#   b) SIGKILL of one instance under load: how long until the survivors hold its leases and use its connections
#   c) pg_ctl restart -m fast under load: the budgets at every sample through the recovery, time to serve again
#   d) the load moves from one instance to another: SHOW FLEET before and after, how long the leases took to
#      follow, and how long the lone client of an idle instance waited for its answer
#   e) pg_terminate_backend of one instance's control connection under load: the budgets at every sample
# Exits 1 when any sample exceeds a budget (2 on a setup error). Every process it starts is stopped on exit.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# --- knobs (environment) -----------------------------------------------------------------------------------
POOL_SIZE=${POOL_SIZE:-8}               # each tenant's pool_size, for the whole fleet
RESERVE=${RESERVE:-2}                   # each tenant's reserve_pool_size
DB_MAX=${DB_MAX:-16}                    # the database's max_connections budget, for the whole fleet
PG_MAX_CONNECTIONS=${PG_MAX_CONNECTIONS:-30}
CLIENTS=${CLIENTS:-8}                   # pgbench clients per tenant and instance
PHASE_SECONDS=${PHASE_SECONDS:-12}      # load per phase
REBALANCE_INTERVAL=${REBALANCE_INTERVAL:-100ms}
LEASE_IDLE_TIMEOUT=${LEASE_IDLE_TIMEOUT:-2s}
LEASE_RECLAIM_TIMEOUT=${LEASE_RECLAIM_TIMEOUT:-3s}   # pgmux's default
PGMUX_JAVA_OPTS=${PGMUX_JAVA_OPTS:--XX:+UseSerialGC -Xmx256m}
PGMUX_JAR=${PGMUX_JAR:-$REPO/proxy-cli/target/pgmux.jar}
RESULTS_DIR=${RESULTS_DIR:-$REPO/bench/results/$(date -u +%Y%m%dT%H%M%SZ)-fleet}
PG_OS_USER=${PG_OS_USER:-pgmuxbench}
INSTANCES=(i1 i2 i3)
FLEET_NAME=bench-fleet

# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh"
die() { say "error: $*"; exit 2; }

[[ $# -eq 0 ]] || die "bench/fleet.sh takes no arguments (settings are environment variables, see bench/README.md)"
for n in $POOL_SIZE $RESERVE $DB_MAX $PG_MAX_CONNECTIONS $CLIENTS $PHASE_SECONDS; do
    [[ $n =~ ^[0-9]+$ ]] || die "not a number: '$n' (check POOL_SIZE, RESERVE, ...)"
done
TENANT_MAX=$((POOL_SIZE + RESERVE))
(( DB_MAX + ${#INSTANCES[@]} + 5 <= PG_MAX_CONNECTIONS - 3 )) \
    || die "DB_MAX $DB_MAX, one control connection per instance and the budget checks need more than" \
           "PG_MAX_CONNECTIONS $PG_MAX_CONNECTIONS allows ordinary roles"

find_tools 0
ensure_os_user
raise_fd_limit

# --- cleanup ------------------------------------------------------------------------------------------------
WORK=""
declare -A PGMUX_PID=() PGMUX_PORT_OF=()
LOAD_PIDS=()
SAMPLER_PID=""
stop_loads() {
    local pid
    for pid in "${LOAD_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${LOAD_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    LOAD_PIDS=()
}
stop_pgmux() { # instance
    local pid=${PGMUX_PID[$1]:-}
    [[ -n $pid ]] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    PGMUX_PID[$1]=""
}
cleanup() {
    local status=$? i
    trap - EXIT INT TERM
    stop_loads
    if [[ -n $SAMPLER_PID ]]; then
        touch "$WORK/stop-sampler"
        kill -TERM "$SAMPLER_PID" 2>/dev/null || true
        wait "$SAMPLER_PID" 2>/dev/null || true
    fi
    for i in "${INSTANCES[@]}"; do stop_pgmux "$i"; done
    if [[ -n ${WORK:-} && -d $WORK ]]; then
        mkdir -p "$RESULTS_DIR/logs"
        cp "$WORK"/*.log "$WORK"/*.txt "$WORK/pgmux.yaml" "$RESULTS_DIR/logs/" 2>/dev/null || true
    fi
    stop_servers
    (( status == 0 )) || say "stopped (status $status); everything started by this run has been shut down"
    exit "$status"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT
trap 'exit 143' TERM

make_work fleet

now_ms() { date +%s%3N; }
su_psql() { as_srv "$PSQL" -X -q -At -v ON_ERROR_STOP=1 -h "$WORK" -p "$PG_PORT" -U postgres -d postgres "$@"; }

# --- PostgreSQL: roles web and jobs, pgbench's tables -------------------------------------------------------
start_postgres "$PG_MAX_CONNECTIONS"
su_psql -c "CREATE ROLE web LOGIN PASSWORD 'web'" -c "CREATE ROLE jobs LOGIN PASSWORD 'jobs'" \
    -c "ALTER DATABASE bench OWNER TO jobs" >/dev/null
say "pgbench -i -s 1 (as jobs)"
PGUSER=jobs PGPASSWORD=jobs "$PGBENCH" -i -q -s 1 -h 127.0.0.1 -p "$PG_PORT" bench >"$WORK/pgbench-init.log" 2>&1 \
    || { cat "$WORK/pgbench-init.log" >&2; die "pgbench -i failed"; }
PGUSER=jobs PGPASSWORD=jobs "$PSQL" -X -q -h 127.0.0.1 -p "$PG_PORT" -d bench \
    -c "GRANT SELECT ON pgbench_accounts TO web" >/dev/null

# --- one file, three processes -----------------------------------------------------------------------------
# The port and the instance id come from each process's environment: every instance runs the same file.
cat >"$WORK/pgmux.yaml" <<EOF
# Written by bench/fleet.sh: one file for every instance of the fleet.
listen:
  host: 127.0.0.1
  port: \${FLEET_LISTEN_PORT}
pool_mode: transaction
auth_type: md5
query_wait_timeout: 60s
max_client_connections: 500
admin: {users: [web]}
metrics: {enabled: false}
databases:
  bench: {host: 127.0.0.1, port: $PG_PORT, dbname: bench, max_connections: $DB_MAX}
users:
  - {name: web, password: web, tenant: web}
  - {name: jobs, password: jobs, tenant: jobs}
tenants:
  web: {pool_size: $POOL_SIZE, reserve_pool_size: $RESERVE, reserve_pool_timeout: 1s}
  jobs: {pool_size: $POOL_SIZE, reserve_pool_size: $RESERVE, reserve_pool_timeout: 1s}
fleet:
  enabled: true
  name: $FLEET_NAME
  instance_id: \${FLEET_INSTANCE_ID}
  min_leases: 1
  lease_idle_timeout: $LEASE_IDLE_TIMEOUT
  rebalance_interval: $REBALANCE_INTERVAL
  lease_reclaim_timeout: $LEASE_RECLAIM_TIMEOUT
EOF
chmod 600 "$WORK/pgmux.yaml"   # it holds passwords

start_instance() { # instance
    local port
    port=$(free_port) || die "no free port"
    PGMUX_PORT_OF[$1]=$port
    # shellcheck disable=SC2086 # PGMUX_JAVA_OPTS is a list of flags
    FLEET_LISTEN_PORT=$port FLEET_INSTANCE_ID=$1 java $PGMUX_JAVA_OPTS -jar "$WORK/pgmux.jar" run \
        --config "$WORK/pgmux.yaml" >>"$WORK/pgmux-$1.log" 2>&1 &
    PGMUX_PID[$1]=$!
}
for i in "${INSTANCES[@]}"; do start_instance "$i"; done
for i in "${INSTANCES[@]}"; do
    echo "${PGMUX_PID[$i]}" >"$WORK/pgmux-$i.pid"
    wait_listening "${PGMUX_PORT_OF[$i]}" "$WORK/pgmux-$i.pid" \
        || { tail -20 "$WORK/pgmux-$i.log" >&2; die "pgmux $i did not start"; }
    say "pgmux $i: port ${PGMUX_PORT_OF[$i]}, pid ${PGMUX_PID[$i]}"
done
say "budgets for the whole fleet: tenant web $POOL_SIZE+$RESERVE, tenant jobs $POOL_SIZE+$RESERVE, database bench $DB_MAX"

# --- the sampler -------------------------------------------------------------------------------------------
# One line every 100 ms: epoch ms, web's, jobs' and all server connections to bench. Left out: the fleet's
# control connections and the one-query budget check each instance runs at start and after a reconnect. While
# PostgreSQL restarts, psql fails and is started again.
SAMPLE_SQL="select (extract(epoch from clock_timestamp()) * 1000)::bigint,
  count(*) filter (where usename = 'web'), count(*) filter (where usename = 'jobs'), count(*)
  from pg_stat_activity where backend_type = 'client backend' and datname = 'bench'
  and usename in ('web', 'jobs') and application_name not like 'pgmux %'
  and query not like '%superuser_reserved_connections%';"
SAMPLE_SQL=${SAMPLE_SQL//$'\n'/ }
sampler() {
    while [[ ! -f $WORK/stop-sampler ]]; do
        while [[ ! -f $WORK/stop-sampler ]]; do printf '%s\n' "$SAMPLE_SQL"; sleep 0.1; done \
            | su_psql -F ' ' >>"$WORK/samples.txt" 2>>"$WORK/sampler.log" || true
        sleep 0.1
    done
}
sampler &
SAMPLER_PID=$!

# Budget violations among the samples of [from, to): prints "max_web max_jobs max_total samples over".
sample_stats() { # from_ms to_ms
    awk -v from="$1" -v to="$2" -v tw="$TENANT_MAX" -v db="$DB_MAX" '
        NF == 4 && $1 >= from && $1 < to {
            n++; if ($2 > w) w = $2; if ($3 > j) j = $3; if ($4 > t) t = $4
            if ($2 > tw || $3 > tw || $4 > db) over++
        }
        END { printf "%d %d %d %d %d\n", w, j, t, n, over }' "$WORK/samples.txt"
}
TOTAL_OVER=0
report_budgets() { # phase from_ms to_ms
    local w j t n over
    read -r w j t n over < <(sample_stats "$2" "$3")
    say "$1: $n samples; most server connections seen: web $w of $TENANT_MAX, jobs $j of $TENANT_MAX," \
        "database $t of $DB_MAX; samples over a budget: $over"
    printf '%s|%s|%s|%s|%s|%s\n' "$1" "$n" "$w" "$j" "$t" "$over" >>"$WORK/phases.txt"
    TOTAL_OVER=$((TOTAL_OVER + over))
}

# --- load ----------------------------------------------------------------------------------------------------
# pgbench per tenant on one instance; -S for web, TPC-B for jobs. Its summary goes to WORK/pgbench-<tag>.log.
load() { # instance seconds tag
    local port=${PGMUX_PORT_OF[$1]}
    PGUSER=web PGPASSWORD=web "$PGBENCH" -n -S -M simple -c "$CLIENTS" -j 1 -T "$2" -h 127.0.0.1 -p "$port" bench \
        >"$WORK/pgbench-$3-$1-web.log" 2>&1 &
    LOAD_PIDS+=($!)
    PGUSER=jobs PGPASSWORD=jobs "$PGBENCH" -n -M simple -c "$CLIENTS" -j 1 -T "$2" -h 127.0.0.1 -p "$port" bench \
        >"$WORK/pgbench-$3-$1-jobs.log" 2>&1 &
    LOAD_PIDS+=($!)
}
wait_loads() {
    local pid
    for pid in "${LOAD_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    LOAD_PIDS=()
}
# "transactions failed aborted-clients" summed over the pgbench logs of a phase (and instances, a glob).
pgbench_outcome() { # tag instance-glob
    local f tx=0 failed=0 aborted=0 v
    # shellcheck disable=SC2231 # the tag and the instance are globs on purpose
    for f in "$WORK"/pgbench-$1-$2-*.log; do
        [[ -f $f ]] || continue
        v=$(awk '/number of transactions actually processed/ { split($6, a, "/"); print a[1] }' "$f"); tx=$((tx + ${v:-0}))
        v=$(awk '/number of failed transactions/ { print $5 }' "$f"); failed=$((failed + ${v:-0}))
        v=$(grep -c 'aborted in command\|aborted while' "$f" || true); aborted=$((aborted + ${v:-0}))
    done
    echo "$tx $failed $aborted"
}

# --- the console -------------------------------------------------------------------------------------------
# SHOW FLEET on an instance's console (upstream, instance, pid, budget, leases, waiting, self): "instance|budget|
# leases|waiting|pid" per row.
show_fleet() { # instance
    PGPASSWORD=web "$PSQL" -X -q -At -F '|' -h 127.0.0.1 -p "${PGMUX_PORT_OF[$1]}" -U web -d pgmux -c "SHOW FLEET" \
        2>/dev/null | awk -F '|' '{ printf "%s|%s|%s|%s|%s\n", $2, $4, $5, $6, $3 }'
}
# Leases of one instance on one budget, as instance $1 sees the fleet.
leases_of() { # asking-instance instance budget
    show_fleet "$1" | awk -F '|' -v i="$2" -v b="$3" '$1 == i && $2 == b { s += $3 } END { print s + 0 }'
}
fleet_table() { # asking-instance -> "i1 web 1 jobs 3 db 5; i2 ..." for the report
    show_fleet "$1" | awk -F '|' '
        { k = $1; ids[k] = 1
          if ($2 ~ /^tenant web /) w[k] = $3; else if ($2 ~ /^tenant jobs /) j[k] = $3; else if ($2 ~ /^database /) d[k] = $3 }
        END { for (k in ids) printf "%s web %d jobs %d db %d\n", k, w[k], j[k], d[k] }' | sort | paste -sd ';' | sed 's/;/; /g'
}
DB_BUDGET="database bench"
JOBS_BUDGET="tenant jobs on database bench"
budget_sum() { # budget instance-regex < show_fleet output
    awk -F '|' -v b="$1" -v i="$2" '$2 == b && $1 ~ i { s += $3 } END { print s + 0 }'
}

wait_until() { # timeout_s command... : polls every 100 ms; prints the ms it took, or fails
    local timeout_ms=$(($1 * 1000)) start; shift
    start=$(now_ms)
    while ! "$@"; do
        (( $(now_ms) - start < timeout_ms )) || return 1
        sleep 0.1
    done
    echo $(( $(now_ms) - start ))
}

SUMMARY=$WORK/summary.txt
note() { say "$*"; printf '%s\n' "$*" >>"$SUMMARY"; }

# --- a) steady ---------------------------------------------------------------------------------------------
say "phase a: steady load on all three instances, ${PHASE_SECONDS}s"
from=$(now_ms)
for i in "${INSTANCES[@]}"; do load "$i" "$PHASE_SECONDS" a; done
sleep $((PHASE_SECONDS - 3))
during=$(fleet_table i1)
wait_loads
report_budgets a "$from" "$(now_ms)"
read -r tx failed aborted < <(pgbench_outcome a '*')
note "a) steady: $tx transactions, $failed failed, $aborted clients aborted; leases under load: $during"

# --- b) SIGKILL of i3 under load ----------------------------------------------------------------------------
say "phase b: SIGKILL of i3 under load"
# The jobs tenant (TPC-B, 8 clients per instance) is the one whose clients wait, so its leases are the share that
# must move: the survivors should end up holding all the jobs leases the three held, and using as many connections.
for i in "${INSTANCES[@]}"; do load "$i" $((PHASE_SECONDS + 4)) b; done
sleep 4
survivors_hold_all() {
    local f; f=$(show_fleet i1)
    ! grep -q '^i3|' <<<"$f" && (( $(budget_sum "$JOBS_BUDGET" '^i[12]$' <<<"$f") >= before_leases ))
}
before=$(fleet_table i1)
before_leases=$(show_fleet i1 | budget_sum "$JOBS_BUDGET" '.')
i3_share=$(show_fleet i1 | budget_sum "$JOBS_BUDGET" '^i3$')
from=$(now_ms)
kill -KILL "${PGMUX_PID[i3]}"
killed=$(now_ms)
took_leases=$(wait_until 20 survivors_hold_all) || took_leases="more than 20000"
wait "${PGMUX_PID[i3]}" 2>/dev/null || true
PGMUX_PID[i3]=""
wait_loads
# From the samples of jobs' connections: the median in the 2 s before the kill (at most pool_size: reserve slots come
# and go with waits longer than reserve_pool_timeout), the first sample below it after the kill (i3's backends
# gone), and the first sample after that back at it (the survivors using i3's share).
before_total=$(awk -v k="$killed" 'NF == 4 && $1 >= k - 2000 && $1 < k { print $3 }' "$WORK/samples.txt" \
    | sort -n | awk -v cap="$POOL_SIZE" '{ v[NR] = $1 } END { m = NR ? v[int((NR + 1) / 2)] : 0; print (m > cap ? cap : m) }')
read -r dip_ms back_ms < <(awk -v k="$killed" -v med="$before_total" '
    BEGIN { m = 0; dip = -1; back = -1 }
    NF == 4 && $1 >= k { t[m] = $1; c[m] = $3; m++ }
    END {
        for (i = 0; i < m; i++) if (c[i] + 0 < med + 0) { dip = i; break }
        if (dip >= 0) for (i = dip; i < m; i++) if (c[i] + 0 >= med + 0) { back = t[i] - k; break }
        printf "%s %s\n", (dip < 0 ? "none" : t[dip] - k), (back < 0 ? "none" : back)
    }' "$WORK/samples.txt")
report_budgets b "$from" "$(now_ms)"
read -r tx failed aborted < <(pgbench_outcome b 'i[12]')
note "b) SIGKILL of i3 (it held $i3_share of the $before_leases jobs leases; all leases before: $before): i1 and i2 held all $before_leases after $took_leases ms (lease_reclaim_timeout $LEASE_RECLAIM_TIMEOUT); jobs' server connections (median $before_total before the kill, at most pool_size) first below that $dip_ms ms after the kill, back at it $back_ms ms after the kill; survivors' pgbench: $tx transactions, $failed failed, $aborted clients aborted; leases after: $(fleet_table i1)"

# i3 comes back for the next phases, as a restarted pod would.
start_instance i3
echo "${PGMUX_PID[i3]}" >"$WORK/pgmux-i3.pid"
wait_listening "${PGMUX_PORT_OF[i3]}" "$WORK/pgmux-i3.pid" || die "pgmux i3 did not start again"

# --- c) PostgreSQL restarts under load -----------------------------------------------------------------------
say "phase c: pg_ctl restart -m fast under load"
from=$(now_ms)
for i in "${INSTANCES[@]}"; do load "$i" "$PHASE_SECONDS" c1; done
sleep 3
restart_at=$(now_ms)
as_srv "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$WORK/postgres.log" -m fast -w -t 60 restart >/dev/null \
    || die "pg_ctl restart failed"
up_at=$(now_ms)
serves() { PGPASSWORD=web "$PSQL" -X -q -At -h 127.0.0.1 -p "${PGMUX_PORT_OF[$1]}" -U web -d bench \
    -c "select 1" >/dev/null 2>&1; }
served=""
for i in "${INSTANCES[@]}"; do
    if wait_until 30 serves "$i" >/dev/null; then served+="$i $(( $(now_ms) - up_at )) ms; "
    else served+="$i not within 30 s; "; fi
done
# A fresh round of load right after the restart: every instance takes its leases from zero at once.
for i in "${INSTANCES[@]}"; do load "$i" "$PHASE_SECONDS" c2; done
wait_loads
report_budgets c "$from" "$(now_ms)"
read -r tx1 failed1 aborted1 < <(pgbench_outcome c1 '*')
read -r tx2 failed2 aborted2 < <(pgbench_outcome c2 '*')
served=${served%; }
note "c) restart took $((up_at - restart_at)) ms; a new client served through each instance after PostgreSQL was up: $served; load through the restart: $tx1 transactions, $failed1 failed, $aborted1 clients aborted (their transaction was cut by the restart); load after: $tx2 transactions, $failed2 failed, $aborted2 aborted"

# --- d) load moves from i1 to i2 -------------------------------------------------------------------------------
say "phase d: the load moves from i1 to i2; i3 idle"
from=$(now_ms)
load i1 "$PHASE_SECONDS" d1
sleep $((PHASE_SECONDS - 2))
on_i1=$(fleet_table i1)
wait_loads
# Follows jobs' budget (the tenant whose clients wait): i2 holds at least what i1 held under the same load, and i1 is
# back at its minimum or below (an instance idle for a whole lease_idle_timeout leaves it to one that uses the budget).
i1_held=$(show_fleet i1 | budget_sum "$JOBS_BUDGET" '^i1$')
i2_holds() {
    local f; f=$(show_fleet i2)
    (( $(budget_sum "$JOBS_BUDGET" '^i2$' <<<"$f") >= i1_held && $(budget_sum "$JOBS_BUDGET" '^i1$' <<<"$f") <= 1 ))
}
load i2 $((PHASE_SECONDS + 10)) d2
followed=$(wait_until 20 i2_holds) || followed="more than 20000"
on_i2=$(fleet_table i2)
# The lone client of the idle instance i3, while i2 holds nearly every lease.
lone_from=$(now_ms)
PGPASSWORD=web "$PSQL" -X -q -At -h 127.0.0.1 -p "${PGMUX_PORT_OF[i3]}" -U web -d bench -c "select 1" >/dev/null \
    || die "the lone client of i3 was not served"
lone_ms=$(( $(now_ms) - lone_from ))
wait_loads
report_budgets d "$from" "$(now_ms)"
read -r tx failed aborted < <(pgbench_outcome 'd*' '*')
note "d) load on i1: leases $on_i1; the load moved to i2: i2 held the $i1_held jobs leases i1 had held, and i1 at most its minimum, after $followed ms (lease_idle_timeout $LEASE_IDLE_TIMEOUT); leases then: $on_i2; the lone client of idle i3 served in $lone_ms ms (login and select 1); pgbench: $tx transactions, $failed failed, $aborted aborted"

# --- e) one instance's control connection terminated under load ---------------------------------------------------
say "phase e: pg_terminate_backend of i1's control connection under load"
from=$(now_ms)
for i in "${INSTANCES[@]}"; do load "$i" "$PHASE_SECONDS" e; done
sleep 4
old_pid=$(show_fleet i2 | awk -F '|' '$1 == "i1" { print $5; exit }')
terminated=$(su_psql -c "select count(pg_terminate_backend(pid)) from pg_stat_activity where application_name = 'pgmux i1'")
i1_back() { # i2's rounds see i1 again: a new control connection holding a lease of the database
    show_fleet i2 | awk -F '|' -v b="$DB_BUDGET" -v old="$old_pid" '$1 == "i1" && $2 == b && $5 != old && $3 >= 1 { ok = 1 } END { exit !ok }'
}
back=$(wait_until 10 i1_back) || back="more than 10000"
sleep 2
during=$(fleet_table i2)
wait_loads
report_budgets e "$from" "$(now_ms)"
read -r tx failed aborted < <(pgbench_outcome e '*')
note "e) terminated $terminated control connection of i1 (backend $old_pid); i2 saw i1 holding leases again on a new control connection after $back ms; pgbench: $tx transactions, $failed failed, $aborted clients aborted; leases 2 s after: $during"

# --- report ---------------------------------------------------------------------------------------------------
{
    echo
    echo "| phase | samples | most web (budget $TENANT_MAX) | most jobs (budget $TENANT_MAX) | most on bench (budget $DB_MAX) | samples over a budget |"
    echo "|---|---|---|---|---|---|"
    awk -F '|' '{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }' "$WORK/phases.txt"
    echo
    cat "$SUMMARY"
} | tee "$RESULTS_DIR/summary.md"
if (( TOTAL_OVER > 0 )); then
    say "FAILED: $TOTAL_OVER samples exceeded a budget (samples in $RESULTS_DIR/logs/samples.txt)"
    exit 1
fi
say "every sample within the budgets; results in $RESULTS_DIR"
