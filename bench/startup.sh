#!/usr/bin/env bash
# pgmux's start-up: resident memory and time to listening for each set of JVM flags, before any client.
#
#   bench/startup.sh                                             # the image's flags and archive, three rounds
#   ROUNDS=2 bench/startup.sh "-XX:+UseSerialGC -Xmn8m" "MALLOC_ARENA_MAX=2|-XX:+UseSerialGC -Xmn8m -Xms16m"
#
# Each argument is one set of JVM flags; "VAR=value ...|flags" also sets environment variables for pgmux. Each set
# starts a fresh pgmux ROUNDS times in front of one throwaway PostgreSQL (pgmux asks it for its slots at start).
# A set naming -XX:SharedArchiveFile=FILE where no FILE exists yet first makes it with a training start of the same
# jar and flags, as the container image does (docker/cds-archive.sh):
#
#   bench/startup.sh "-XX:+UseSerialGC -Xmn8m" "-XX:+UseSerialGC -Xmn8m -XX:SharedArchiveFile=/tmp/pgmux.jsa"
#
# Results: a markdown table on stdout; with -XX:NativeMemoryTracking=summary among the flags, the NMT summary of
# each round in RESULTS_DIR.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

ROUNDS=${ROUNDS:-3}
SETTLE=${SETTLE:-3}                          # seconds after listening for the second RSS reading
POOL_SIZE=${POOL_SIZE:-20}
MAX_CLIENT_CONN=${MAX_CLIENT_CONN:-16000}    # as in idle.sh
PGMUX_WORKERS=${PGMUX_WORKERS:-0}
PGMUX_TRANSPORT=${PGMUX_TRANSPORT:-auto}
PGMUX_JAR=${PGMUX_JAR:-$REPO/proxy-cli/target/pgmux.jar}
RESULTS_DIR=${RESULTS_DIR:-$REPO/bench/results/$(date -u +%Y%m%dT%H%M%SZ)-startup}
PG_OS_USER=${PG_OS_USER:-pgmuxbench}
# The image's JAVA_OPTS that matter outside a container (docker/Dockerfile); its archive is made for the run.
DEFAULT_FLAGS="-XX:+UseSerialGC -Xmn4m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -XX:TrimNativeHeapInterval=1000 -XX:CompileThresholdScaling=10"

# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh"

[[ $ROUNDS =~ ^[1-9][0-9]*$ && $SETTLE =~ ^[0-9]+$ ]] || die "ROUNDS and SETTLE must be numbers"
find_tools 0
ensure_os_user
raise_fd_limit
command -v jcmd >/dev/null 2>&1 || die "jcmd (JDK) not found"

WORK=""
trap 'stop_servers' EXIT
trap 'say "interrupted"; exit 130' INT
trap 'exit 143' TERM
make_work startup
(( $# > 0 )) || set -- "MALLOC_ARENA_MAX=2|$DEFAULT_FLAGS -XX:SharedArchiveFile=$WORK/pgmux.jsa"
start_postgres 50

status_kb() { awk -v key="$2:" '$1 == key {print $2}' "/proc/$1/status"; }
mib() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }

# The AppCDS archive a set names, made now when it does not exist (the jar's path, size and time must be the run's).
train_archive() { # flags
    local archive
    [[ $1 =~ -XX:SharedArchiveFile=([^[:space:]]+) ]] || return 0
    archive=${BASH_REMATCH[1]}
    [[ -e $archive ]] && return 0
    say "AppCDS archive $archive: training start"
    # shellcheck disable=SC2086 # the set's other flags, a list
    CDS_LISTEN_PORT=$(free_port) CDS_METRICS_PORT=$(free_port) \
        "$REPO/docker/cds-archive.sh" java "$WORK/pgmux.jar" "$archive" ${1//-XX:SharedArchiveFile=$archive/} \
        || die "no AppCDS archive for: $1"
}
for set in "$@"; do train_archive "${set#*|}"; done

measure_all() {
echo "| environment | JVM flags | round | RSS at listening | RSS ${SETTLE} s later | of which file-backed | listening after | classes loaded |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
local set_number set envs flags round pid rss later file stamp listen_ms classes launched
# Round by round, each set once per round: a change in the machine's load hits every set alike.
for round in $(seq 1 "$ROUNDS"); do
    set_number=0
    for set in "$@"; do
        set_number=$((set_number + 1))
        envs=""
        flags=$set
        if [[ $set == *"|"* ]]; then envs=${set%%|*}; flags=${set#*|}; fi
        PGMUX_PORT=$(free_port)
        PGMUX_JAVA_OPTS=$flags
        # The last round's pid must not be taken for this one's, which has died, before it writes its own.
        rm -f "$WORK/pgmux.pid"
        launched=$(date +%s%3N)
        # shellcheck disable=SC2086 # envs is a list of VAR=value words
        (if [[ -n $envs ]]; then export $envs; fi; start_pgmux) 2>>"$RESULTS_DIR/logs/progress.txt"
        pid=$(cat "$WORK/pgmux.pid")
        rss=$(status_kb "$pid" VmRSS)
        sleep "$SETTLE"
        later=$(status_kb "$pid" VmRSS)
        file=$(status_kb "$pid" RssFile)
        stamp=$(awk '/ pgmux listening on / {print $1; exit}' "$WORK/pgmux.log")
        listen_ms=""
        [[ -n $stamp ]] && listen_ms=$(( $(date -u -d "$stamp" +%s%3N) - launched ))
        classes=$(as_srv jcmd "$pid" VM.classloader_stats 2>/dev/null | awk '/^Total = / {print $4; exit}')
        if [[ $flags == *NativeMemoryTracking* ]]; then
            as_srv jcmd "$pid" VM.native_memory summary >"$RESULTS_DIR/nmt-$set_number-$round.txt" || true
        fi
        cp "$WORK/pgmux.log" "$RESULTS_DIR/logs/pgmux-$set_number-$round.log"
        echo "| ${envs:-–} | \`$flags\` | $round | $(mib "$rss") MiB | $(mib "$later") MiB | $(mib "$file") MiB | ${listen_ms:-?} ms | ${classes:-?} |"
        stop_pidfile "$WORK/pgmux.pid" pgmux
    done
done
}
measure_all "$@" | tee "$RESULTS_DIR/table.md"
# Per set: the median of its rounds (the lower middle one for an even count).
{
    echo
    echo "| environment | JVM flags | rounds | RSS at listening | RSS ${SETTLE} s later | listening after |"
    echo "|---|---|---:|---:|---:|---:|"
    awk -F' [|] ' 'NR > 2 {
            key = $1 " | " $2; if (!(key in n)) order[++sets] = key
            n[key]++; rss[key, n[key]] = $4 + 0; later[key, n[key]] = $5 + 0; ms[key, n[key]] = $7 + 0 }
        function median(a, key, count,   i, j, v, t) {
            for (i = 1; i <= count; i++) v[i] = a[key, i]
            for (i = 1; i <= count; i++) for (j = i + 1; j <= count; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
            return v[int((count + 1) / 2)] }
        END { for (s = 1; s <= sets; s++) { k = order[s]
            printf "%s | %d | %.1f MiB | %.1f MiB | %d ms |\n", k, n[k], median(rss, k, n[k]), median(later, k, n[k]), median(ms, k, n[k]) } }' \
        "$RESULTS_DIR/table.md"
} | tee "$RESULTS_DIR/medians.md"
say "results: $RESULTS_DIR (table.md, logs/, nmt-*.txt)"
