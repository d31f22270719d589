#!/usr/bin/env bash
# Memory per idle client: PgBouncer vs pgmux holding N logged-in, idle clients. See bench/README.md.
#
#   bench/idle.sh                          # 1000 and 15000 clients: ~2 minutes
#   IDLE_CLIENTS="500" bench/idle.sh
#
# Results: a markdown table on stdout, and bench/results/<timestamp>-idle/{summary.md,idle.csv,results.json,...}.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# --- knobs (environment) -----------------------------------------------------------------------------------
IDLE_CLIENTS=${IDLE_CLIENTS:-"1000 15000"}   # idle clients per measurement
SYSTEMS=${SYSTEMS:-"pgbouncer pgmux"}
POOL_SIZE=${POOL_SIZE:-20}                   # server connections per pooler, as in run.sh
CLIENTS_PER_PROCESS=${CLIENTS_PER_PROCESS:-4000} # load processes hold at most this many sockets each
CONNECT_CONCURRENCY=${CONNECT_CONCURRENCY:-64}   # logins in flight at once (PgBouncer's listen backlog is 128)
WARMUP_CLIENTS=${WARMUP_CLIENTS:-200}        # clients that log in, query and leave before the baseline
SETTLE=${SETTLE:-5}                          # seconds between the last login and the measurement
HISTOGRAM_TOP=${HISTOGRAM_TOP:-15}           # classes listed per pgmux heap histogram diff
PGMUX_WORKERS=${PGMUX_WORKERS:-0}
PGMUX_TRANSPORT=${PGMUX_TRANSPORT:-auto}
PGMUX_JAVA_OPTS=${PGMUX_JAVA_OPTS:-}
PGMUX_JAR=${PGMUX_JAR:-$REPO/proxy-cli/target/pgmux.jar}
PYTHON=${PYTHON:-python3}
RESULTS_DIR=${RESULTS_DIR:-$REPO/bench/results/$(date -u +%Y%m%dT%H%M%SZ)-idle}
PG_OS_USER=${PG_OS_USER:-pgmuxbench}

# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh"

[[ $# -eq 0 ]] || die "bench/idle.sh takes no arguments (settings are environment variables, see bench/README.md)"
MAX_N=0
for n in $IDLE_CLIENTS $POOL_SIZE $CLIENTS_PER_PROCESS $CONNECT_CONCURRENCY $WARMUP_CLIENTS $SETTLE $HISTOGRAM_TOP; do
    [[ $n =~ ^[0-9]+$ ]] || die "not a number: '$n' (check IDLE_CLIENTS, POOL_SIZE, ...)"
done
for n in $IDLE_CLIENTS; do (( n > MAX_N )) && MAX_N=$n; done
for s in $SYSTEMS; do [[ $s =~ ^(pgbouncer|pgmux)$ ]] || die "SYSTEMS: unknown system '$s'"; done
# Both poolers must admit every client, with room for stragglers of a previous round.
MAX_CLIENT_CONN=${MAX_CLIENT_CONN:-$((MAX_N + 1000))}

find_tools "$([[ " $SYSTEMS " == *" pgbouncer "* ]] && echo 1 || echo 0)"
ensure_os_user
raise_fd_limit
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 8))' 2>/dev/null || die "needs Python 3.8+ (set PYTHON)"
[[ " $SYSTEMS " != *" pgmux "* ]] || command -v jcmd >/dev/null 2>&1 || die "jcmd (JDK) not found"
# A pooler holds N client sockets, its server connections and its own files (jars, logs, epoll) at once.
(( MAX_N + POOL_SIZE + 200 <= FD_LIMIT )) \
    || die "$MAX_N clients need more open files than the limit of $FD_LIMIT (ulimit -Hn) allows"
(( CLIENTS_PER_PROCESS + 100 <= FD_LIMIT )) || die "CLIENTS_PER_PROCESS must stay below $FD_LIMIT open files"

# --- cleanup ------------------------------------------------------------------------------------------------
WORK=""
LOAD_PID=""
stop_load() { # the load coordinator; its workers follow it (parent-death signal, and EOF on their stdin)
    [[ -n $LOAD_PID ]] || return 0
    kill -TERM "$LOAD_PID" 2>/dev/null || true
    wait "$LOAD_PID" 2>/dev/null || true
    LOAD_PID=""
}
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    stop_load
    stop_servers
    (( status == 0 )) || say "stopped (status $status); everything started by this run has been shut down"
    exit "$status"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT
trap 'exit 143' TERM

make_work idle
start_postgres $((2 * POOL_SIZE + 10))

# --- measuring ----------------------------------------------------------------------------------------------
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
jcmd_as_owner() { as_srv jcmd "$@"; }  # the attach socket only answers the JVM's own user
histogram_total() { awk '$1 == "Total" {print $3}' "$1"; }
heap_used_kb() { # "used" of GC.heap_info: G1's whole-heap line, else the sum of the generations
    awk '/heap +total/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K.*/, "", v); print v; exit } }
         /Gen +total/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K.*/, "", v); s += v } }
         END { if (s) print s }' "$1" | head -1
}
# A full GC, then the live heap two ways: GC.heap_info "used" and the class histogram (which runs its own full
# GC and sums the live objects). Files: PREFIX.heap_info, PREFIX.histogram (and PREFIX.native_memory).
heap_snapshot() { # pid prefix
    jcmd_as_owner "$1" GC.run >/dev/null
    jcmd_as_owner "$1" GC.heap_info >"$2.heap_info"
    jcmd_as_owner "$1" GC.class_histogram >"$2.histogram"
    # With -XX:NativeMemoryTracking=summary in PGMUX_JAVA_OPTS, also where the memory outside the heap went.
    if [[ $PGMUX_JAVA_OPTS == *NativeMemoryTracking* ]]; then
        jcmd_as_owner "$1" VM.native_memory summary >"$2.native_memory" || true
    fi
}
# Classes by bytes added between two histograms, per client. (awk, not head, takes the top: head would leave sort
# writing into a closed pipe, and pipefail would end the run.)
histogram_diff() { # before after clients top
    awk -v n="$3" 'FNR == 1 { f++ }
        $1 ~ /^[0-9]+:$/ { if (f == 1) { b[$4] = $3; i[$4] = $2 } else { a[$4] = $3; j[$4] = $2 } }
        END {
            for (c in a) { d = a[c] - b[c]; if (d > 0) printf "%d\t%.2f\t%.1f\t%s\n", d, (j[c] - i[c]) / n, d / n, c }
        }' "$1" "$2" | sort -t$'\t' -k1,1nr | awk -v top="$4" 'NR <= top' \
        | awk -F'\t' 'BEGIN { print "| class | instances added per client | bytes added per client |"; print "|---|---:|---:|" }
                      { printf "| `%s` | %s | %s |\n", $4, $2, $3 }'
}
json_field() { # json key...: prints the values, errors as "message (count); ..."
    "$PYTHON" -c 'import json, sys
d = json.loads(sys.argv[1])
for k in sys.argv[2:]:
    v = d.get(k, "")
    print("; ".join(f"{m} ({c})" for m, c in v.items()) if isinstance(v, dict) else v)' "$@"
}

# Starts the load coordinator on FIFOs (a coprocess would lose its output the moment it exits).
start_load() { # port clients
    rm -f "$WORK/load.in" "$WORK/load.out"
    mkfifo "$WORK/load.in" "$WORK/load.out"
    "$PYTHON" "$REPO/bench/idle_clients.py" --port "$1" --clients "$2" --per-process "$CLIENTS_PER_PROCESS" \
        --concurrency "$CONNECT_CONCURRENCY" <"$WORK/load.in" >"$WORK/load.out" 2>>"$WORK/load.err" &
    LOAD_PID=$!
    exec {LOAD_IN}>"$WORK/load.in" {LOAD_OUT}<"$WORK/load.out"
}
load_says() { # expected-word timeout: the JSON after the word, or fails
    local line=""
    read -r -t "$2" -u "$LOAD_OUT" line || return 1
    [[ $line == "$1 "* ]] || return 1
    printf '%s' "${line#"$1 "}"
}
finish_load() { # asks the clients to leave; a load generator that does not finish within 60 s is stopped
    echo close >&"$LOAD_IN" 2>/dev/null || true
    exec {LOAD_IN}>&-
    for _ in $(seq 1 600); do kill -0 "$LOAD_PID" 2>/dev/null || break; sleep 0.1; done
    stop_load
    exec {LOAD_OUT}<&-
}

# RSS once it has stopped moving: G1 hands memory freed by a full GC back to the OS from a background thread,
# so a reading right after the GC would still count the heap it is about to uncommit.
settled_rss_kb() { # pid
    local prev cur
    prev=$(rss_kb "$1")
    for _ in $(seq 1 20); do
        sleep 0.5
        cur=$(rss_kb "$1")
        (( cur - prev < 256 && prev - cur < 256 )) && break
        prev=$cur
    done
    echo "$cur"
}

# The pooler's memory, into the variables named by the caller's locals: RAW (VmRSS as it is), and for pgmux
# HEAP (live bytes), USED (GC.heap_info, kB) and RSS (VmRSS after the full GC); for PgBouncer RSS = RAW.
snapshot() { # system pid file-prefix
    RAW=$(rss_kb "$2")
    cat "/proc/$2/smaps" >"$3.smaps" 2>/dev/null || true  # per mapping: which memory grew (heap, malloc, stacks)
    if [[ $1 == pgmux ]]; then
        heap_snapshot "$2" "$3"
        HEAP=$(histogram_total "$3.histogram")
        USED=$(heap_used_kb "$3.heap_info")
        RSS=$(settled_rss_kb "$2")
        cat "/proc/$2/smaps" >"$3.after-gc.smaps" 2>/dev/null || true
    else
        RSS=$RAW
    fi
}

CSV=$RESULTS_DIR/idle.csv
JSONL=$WORK/rows.jsonl
echo "system,clients,status,start_rss_kb,listen_ms,connected,gave_up,failed_attempts,connect_s,answered,query_s,rss_base_kb,rss_kb,rss_per_client_b,raw_rss_base_kb,raw_rss_kb,raw_rss_per_client_b,heap_live_base_b,heap_live_b,heap_per_client_b,heap_used_base_kb,heap_used_kb,heap_used_per_client_b,heap_live_queried_b,heap_queried_per_client_b,errors" >"$CSV"
: >"$JSONL"

per_client() { # before after unit-bytes clients: the growth per client, in bytes (empty when unknown)
    [[ -n $1 && -n $2 ]] && echo $(( ($2 - $1) * $3 / $4 )) || true
}

measure() { # system clients
    local system=$1 n=$2 port pid status=ok tag="$1-$2"
    local idle="" answered="" connected=0 gave_up="" failed="" connect_s="" answered_n=0 query_s="" errors=""
    local RAW="" RSS="" HEAP="" USED="" raw_base rss_base heap_base used_base raw="" rss="" heap="" used="" queried=""
    local launched start_rss listen_ms=""
    launched=$(date +%s%3N)
    if [[ $system == pgbouncer ]]; then BOUNCER_PORT=$(free_port); port=$BOUNCER_PORT; start_pgbouncer
    else PGMUX_PORT=$(free_port); port=$PGMUX_PORT; start_pgmux; fi
    pid=$(cat "$WORK/$system.pid")
    # The footprint of a pooler nobody has used yet, and how long it took to accept clients: for pgmux from the
    # launch to the timestamp of its "listening" log line (JVM start, configuration, event loops, bind).
    start_rss=$(rss_kb "$pid")
    if [[ $system == pgmux ]]; then
        local stamp
        # The port answers a moment before the log line is written: wait for it.
        for _ in $(seq 50); do
            stamp=$(awk '/ pgmux listening on / {print $1; exit}' "$WORK/pgmux.log")
            [[ -n $stamp ]] && break
            sleep 0.1
        done
        [[ -n $stamp ]] && listen_ms=$(( $(date -u -d "$stamp" +%s%3N) - launched ))
    fi
    say "  $system: listening after ${listen_ms:-?} ms, RSS at start $((start_rss / 1024)) MiB"

    # One-off costs (class loading, JIT, server connections, first buffer chunks) are paid before the baseline,
    # so that what follows is what each further client adds.
    "$PYTHON" "$REPO/bench/idle_clients.py" --port "$port" --clients "$WARMUP_CLIENTS" --oneshot \
        --concurrency "$CONNECT_CONCURRENCY" >"$WORK/warmup.out" 2>>"$WORK/load.err" || true
    grep -q '^answered .*"answered": '"$WARMUP_CLIENTS"',' "$WORK/warmup.out" \
        || say "  warning: the warm-up did not get all $WARMUP_CLIENTS answers: $(tail -1 "$WORK/warmup.out")"
    sleep 2
    snapshot "$system" "$pid" "$RESULTS_DIR/$tag.before"
    raw_base=$RAW rss_base=$RSS heap_base=$HEAP used_base=$USED

    say "  $system: connecting $n idle clients (baseline RSS $((rss_base / 1024)) MiB)"
    start_load "$port" "$n"
    if ! idle=$(load_says idle $((120 + n / 20))); then
        status=load-failed; errors="the load generator gave no idle report; see logs/load.err"
    else
        read -r connected gave_up failed connect_s < <(json_field "$idle" connected gave_up failed_attempts seconds | paste -sd' ')
        errors=$(json_field "$idle" errors)
        say "  $system: $connected/$n logged in in ${connect_s}s ($failed failed attempts, $gave_up gave up)"
        sleep "$SETTLE"
        if ! kill -0 "$pid" 2>/dev/null; then
            status=down; errors="$system exited while holding the clients; see logs/$tag.log${errors:+; $errors}"
        else
            snapshot "$system" "$pid" "$RESULTS_DIR/$tag.after"
            raw=$RAW rss=$RSS heap=$HEAP used=$USED
        fi
        echo query >&"$LOAD_IN"
        if answered=$(load_says answered 420); then
            read -r answered_n query_s < <(json_field "$answered" answered seconds | paste -sd' ')
            local qerr
            qerr=$(json_field "$answered" errors)
            [[ -n $qerr ]] && errors="${errors:+$errors; }SELECT 1: $qerr"
            # The same clients idle again, each having run a query: what a client that has worked holds.
            if [[ $system == pgmux ]] && kill -0 "$pid" 2>/dev/null; then
                sleep "$SETTLE"
                heap_snapshot "$pid" "$RESULTS_DIR/$tag.queried"
                queried=$(histogram_total "$RESULTS_DIR/$tag.queried.histogram")
            fi
        else
            errors="${errors:+$errors; }no answer report from the load generator"
        fi
        (( answered_n == n )) || [[ $status != ok ]] || status=unanswered
        (( connected == n )) || [[ $status != ok ]] || status=not-all-connected
    fi
    finish_load
    local rss_pc raw_pc heap_pc used_pc
    rss_pc=$(per_client "$rss_base" "$rss" 1024 "$n")
    raw_pc=$(per_client "$raw_base" "$raw" 1024 "$n")
    heap_pc=$(per_client "$heap_base" "$heap" 1 "$n")
    used_pc=$(per_client "$used_base" "$used" 1024 "$n")
    local queried_pc
    queried_pc=$(per_client "$heap_base" "$queried" 1 "$n")
    say "  $system: RSS $((rss_base / 1024)) -> $(( ${rss:-0} / 1024 )) MiB (${rss_pc:-?} B/client)${heap_pc:+, live heap ${heap_pc} B/client}${queried_pc:+ (${queried_pc} B after one query each)}, $answered_n/$n answered SELECT 1${errors:+; errors: $errors}"

    stop_pidfile "$WORK/$system.pid" "$system"
    cp "$WORK/$system.log" "$RESULTS_DIR/logs/$tag.log"
    echo "$system,$n,$status,$start_rss,$listen_ms,$connected,$gave_up,$failed,$connect_s,$answered_n,$query_s,$rss_base,$rss,$rss_pc,$raw_base,$raw,$raw_pc,$heap_base,$heap,$heap_pc,$used_base,$used,$used_pc,$queried,$queried_pc,\"${errors//\"/\'}\"" >>"$CSV"
    printf '{"system":%s,"clients":%s,"status":%s,"start_rss_kb":%s,"listen_ms":%s,"rss_kb":{"baseline":%s,"with_clients":%s},"rss_per_client_b":%s,"rss_without_forced_gc_kb":{"baseline":%s,"with_clients":%s},"rss_without_forced_gc_per_client_b":%s,"heap_live_b":{"baseline":%s,"with_clients":%s},"heap_per_client_b":%s,"heap_used_after_gc_kb":{"baseline":%s,"with_clients":%s},"heap_used_per_client_b":%s,"heap_live_queried_b":%s,"heap_queried_per_client_b":%s,"idle":%s,"answered":%s}\n' \
        "$(json_str "$system")" "$n" "$(json_str "$status")" "$(json_num "$start_rss")" "$(json_num "$listen_ms")" \
        "$(json_num "$rss_base")" "$(json_num "$rss")" \
        "$(json_num "$rss_pc")" "$(json_num "$raw_base")" "$(json_num "$raw")" "$(json_num "$raw_pc")" \
        "$(json_num "$heap_base")" "$(json_num "$heap")" "$(json_num "$heap_pc")" "$(json_num "$used_base")" \
        "$(json_num "$used")" "$(json_num "$used_pc")" "$(json_num "$queried")" "$(json_num "$queried_pc")" "${idle:-null}" "${answered:-null}" >>"$JSONL"
    if [[ -n $heap ]]; then
        histogram_diff "$RESULTS_DIR/$tag.before.histogram" "$RESULTS_DIR/$tag.after.histogram" "$n" "$HISTOGRAM_TOP" \
            >"$RESULTS_DIR/$tag.histogram-diff.md"
    fi
    if [[ -n $queried ]]; then
        histogram_diff "$RESULTS_DIR/$tag.before.histogram" "$RESULTS_DIR/$tag.queried.histogram" "$n" "$HISTOGRAM_TOP" \
            >"$RESULTS_DIR/$tag.queried-diff.md"
    fi
    return 0
}

# --- machine description ------------------------------------------------------------------------------------
{
    echo "date (UTC):   $(date -u '+%Y-%m-%d %H:%M')"
    echo "machine:      $(nproc) cores ($(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/^MemTotal/ {printf "%.1f", $2 / 1048576}' /proc/meminfo) GiB RAM, $(uname -sr)"
    echo "java:         $(java -version 2>&1 | head -1)"
    echo "pgbouncer:    $([[ -n $PGBOUNCER ]] && "$PGBOUNCER" --version | head -1 || echo n/a)"
    echo "pgmux:        workers $PGMUX_WORKERS, transport $PGMUX_TRANSPORT${PGMUX_JAVA_OPTS:+, JVM flags $PGMUX_JAVA_OPTS}; repository HEAD $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "pgmux jar:    $PGMUX_JAR, sha256 $(sha256sum "$WORK/pgmux.jar" | cut -c1-16), built $(date -u -r "$PGMUX_JAR" '+%Y-%m-%d %H:%M UTC')"
    echo "settings:     IDLE_CLIENTS=\"$IDLE_CLIENTS\" POOL_SIZE=$POOL_SIZE MAX_CLIENT_CONN=$MAX_CLIENT_CONN WARMUP_CLIENTS=$WARMUP_CLIENTS SETTLE=$SETTLE CONNECT_CONCURRENCY=$CONNECT_CONCURRENCY CLIENTS_PER_PROCESS=$CLIENTS_PER_PROCESS; open files $FD_LIMIT"
} >"$RESULTS_DIR/machine.txt"
sed 's/^/    /' "$RESULTS_DIR/machine.txt" >&2

for n in $IDLE_CLIENTS; do
    for system in $SYSTEMS; do
        say "$n idle clients, $system (a fresh process)"
        measure "$system" "$n"
    done
done

# --- results ---------------------------------------------------------------------------------------------------
{ printf '{"machine":%s,"runs":[' "$(json_str "$(cat "$RESULTS_DIR/machine.txt")")"; paste -sd, "$JSONL"; printf ']}\n'; } \
    >"$RESULTS_DIR/results.json"
awk -F, 'function mib(kb) { return kb == "" ? "–" : sprintf("%.1f MiB", kb / 1024) }
    function b(v) { return v == "" ? "–" : v " B" }
    BEGIN { print "| system | N | RSS at start | listening after | RSS total | RSS baseline | RSS per client | heap per client | heap per client after one query | pgmux without forced GC: RSS total, per client | answered / N | logins: failed attempts, gave up |"
            print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|" }
    NR > 1 { raw = ($1 == "pgmux" && $16 != "") ? mib($16) ", " b($17) : "–"
             printf "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %d / %d%s | %s, %s |\n", $1, $2, mib($4), ($5 == "" ? "–" : $5 " ms"),
                 mib($13), mib($12), b($14), b($20), b($25), raw, $10, $2, ($3 == "ok" ? "" : " ⚠ " $3), $8, $7 }' \
    "$CSV" >"$RESULTS_DIR/table.md"
{
    echo "# Idle clients: PgBouncer vs pgmux"
    echo
    echo '```'
    cat "$RESULTS_DIR/machine.txt"
    echo '```'
    echo
    cat "$RESULTS_DIR/table.md"
    echo
    echo "RSS at start: VmRSS right after the pooler began listening, before any client. Listening after (pgmux): from the launch of the JVM to the timestamp of its 'listening' log line."
    echo "RSS: VmRSS of the pooler process with N idle clients; per client = (with N - baseline) / N; baseline after a $WARMUP_CLIENTS-client warm-up, in a fresh process per row."
    echo "pgmux: RSS read after a full GC (once it stopped moving), on both sides; the RSS the JVM happened to have before that GC is the 'without forced GC' column."
    echo "heap per client (pgmux): live objects after a full GC (GC.class_histogram total), (with N - baseline) / N; after one query: the same clients idle again once each has answered SELECT 1."
    # The errors are the last, quoted field, which may hold commas.
    awk -F, 'NR > 1 { msg = $0; sub(/^[^"]*"/, "", msg); sub(/"$/, "", msg); if (msg != "") print "- " $1 ", " $2 " clients: " msg }' \
        "$CSV" | sed '1s/^/\nErrors:\n\n/'
    for f in "$RESULTS_DIR"/pgmux-*.histogram-diff.md; do
        [[ -f $f ]] || continue
        n=${f##*/pgmux-}; n=${n%%.*}
        echo
        echo "pgmux heap at $n clients: the $HISTOGRAM_TOP classes that grew most (GC.class_histogram after - before)"
        echo
        cat "$f"
    done
} >"$RESULTS_DIR/summary.md"
[[ -f $WORK/load.err ]] && cp "$WORK/load.err" "$RESULTS_DIR/logs/load.err"

echo
cat "$RESULTS_DIR/summary.md"
echo
say "results: $RESULTS_DIR (summary.md, idle.csv, results.json, *.histogram, logs/)"
