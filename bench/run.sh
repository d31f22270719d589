#!/usr/bin/env bash
# pgbench against PostgreSQL directly, through PgBouncer and through pgmux, in one run. See bench/README.md.
#
#   bench/run.sh                                     # full matrix: ~20 minutes
#   CLIENTS="20 200" DURATION=5 WARMUP=2 bench/run.sh
#
# Results: a markdown table on stdout, and bench/results/<timestamp>/{summary.md,runs.csv,results.json,logs/}.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# --- knobs (environment) -----------------------------------------------------------------------------------
CLIENTS=${CLIENTS:-"1 20 200 1000"}          # pgbench -c values
DURATION=${DURATION:-10}                     # seconds per measured run (pgbench -T)
WARMUP=${WARMUP:-3}                          # seconds of unmeasured warm-up before every measured run
REPEAT=${REPEAT:-1}                          # measured rounds per cell; the table shows medians
WORKLOADS=${WORKLOADS:-"select tpcb"}        # select = pgbench -S, tpcb = pgbench's default script
PROTOCOLS=${PROTOCOLS:-"simple extended prepared"}  # pgbench -M values
SYSTEMS=${SYSTEMS:-"direct pgbouncer pgmux"}
SCALE=${SCALE:-10}                           # pgbench -i -s
POOL_SIZE=${POOL_SIZE:-20}                   # server connections per pooler
MAX_CLIENT_CONN=${MAX_CLIENT_CONN:-2000}     # client cap of both poolers
THREADS=${THREADS:-2}                        # pgbench -j (capped at the client count)
RATE=${RATE:-0}                              # pgbench -R: a fixed rate in tps (0: as fast as it goes), so that
                                             # both systems' CPU per transaction is taken at the same throughput
DIRECT_MAX_CLIENTS=${DIRECT_MAX_CLIENTS:-290} # above this the direct runs are skipped (n/a)
JIT_WARMUP=${JIT_WARMUP:-15}                 # seconds of pgmux warm-up once at start (every client count, simple and
                                             # extended), before anything is measured
PGMUX_WORKERS=${PGMUX_WORKERS:-0}            # pgmux event loops; 0 = one per two cores
PGMUX_TRANSPORT=${PGMUX_TRANSPORT:-auto}      # pgmux transport: auto, epoll, io_uring or nio
PGMUX_JAVA_OPTS=${PGMUX_JAVA_OPTS:-}         # extra JVM flags for pgmux, e.g. "-Xmx512m"
PGMUX_JAR=${PGMUX_JAR:-$REPO/proxy-cli/target/pgmux.jar}
KEEP_TX_LOGS=${KEEP_TX_LOGS:-0}              # 1 keeps pgbench's per-transaction logs in the results
WAIT_QUIET=${WAIT_QUIET:-0}                  # on a shared machine: wait up to this many seconds before each
QUIET_CORES=${QUIET_CORES:-0.25}             # measured run until other processes use less than this many cores
RESULTS_DIR=${RESULTS_DIR:-$REPO/bench/results/$(date -u +%Y%m%dT%H%M%SZ)}
PG_OS_USER=${PG_OS_USER:-pgmuxbench}         # servers run as this user when the script runs as root
PROFILE=${PROFILE:-0}                        # 1: a JFR recording of pgmux per measured run, in RESULTS_DIR/profiles/;
                                             # perf: a perf recording with the JIT's symbols (bench/perf-top.sh);
                                             # strace: system calls per transaction of either pooler
TLS=${TLS:-0}                                # 1: every leg over TLS (pgbench sslmode=require; both poolers
                                             # client_tls_sslmode and server_tls_sslmode require; ssl=on)

# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh"

# Writes table.md, errors.md and summary.md in RESULTS_DIR from runs.csv and machine.txt
# (also available on its own: bench/run.sh --report RESULTS_DIR).
write_report() {
    local CSV=$RESULTS_DIR/runs.csv
    # The table: medians over rounds per cell and system.
    awk -F, -v systems="$SYSTEMS" '
        function median(list,    a, n, i, j, t) {
            n = split(list, a, " ")
            if (n == 0) return ""
            for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
            return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
        }
        function add(k, v) { if (v != "") vals[k] = vals[k] " " v }
        function fmt_tps(v) { return v == "" ? "" : sprintf("%.0f", v) }
        function fmt_ms(v) { return v == "" ? "–" : sprintf("%.2f", v) }
        NR == 1 { next }
        {
            cell = $1 SUBSEP $2 SUBSEP $3; sys = $4; k = cell SUBSEP sys
            if (!(cell in seen)) { seen[cell] = 1; order[++ncell] = cell }
            if (!(k in status) || status[k] == "ok" || status[k] == "skipped") status[k] = $6
            if ($6 == "skipped") { skipped[k] = 1; next }
            ran[k] = 1
            if ($20 != "" && (!(cell in noise) || $20 + 0 > noise[cell] + 0)) noise[cell] = $20
            add(k SUBSEP "tps", ($8 == "" ? 0 : $8)); add(k SUBSEP "avg", $12); add(k SUBSEP "p50", $13); add(k SUBSEP "p99", $14)
            add(k SUBSEP "cpu", $18); add(k SUBSEP "user", $19)
            if ($18 != "" && $6 == "ok") { roundcpu[k SUBSEP $5] = $18; if ($5 + 0 > rounds) rounds = $5 + 0 }
            failed[k] += $10; aborted[k] += $11; if ($6 == "timeout") timeouts[k]++; if ($6 != "ok") bad[k]++
        }
        END {
            nsys = split(systems, S, " ")
            hdr = "| workload | protocol | clients |"; sep = "|---|---|---:|"
            for (s = 1; s <= nsys; s++) { hdr = hdr " " S[s] " tps |"; sep = sep "---:|" }
            has_b = index(" " systems " ", " pgbouncer ") > 0; has_m = index(" " systems " ", " pgmux ") > 0
            if (has_b && has_m) { hdr = hdr " pgmux / pgbouncer |"; sep = sep "---:|" }
            for (s = 1; s <= nsys; s++) { hdr = hdr " " S[s] " avg / p50 / p99 ms |"; sep = sep "---:|" }
            for (s = 1; s <= nsys; s++) if (S[s] != "direct") { hdr = hdr " " S[s] " CPU µs/tx (user) |"; sep = sep "---:|" }
            if (has_b && has_m) { hdr = hdr " CPU pgmux / pgbouncer, per round |"; sep = sep "---:|" }
            hdr = hdr " other procs CPU s |"; sep = sep "---:|"
            hdr = hdr " failures |"; sep = sep "---|"
            print hdr; print sep
            for (c = 1; c <= ncell; c++) {
                cell = order[c]; split(cell, parts, SUBSEP)
                line = "| " parts[1] " | " parts[2] " | " parts[3] " |"
                delete t
                for (s = 1; s <= nsys; s++) {
                    k = cell SUBSEP S[s]
                    if (k in skipped && !(k in ran)) { line = line " n/a |"; continue }
                    if (!(k in ran)) { line = line " |"; continue }
                    t[S[s]] = median(vals[k SUBSEP "tps"])
                    cellv = fmt_tps(t[S[s]])
                    if (bad[k]) cellv = (t[S[s]] + 0 == 0 ? "FAILED" : cellv " ⚠")
                    line = line " " cellv " |"
                }
                if (has_b && has_m) {
                    b = t["pgbouncer"] + 0; m = t["pgmux"] + 0
                    kb = cell SUBSEP "pgbouncer"; km = cell SUBSEP "pgmux"
                    if (b > 0 && m > 0 && !bad[kb] && !bad[km]) line = line " " sprintf("%.2f", m / b) " |"
                    else line = line " – |"
                }
                for (s = 1; s <= nsys; s++) {
                    k = cell SUBSEP S[s]
                    if (!(k in ran)) { line = line " n/a |"; continue }
                    a = median(vals[k SUBSEP "avg"]); p = median(vals[k SUBSEP "p50"]); q = median(vals[k SUBSEP "p99"])
                    line = line " " (a == "" ? "–" : fmt_ms(a) " / " fmt_ms(p) " / " fmt_ms(q)) " |"
                }
                for (s = 1; s <= nsys; s++) if (S[s] != "direct") {
                    k = cell SUBSEP S[s]; v = median(vals[k SUBSEP "cpu"]); u = median(vals[k SUBSEP "user"])
                    line = line " " ((k in ran) && v != "" ? sprintf("%.1f", v) (u != "" ? sprintf(" (%.1f)", u) : "") : "–") " |"
                }
                if (has_b && has_m) {
                    # The median of the ratios within each round: the two runs of a round are back to back, so
                    # such a ratio is less exposed to the machine drifting over the whole run than a ratio of medians.
                    ratios = ""
                    for (r = 1; r <= rounds; r++) {
                        rb = cell SUBSEP "pgbouncer" SUBSEP r; rm = cell SUBSEP "pgmux" SUBSEP r
                        if ((rb in roundcpu) && (rm in roundcpu) && roundcpu[rb] + 0 > 0)
                            ratios = ratios " " roundcpu[rm] / roundcpu[rb]
                    }
                    line = line " " (ratios == "" ? "–" : sprintf("%.2f", median(ratios))) " |"
                }
                line = line " " ((cell in noise) ? sprintf("%.1f", noise[cell]) : "–") " |"
                f = ""
                for (s = 1; s <= nsys; s++) {
                    k = cell SUBSEP S[s]
                    if (!(k in ran) || !bad[k]) continue
                    d = S[s] ": " status[k]
                    if (aborted[k]) d = d ", " aborted[k] " clients aborted"
                    if (failed[k]) d = d ", " failed[k] " failed tx"
                    f = f (f == "" ? "" : "; ") d
                }
                line = line " " f " |"
                print line
            }
        }' "$CSV" >"$RESULTS_DIR/table.md"

    # Distinct error messages, for the notes under the table.
    awk -F, 'NR > 1 && $6 != "ok" && $6 != "skipped" {
            msg = $0; sub(/^[^"]*"/, "", msg); sub(/"$/, "", msg)
            gsub(/pgbench: error: /, "", msg); gsub(/client [0-9]+ /, "client N ", msg)
            key = $4 ": " msg
            if (!(key in seen)) { seen[key] = 1; print "- " $4 " (" $1 ", -M " $2 ", " $3 " clients, first seen): " msg }
        }' "$CSV" >"$RESULTS_DIR/errors.md"

    {
        echo "# pgbench: direct vs PgBouncer vs pgmux"
        echo
        echo '```'
        cat "$RESULTS_DIR/machine.txt"
        echo '```'
        echo
        cat "$RESULTS_DIR/table.md"
        echo
        echo "tps: pgbench's 'tps (without initial connection time)', median over $REPEAT round(s)."
        echo "Latency: from pgbench's per-transaction log (-l), completed transactions only; nearest-rank p50/p99."
        echo "CPU µs/tx: pooler process user+system CPU during the measured run (/proc/PID/stat) / transactions; in brackets the user part."
        echo "⚠ = some clients aborted or transactions failed; FAILED = no transaction completed; n/a = not run."
        echo "other procs CPU s: the most CPU time processes outside the benchmark used during one measured run of the row (a run offers $DURATION s x $(nproc) cores); well above 0 means the row is disturbed."
        awk -F, -v dur="$DURATION" -v cores="$(nproc)" 'NR > 1 && $20 != "" { n++; sum += $20; if ($20 + 0 > max) { max = $20 + 0; at = $1 " -M " $2 " c" $3 " " $4 } }
            END { if (n) printf "Other processes on the machine used %.1f CPU s per measured run on average (max %.1f s, in %s); a run offers %d CPU s (%d s x %d cores).\n", sum / n, max, at, dur * cores, dur, cores }' "$CSV"
        if [[ -s $RESULTS_DIR/errors.md ]]; then
            echo
            echo "Errors:"
            echo
            cat "$RESULTS_DIR/errors.md"
        fi
    } >"$RESULTS_DIR/summary.md"
}

if [[ ${1:-} == --report ]]; then
    [[ -n ${2:-} && -f $2/runs.csv && -f $2/settings.env ]] || die "usage: bench/run.sh --report bench/results/<timestamp>"
    RESULTS_DIR=$(cd "$2" && pwd)
    # shellcheck disable=SC1091
    source "$RESULTS_DIR/settings.env"
    write_report
    cat "$RESULTS_DIR/summary.md"
    exit 0
fi
[[ $# -eq 0 ]] || die "bench/run.sh takes no arguments (settings are environment variables, see bench/README.md)"

for n in $CLIENTS $DURATION $WARMUP $REPEAT $SCALE $POOL_SIZE $THREADS $RATE $DIRECT_MAX_CLIENTS $JIT_WARMUP $WAIT_QUIET; do
    [[ $n =~ ^[0-9]+$ ]] || die "not a number: '$n' (check CLIENTS, DURATION, WARMUP, REPEAT, ...)"
done
for w in $WORKLOADS; do [[ $w == select || $w == tpcb ]] || die "WORKLOADS: unknown workload '$w' (select, tpcb)"; done
for p in $PROTOCOLS; do [[ $p =~ ^(simple|extended|prepared)$ ]] || die "PROTOCOLS: unknown protocol '$p'"; done
for s in $SYSTEMS; do [[ $s =~ ^(direct|pgbouncer|pgmux)$ ]] || die "SYSTEMS: unknown system '$s'"; done
(( DURATION > 0 && REPEAT > 0 )) || die "DURATION and REPEAT must be positive"

# --- tools ---------------------------------------------------------------------------------------------------
find_tools "$([[ " $SYSTEMS " == *" pgbouncer "* ]] && echo 1 || echo 0)"
case $PROFILE in
    0 | 1) ;;
    perf)
        command -v perf >/dev/null 2>&1 || die "PROFILE=perf needs perf (Debian: apt-get install linux-perf)"
        PGMUX_JAVA_OPTS="$PGMUX_JAVA_OPTS -XX:+PreserveFramePointer"
        ;;
    strace) command -v strace >/dev/null 2>&1 || die "PROFILE=strace needs strace (Debian: apt-get install strace)" ;;
    *) die "PROFILE is 0, 1 (JFR), perf or strace, not '$PROFILE'" ;;
esac
ensure_os_user
raise_fd_limit

# --- cleanup ------------------------------------------------------------------------------------------------
WORK=""
PGDATA_DIR=""
PGBENCH_PID=""
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [[ -n $PGBENCH_PID ]]; then
        kill -TERM "$PGBENCH_PID" 2>/dev/null || true
        wait "$PGBENCH_PID" 2>/dev/null || true
    fi
    stop_servers
    if (( status != 0 )) && [[ -f $RESULTS_DIR/settings.env && ! -f $RESULTS_DIR/summary.md ]] \
        && (( $(wc -l <"$RESULTS_DIR/runs.csv" 2>/dev/null || echo 0) > 1 )); then
        write_report 2>/dev/null && say "partial results: $RESULTS_DIR/summary.md"
    fi
    (( status == 0 )) || say "stopped (status $status); everything started by this run has been shut down"
    exit "$status"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT
trap 'exit 143' TERM

make_work bench

PG_PORT=$(free_port)
BOUNCER_PORT=$(free_port)
PGMUX_PORT=$(free_port)
[[ $PG_PORT != "$BOUNCER_PORT" && $PG_PORT != "$PGMUX_PORT" && $BOUNCER_PORT != "$PGMUX_PORT" ]] \
    || die "port collision, please retry"

# --- PostgreSQL ---------------------------------------------------------------------------------------------
# Direct clients plus the server connections both poolers keep open must fit.
PG_MAX_CONNECTIONS=$((DIRECT_MAX_CLIENTS + 2 * POOL_SIZE + 10))
[[ $TLS == 1 ]] && make_tls_files
start_postgres "$PG_MAX_CONNECTIONS" "$PG_PORT"

say "pgbench -i -s $SCALE"
"$PGBENCH" -i -q -s "$SCALE" -p "$PG_PORT" >"$WORK/pgbench-init.log" 2>&1 \
    || { cat "$WORK/pgbench-init.log" >&2; die "pgbench -i failed"; }
"$PSQL" -X -q -p "$PG_PORT" -c "VACUUM ANALYZE" -c "CHECKPOINT" >/dev/null 2>&1 || true

# --- PgBouncer ----------------------------------------------------------------------------------------------
if [[ " $SYSTEMS " == *" pgbouncer "* ]]; then
    start_pgbouncer
fi

# --- pgmux ----------------------------------------------------------------------------------------------------
if [[ " $SYSTEMS " == *" pgmux "* ]]; then
    start_pgmux
fi

port_of() {
    case $1 in
        direct) echo "$PG_PORT" ;;
        pgbouncer) echo "$BOUNCER_PORT" ;;
        pgmux) echo "$PGMUX_PORT" ;;
    esac
}
pid_of() {
    case $1 in
        pgbouncer) cat "$WORK/pgbouncer.pid" ;;
        pgmux) cat "$WORK/pgmux.pid" ;;
        *) echo "" ;;
    esac
}
for s in $SYSTEMS; do
    out=$("$PSQL" -X -At -p "$(port_of "$s")" -c "select count(*) from pgbench_branches" 2>&1) \
        || die "cannot query through $s: $out"
    [[ $out == "$SCALE" ]] || die "unexpected answer through $s: $out"
done

# --- machine description ------------------------------------------------------------------------------------
CLK_TCK=$(getconf CLK_TCK)
JAVA_VERSION=$(java -version 2>&1 | head -1)
PG_VERSION=$("$PG_BIN/postgres" --version)
BOUNCER_VERSION=$([[ -n $PGBOUNCER ]] && "$PGBOUNCER" --version | head -1 || echo "n/a")
PGMUX_COMMIT=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
PGMUX_DIRTY=$([[ -n $(git -C "$REPO" status --porcelain -- '*.java' '*pom.xml' 2>/dev/null) ]] && echo " + uncommitted changes to sources" || true)
CPU_MODEL=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || echo unknown)
MEM_GB=$(awk '/^MemTotal/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)
{
    echo "date (UTC):   $(date -u '+%Y-%m-%d %H:%M')"
    echo "machine:      $(nproc) cores ($CPU_MODEL), ${MEM_GB} GiB RAM, $(uname -sr)"
    echo "java:         $JAVA_VERSION"
    echo "postgresql:   $PG_VERSION (scale $SCALE, max_connections $PG_MAX_CONNECTIONS, shared_buffers 512MB, fsync/synchronous_commit/full_page_writes off)"
    echo "pgbouncer:    $BOUNCER_VERSION"
    echo "pgmux:        workers $PGMUX_WORKERS, transport $PGMUX_TRANSPORT${PGMUX_JAVA_OPTS:+, JVM flags $PGMUX_JAVA_OPTS}; repository HEAD $PGMUX_COMMIT$PGMUX_DIRTY"
    echo "pgmux jar:    $PGMUX_JAR, sha256 $(sha256sum "$WORK/pgmux.jar" | cut -c1-16), built $(date -u -r "$PGMUX_JAR" '+%Y-%m-%d %H:%M UTC')"
    echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) at start"
    echo "settings:     CLIENTS=\"$CLIENTS\" DURATION=$DURATION WARMUP=$WARMUP REPEAT=$REPEAT WORKLOADS=\"$WORKLOADS\" PROTOCOLS=\"$PROTOCOLS\" POOL_SIZE=$POOL_SIZE THREADS=$THREADS RATE=$RATE JIT_WARMUP=$JIT_WARMUP WAIT_QUIET=$WAIT_QUIET"
} >"$RESULTS_DIR/machine.txt"
# What --report needs to redraw the table later.
printf 'SYSTEMS=%q\nDURATION=%q\nREPEAT=%q\n' "$SYSTEMS" "$DURATION" "$REPEAT" >"$RESULTS_DIR/settings.env"
sed 's/^/    /' "$RESULTS_DIR/machine.txt" >&2

# --- one pgbench run ------------------------------------------------------------------------------------------
CSV=$RESULTS_DIR/runs.csv
JSONL=$WORK/runs.jsonl
echo "workload,protocol,clients,system,round,status,exit_code,tps,transactions,failed_tx,aborted_clients,lat_avg_ms,lat_p50_ms,lat_p99_ms,lat_max_ms,pgbench_lat_avg_ms,pooler_cpu_s,pooler_cpu_us_per_tx,pooler_user_us_per_tx,other_cpu_s,error" >"$CSV"
: >"$JSONL"

cpu_ticks() { # "utime+stime utime" of a whole process (all threads), in clock ticks
    local s
    s=$(<"/proc/$1/stat") || return 1
    s=${s##*) }
    # shellcheck disable=SC2086
    set -- $s
    echo "$(( ${12} + ${13} )) ${12}"
}

# With PROFILE=1: a JFR recording (settings=profile: method samples every 10-20 ms, allocation samples) of
# pgmux over each measured run, written to RESULTS_DIR/profiles/<run>.jfr. Started and stopped with jcmd as the
# user pgmux runs as. The recording costs pgmux some CPU: compare profiled runs with profiled runs only.
jfr_start() { # pid tag
    mkdir -p "$RESULTS_DIR/profiles"
    chmod 777 "$RESULTS_DIR/profiles"
    as_srv jcmd "$1" JFR.start name=bench settings=profile filename="$RESULTS_DIR/profiles/$2.jfr" >/dev/null \
        || say "warning: could not start a JFR recording in pgmux"
}
jfr_stop() { # pid
    as_srv jcmd "$1" JFR.stop name=bench >/dev/null || say "warning: could not stop the JFR recording in pgmux"
}

# With PROFILE=perf: `perf record -g` (499 Hz, every thread, kernel and JVM included, which JFR does not see) of
# pgmux over each measured run, to RESULTS_DIR/profiles/<run>.perf.data, and the JIT's symbol map at the run's end
# (jcmd Compiler.perfmap) beside it as <run>.perf.map. pgmux then runs with -XX:+PreserveFramePointer, so that
# the call graphs go through Java frames. Summarise with bench/perf-top.sh.
PERF_PID=""
perf_start() { # pid tag
    mkdir -p "$RESULTS_DIR/profiles"
    perf record -F 499 -g -p "$1" -o "$RESULTS_DIR/profiles/$2.perf.data" >/dev/null 2>&1 &
    PERF_PID=$!
}
perf_stop() { # pid tag
    kill -INT "$PERF_PID" 2>/dev/null || true
    wait "$PERF_PID" 2>/dev/null || true
    as_srv jcmd "$1" Compiler.perfmap >/dev/null || say "warning: could not write the JIT's symbol map"
    cp "/tmp/perf-$1.map" "$RESULTS_DIR/profiles/$2.perf.map" 2>/dev/null \
        || say "warning: no /tmp/perf-$1.map to keep beside the perf recording"
}

# With PROFILE=strace: `strace -c -f` of the pooler, either system, over each measured run, to
# RESULTS_DIR/profiles/<run>.strace, and the system calls per transaction in the log. strace stops the traced
# process at each system call, so the tps and CPU of such runs mean nothing; the calls per transaction do.
STRACE_PID=""
strace_start() { # pid tag
    mkdir -p "$RESULTS_DIR/profiles"
    strace -c -f -p "$1" -o "$RESULTS_DIR/profiles/$2.strace" 2>/dev/null &
    STRACE_PID=$!
}
strace_stop() {
    kill -INT "$STRACE_PID" 2>/dev/null || true
    wait "$STRACE_PID" 2>/dev/null || true
}
strace_report() { # tag transactions
    local f=$RESULTS_DIR/profiles/$1.strace
    [[ -s $f && $2 =~ ^[0-9]+$ && $2 -gt 0 ]] || return 0
    # strace -c's table: % time, seconds, usecs/call, calls, [errors,] syscall; calls under one per 200
    # transactions are left out.
    say "    system calls per transaction: $(awk -v tx="$2" '$4 ~ /^[0-9]+$/ && $NF ~ /^[a-z_0-9]+$/ && $NF != "total" \
        && $4 / tx >= 0.005 { printf "%s %.2f, ", $NF, $4 / tx }' "$f" | sed 's/, $//')"
}

# CPU used by processes that are not part of this benchmark (other users' builds, tests, another benchmark
# running as the same OS user, ...), so that a noisy machine shows up in the results. A snapshot lists pid and
# utime+stime+cutime+cstime of every process that is neither ours (this shell and its descendants, which include
# PgBouncer and pgmux; our postmaster and its children) nor the kernel's.
proc_snapshot() { # file
    local postmaster=""
    [[ -f $PGDATA_DIR/postmaster.pid ]] && postmaster=$(head -1 "$PGDATA_DIR/postmaster.pid")
    { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v me="$$" -v pm="$postmaster" '
        {
            pid = $1; rest = $0; sub(/^.*\) /, "", rest); n = split(rest, f, " ")
            if (n < 15) next
            parent[pid] = f[2]; ticks[pid] = f[12] + f[13] + f[14] + f[15]
        }
        END {
            skip[me] = 1; if (pm != "") skip[pm] = 1
            do { changed = 0
                 for (p in parent) if (!(p in skip) && (parent[p] in skip)) { skip[p] = 1; changed = 1 }
            } while (changed)
            for (p in ticks) if (!(p in skip) && parent[p] != 2 && p != 2) print p, ticks[p]
        }' >"$1"
}
foreign_cpu_s() { # before_file after_file: CPU seconds others used in between
    # A process that exited in between shows up again in its parent's cutime/cstime (all of its life), so
    # what it had used before is taken off again. Approximate, but it does not miss a busy neighbour.
    awk -v hz="$CLK_TCK" 'NR == FNR { before[$1] = $2; next }
        { seen[$1] = 1; d = $2 - (($1 in before) ? before[$1] : 0); if (d > 0) sum += d }
        END { for (p in before) if (!(p in seen)) sum -= before[p]
              if (sum < 0) sum = 0
              printf "%.2f", sum / hz }' "$1" "$2"
}

# With WAIT_QUIET > 0: wait (at most that long) until other processes use less than QUIET_CORES cores,
# measured over one-second windows. Sets QUIET_WAITED to the seconds it waited. (No command substitution: a
# signal must reach our traps within a second.)
QUIET_WAITED=0
wait_quiet() {
    local used
    QUIET_WAITED=0
    (( WAIT_QUIET > 0 )) || return 0
    while (( QUIET_WAITED < WAIT_QUIET )); do
        proc_snapshot "$WORK/quiet.before"
        sleep 1
        proc_snapshot "$WORK/quiet.after"
        used=$(foreign_cpu_s "$WORK/quiet.before" "$WORK/quiet.after")
        awk -v u="$used" -v q="$QUIET_CORES" 'BEGIN { exit !(u < q) }' && break
        QUIET_WAITED=$((QUIET_WAITED + 1))
    done
    return 0
}

# pgbench argument list for a workload/protocol/client count.
pgbench_args() { # workload protocol clients port
    local j=$THREADS
    (( $3 < j )) && j=$3
    (( j < 1 )) && j=1
    local args=(-n -M "$2" -c "$3" -j "$j" -h 127.0.0.1 -p "$4" -U bench)
    [[ $1 == select ]] && args+=(-S)
    (( RATE > 0 )) && args+=(-R "$RATE")
    printf '%s\n' "${args[@]}"
}

# Runs pgbench in the background (so that Ctrl-C reaches our trap at once) and waits for it.
run_pgbench() { # out_file seconds args...
    local out=$1 secs=$2
    shift 2
    timeout --foreground -k 10 $((secs * 3 + 120)) "$PGBENCH" "$@" -T "$secs" bench >"$out" 2>&1 &
    PGBENCH_PID=$!
    local rc=0
    wait "$PGBENCH_PID" || rc=$?
    PGBENCH_PID=""
    return "$rc"
}

reset_tpcb() { # what pgbench's own vacuum step does, done directly so no pooler pays for it
    "$PSQL" -X -q -p "$PG_PORT" -c "VACUUM pgbench_branches" -c "VACUUM pgbench_tellers" \
        -c "TRUNCATE pgbench_history" >/dev/null 2>&1 || say "warning: vacuum/truncate failed"
}

measure() { # workload protocol clients system round
    local workload=$1 proto=$2 clients=$3 system=$4 round=$5
    local tag="$workload-$proto-c$clients-$system-r$round"
    local dir=$WORK/runs/$tag
    mkdir -p "$dir"
    local status=ok rc=0 tps="" tx="" failed="" aborted=0 avg="" p50="" p99="" pmax="" pgb_avg="" cpu_s="" cpu_us="" user_us="" other_cpu="" err=""

    local pid=""
    pid=$(pid_of "$system")
    if [[ $system == direct ]] && (( clients > DIRECT_MAX_CLIENTS )); then
        status=skipped
        err="direct: more than DIRECT_MAX_CLIENTS=$DIRECT_MAX_CLIENTS clients (PostgreSQL max_connections)"
    elif [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
        status=down
        err="$system (pid $pid) is not running any more; see logs/$system.log"
        say "  $system has died: not measured (last lines of its log below)"
        tail -5 "$WORK/$system.log" | sed 's/^/      /' >&2
    else
        local port args
        port=$(port_of "$system")
        mapfile -t args < <(pgbench_args "$workload" "$proto" "$clients" "$port")
        [[ $workload == tpcb ]] && reset_tpcb
        wait_quiet
        (( QUIET_WAITED > 0 )) && say "  (waited ${QUIET_WAITED}s for other processes to calm down)"
        if (( WARMUP > 0 )); then
            run_pgbench "$dir/warmup.out" "$WARMUP" "${args[@]}" || true
        fi
        local t0="" t1="" u0="" u1=""
        local profiling=0
        [[ $PROFILE != 0 && $system == pgmux && -n $pid ]] && profiling=1
        [[ $PROFILE == strace && -n $pid ]] && profiling=1
        if (( profiling )); then
            case $PROFILE in
                perf) perf_start "$pid" "$tag" ;;
                strace) strace_start "$pid" "$tag" ;;
                *) jfr_start "$pid" "$tag" ;;
            esac
        fi
        proc_snapshot "$dir/procs.before"
        [[ -n $pid ]] && read -r t0 u0 < <(cpu_ticks "$pid" || true)
        run_pgbench "$dir/pgbench.out" "$DURATION" "${args[@]}" -l --log-prefix="$dir/tx" || rc=$?
        [[ -n $pid ]] && read -r t1 u1 < <(cpu_ticks "$pid" || true)
        if (( profiling )); then
            case $PROFILE in
                perf) perf_stop "$pid" "$tag" ;;
                strace) strace_stop ;;
                *) jfr_stop "$pid" ;;
            esac
        fi
        proc_snapshot "$dir/procs.after"
        other_cpu=$(foreign_cpu_s "$dir/procs.before" "$dir/procs.after")

        local out=$dir/pgbench.out
        tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$out" | head -1)
        tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$out" | head -1)
        failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$out" | head -1)
        pgb_avg=$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' "$out" | head -1)
        aborted=$(grep -cE 'client [0-9]+ (script [0-9]+ )?aborted' "$out" || true)
        # The most telling line: a FATAL from the server/pooler, else why a client aborted, else any error.
        err=$(grep -m1 'FATAL' "$out" || grep -m1 -E 'client [0-9]+ (script [0-9]+ )?aborted' "$out" \
            || grep -m1 -E 'error|ERROR' "$out" || true)
        err=$(printf '%s' "$err" | cut -c1-300)

        # Latency percentiles from the per-transaction log: field 3 is the transaction's latency in µs
        # ("failed"/"skipped" for transactions that did not complete); nearest-rank percentiles.
        local lat=$dir/lat.txt
        cat "$dir"/tx.* 2>/dev/null | awk '$3 ~ /^[0-9]+$/ {print $3}' | LC_ALL=C sort -n -S 20% >"$lat" || true
        local n
        n=$(wc -l <"$lat")
        if (( n > 0 )); then
            read -r avg p50 p99 pmax < <(awk -v n="$n" '
                BEGIN { i50 = int(n * 0.50); if (i50 < n * 0.50) i50++; if (i50 < 1) i50 = 1
                        i99 = int(n * 0.99); if (i99 < n * 0.99) i99++; if (i99 < 1) i99 = 1 }
                { sum += $1 }
                NR == i50 { p50 = $1 }
                NR == i99 { p99 = $1 }
                END { printf "%.3f %.3f %.3f %.3f\n", sum / n / 1000, p50 / 1000, p99 / 1000, $1 / 1000 }' "$lat")
        fi
        if (( KEEP_TX_LOGS )); then
            mkdir -p "$RESULTS_DIR/txlogs/$tag"
            mv "$dir"/tx.* "$RESULTS_DIR/txlogs/$tag/" 2>/dev/null || true
        fi
        rm -f "$dir"/tx.* "$lat"

        if [[ -n $t0 && -n $t1 ]]; then
            cpu_s=$(awk -v d=$((t1 - t0)) -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", d / hz }')
            if [[ -n $tx && $tx -gt 0 ]]; then
                cpu_us=$(awk -v d=$((t1 - t0)) -v hz="$CLK_TCK" -v tx="$tx" 'BEGIN { printf "%.1f", d / hz * 1e6 / tx }')
                user_us=$(awk -v d=$((u1 - u0)) -v hz="$CLK_TCK" -v tx="$tx" 'BEGIN { printf "%.1f", d / hz * 1e6 / tx }')
            fi
        fi

        if (( rc == 124 || rc == 137 )); then
            status=timeout
            err="pgbench did not finish within $((DURATION * 3 + 120)) s (killed); ${err}"
        elif [[ -z $tx || $tx == 0 ]]; then
            status=failed
        elif (( aborted > 0 || rc != 0 )); then
            status=aborted
        elif [[ -n $failed && $failed != 0 ]]; then
            status=errors
        fi
        [[ $status == ok ]] && err=""
        [[ -z $err && $status != ok ]] && err="pgbench exit status $rc"
        cp "$out" "$RESULTS_DIR/logs/pgbench-$tag.out" 2>/dev/null || true
    fi

    local csv_err=${err//\"/\'} # the last field, quoted: commas may stay
    echo "$workload,$proto,$clients,$system,$round,$status,$rc,$tps,$tx,$failed,$aborted,$avg,$p50,$p99,$pmax,$pgb_avg,$cpu_s,$cpu_us,$user_us,$other_cpu,\"$csv_err\"" >>"$CSV"
    printf '{"workload":%s,"protocol":%s,"clients":%s,"system":%s,"round":%s,"status":%s,"exit_code":%s,"tps":%s,"transactions":%s,"failed_transactions":%s,"aborted_clients":%s,"latency_ms":{"avg":%s,"p50":%s,"p99":%s,"max":%s,"pgbench_avg":%s},"pooler_cpu_s":%s,"pooler_cpu_us_per_tx":%s,"pooler_user_us_per_tx":%s,"other_processes_cpu_s":%s,"error":%s}\n' \
        "$(json_str "$workload")" "$(json_str "$proto")" "$clients" "$(json_str "$system")" "$round" \
        "$(json_str "$status")" "$rc" "$(json_num "$tps")" "$(json_num "$tx")" "$(json_num "$failed")" "$aborted" \
        "$(json_num "$avg")" "$(json_num "$p50")" "$(json_num "$p99")" "$(json_num "$pmax")" "$(json_num "$pgb_avg")" \
        "$(json_num "$cpu_s")" "$(json_num "$cpu_us")" "$(json_num "$user_us")" "$(json_num "$other_cpu")" "$(json_str "$err")" >>"$JSONL"
    local shown=${tps:-n/a}
    [[ $status != ok ]] && shown="$shown [$status${err:+: $err}]"
    say "  $system: tps ${shown}${p99:+, p50 $p50 ms, p99 $p99 ms}${cpu_us:+, ${cpu_us} µs CPU/tx}${other_cpu:+ (other processes: ${other_cpu} CPU s)}"
    [[ $PROFILE == strace ]] && strace_report "$tag" "$tx"
    rm -rf "$dir"
}

mkdir -p "$RESULTS_DIR/logs"

# --- JIT warm-up: pgmux runs a while before anything is measured -----------------------------------------------
# Every client count to be measured, simple then extended: at many clients other code is hot (the wait queue, the
# hand-off between loops) than at few, and is otherwise compiled during the first measured runs.
if [[ " $SYSTEMS " == *" pgmux "* ]] && (( JIT_WARMUP > 0 )); then
    read -r -a warm_clients <<<"$CLIENTS"
    slice=$(( (JIT_WARMUP + 2 * ${#warm_clients[@]} - 1) / (2 * ${#warm_clients[@]}) ))
    say "warming up pgmux for ${JIT_WARMUP}s (select-only, simple then extended, ${slice}s each at $CLIENTS clients)"
    for c in "${warm_clients[@]}"; do
        for m in simple extended; do
            run_pgbench "$WORK/jit-warmup-$m-c$c.out" "$slice" -n -S -M "$m" -c "$c" -j "$(( c < THREADS ? c : THREADS ))" \
                -h 127.0.0.1 -p "$PGMUX_PORT" || true
        done
    done
fi

# --- the matrix ---------------------------------------------------------------------------------------------
read -r -a SYS_LIST <<<"$SYSTEMS"
NSYS=${#SYS_LIST[@]}
cells=0
for _w in $WORKLOADS; do for _p in $PROTOCOLS; do for _c in $CLIENTS; do cells=$((cells + 1)); done; done; done
say "measuring $cells cells x $REPEAT round(s) x $NSYS systems, ${WARMUP}s warm-up + ${DURATION}s each"
turn=0
cell=0
for workload in $WORKLOADS; do
    for proto in $PROTOCOLS; do
        for clients in $CLIENTS; do
            cell=$((cell + 1))
            for round in $(seq 1 "$REPEAT"); do
                # Rotate the order every round, so slow drift (autovacuum, checkpoints, heat) hits all systems alike.
                order=()
                for i in $(seq 0 $((NSYS - 1))); do order+=("${SYS_LIST[$(((i + turn) % NSYS))]}"); done
                turn=$((turn + 1))
                say "[$cell/$cells] $workload, -M $proto, $clients clients, round $round: ${order[*]}"
                for system in "${order[@]}"; do
                    measure "$workload" "$proto" "$clients" "$system" "$round"
                done
            done
        done
    done
done

# --- results ---------------------------------------------------------------------------------------------------
{
    printf '{"machine":{'
    first=1
    while IFS= read -r line; do
        key=${line%%:*}
        val=${line#*:}
        val=${val#"${val%%[! ]*}"}
        (( first )) || printf ','
        first=0
        printf '%s:%s' "$(json_str "${key// /_}")" "$(json_str "$val")"
    done <"$RESULTS_DIR/machine.txt"
    printf '},"settings":{"clients":%s,"duration_s":%s,"warmup_s":%s,"repeat":%s,"workloads":%s,"protocols":%s,"pool_size":%s,"threads":%s,"scale":%s,"jit_warmup_s":%s},"latency_method":%s,"runs":[' \
        "$(json_str "$CLIENTS")" "$DURATION" "$WARMUP" "$REPEAT" "$(json_str "$WORKLOADS")" "$(json_str "$PROTOCOLS")" \
        "$POOL_SIZE" "$THREADS" "$SCALE" "$JIT_WARMUP" \
        "$(json_str "pgbench -l per-transaction logs; nearest-rank p50/p99 over all completed transactions of the run")"
    paste -sd, "$JSONL"
    printf ']}\n'
} >"$RESULTS_DIR/results.json"

write_report


echo
cat "$RESULTS_DIR/summary.md"
echo
say "results: $RESULTS_DIR (summary.md, runs.csv, results.json, logs/)"
