#!/usr/bin/env bash
# Two pgmux builds, or one build under two sets of JVM flags, against one PostgreSQL, in alternating rounds: for a
# change to the hot path, where the spread between runs of one build (about ±10 % here) is larger than the change.
# See bench/README.md.
#
#   A_JAR=/tmp/before.jar bench/ab.sh             # B: proxy-cli/target/pgmux.jar
#   B_JAVA_OPTS="-XX:+UseSerialGC -Dio.netty.leakDetection.level=disabled" bench/ab.sh
#
# Prints, per protocol, each round's tps and pooler CPU µs per transaction (user in brackets) of A and B, then the
# medians and B/A.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

CLIENTS=${CLIENTS:-1000}                     # pgbench -c
PROTOCOLS=${PROTOCOLS:-"simple extended"}    # pgbench -M values
DURATION=${DURATION:-8}                      # seconds per measured run
WARMUP=${WARMUP:-2}                          # seconds of unmeasured warm-up before every measured run
ROUNDS=${ROUNDS:-6}                          # rounds per protocol; A and B take turns going first
JIT_WARMUP=${JIT_WARMUP:-20}                 # seconds of warm-up per variant and protocol before anything is measured
THREADS=${THREADS:-2}
POOL_SIZE=${POOL_SIZE:-20}
MAX_CLIENT_CONN=${MAX_CLIENT_CONN:-2000}
PGMUX_WORKERS=${PGMUX_WORKERS:-0}
PGMUX_TRANSPORT=${PGMUX_TRANSPORT:-auto}
IMAGE_OPTS="-XX:+UseSerialGC -Xmn4m -Xms8m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -XX:TrimNativeHeapInterval=1000 -XX:CompileThresholdScaling=10"
A_JAR=${A_JAR:-$REPO/proxy-cli/target/pgmux.jar}
B_JAR=${B_JAR:-$REPO/proxy-cli/target/pgmux.jar}
A_JAVA_OPTS=${A_JAVA_OPTS:-$IMAGE_OPTS}      # default: the container image's flags
B_JAVA_OPTS=${B_JAVA_OPTS:-$IMAGE_OPTS}
RESULTS_DIR=${RESULTS_DIR:-$REPO/bench/results/ab-$(date -u +%Y%m%dT%H%M%SZ)}
PG_OS_USER=${PG_OS_USER:-pgmuxbench}
PGMUX_JAR=$A_JAR                             # what find_tools checks for

# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh"

[[ -f $A_JAR && -f $B_JAR ]] || die "A_JAR and B_JAR must be built jars"
find_tools 0
ensure_os_user
raise_fd_limit
make_work ab
trap 'stop_pidfile "$WORK/a/pgmux.pid" "pgmux A"; stop_pidfile "$WORK/b/pgmux.pid" "pgmux B"; stop_servers' EXIT
start_postgres $((POOL_SIZE * 2 + 20))
say "pgbench -i -s 10"
"$PGBENCH" -i -q -s 10 -h 127.0.0.1 -p "$PG_PORT" bench >"$WORK/init.log" 2>&1 || { cat "$WORK/init.log" >&2; die "pgbench -i failed"; }

start_variant() { # name jar java_opts
    local dir=$WORK/$1
    mkdir -p "$dir"
    cp "$2" "$dir/pgmux.jar"
    PGMUX_PORT=$(free_port) || die "no free port"
    local saved=$WORK
    WORK=$dir PGMUX_JAVA_OPTS=$3 start_pgmux 2>/dev/null
    WORK=$saved
    eval "PORT_$1=$PGMUX_PORT"
    say "pgmux $1: port $PGMUX_PORT, jar $2 (sha256 $(sha256sum "$2" | cut -c1-16)), JVM flags $3"
}
[[ $EUID -eq 0 ]] && mkdir -p "$WORK/a" "$WORK/b" && chown "$PG_OS_USER" "$WORK/a" "$WORK/b"
start_variant a "$A_JAR" "$A_JAVA_OPTS"
start_variant b "$B_JAR" "$B_JAVA_OPTS"

ticks() { # "utime+stime utime" of a process
    local s
    s=$(<"/proc/$1/stat")
    s=${s##*) }
    # shellcheck disable=SC2086
    set -- $s
    echo "$(( ${12} + ${13} )) ${12}"
}
HZ=$(getconf CLK_TCK)

pgbench_run() { # seconds protocol port out
    timeout -k 10 $(($1 * 3 + 120)) "$PGBENCH" -n -S -M "$2" -c "$CLIENTS" -j "$THREADS" -h 127.0.0.1 -p "$3" \
        -T "$1" bench >"$4" 2>&1
}

for v in a b; do
    port_var=PORT_$v
    for m in $PROTOCOLS; do
        say "warming up pgmux $v: $m, ${JIT_WARMUP}s"
        pgbench_run "$JIT_WARMUP" "$m" "${!port_var}" "$WORK/warm-$v-$m.out" || true
    done
done

mkdir -p "$RESULTS_DIR"
CSV=$RESULTS_DIR/rounds.csv
echo "protocol,round,variant,tps,cpu_us_per_tx,user_us_per_tx" >"$CSV"
for m in $PROTOCOLS; do
    for r in $(seq 1 "$ROUNDS"); do
        order="a b"
        (( r % 2 == 0 )) && order="b a"
        for v in $order; do
            port_var=PORT_$v
            pid=$(cat "$WORK/$v/pgmux.pid")
            pgbench_run "$WARMUP" "$m" "${!port_var}" "$WORK/w.out" || true
            read -r t0 u0 < <(ticks "$pid")
            pgbench_run "$DURATION" "$m" "${!port_var}" "$WORK/run.out" || die "pgbench failed: $(tail -3 "$WORK/run.out")"
            read -r t1 u1 < <(ticks "$pid")
            tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$WORK/run.out" | head -1)
            tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$WORK/run.out" | head -1)
            cpu=$(awk -v t=$((t1 - t0)) -v hz="$HZ" -v n="$tx" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
            user=$(awk -v t=$((u1 - u0)) -v hz="$HZ" -v n="$tx" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
            say "$m round $r: $v tps ${tps%.*}, $cpu µs/tx ($user user)"
            echo "$m,$r,$v,$tps,$cpu,$user" >>"$CSV"
        done
    done
done

echo
echo "A: $A_JAR, $A_JAVA_OPTS"
echo "B: $B_JAR, $B_JAVA_OPTS"
echo "$CLIENTS clients, $ROUNDS rounds of ${DURATION}s per protocol, medians:"
echo
echo "| protocol | A tps | B tps | B/A tps | A CPU µs/tx (user) | B CPU µs/tx (user) | B/A CPU |"
echo "|---|---:|---:|---:|---:|---:|---:|"
awk -F, '
    function median(list,    a, n, i, j, t) {
        n = split(list, a, " ")
        for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
        return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    NR > 1 { if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 }
             tps[$1, $3] = tps[$1, $3] " " $4; cpu[$1, $3] = cpu[$1, $3] " " $5; usr[$1, $3] = usr[$1, $3] " " $6 }
    END { for (i = 1; i <= n; i++) { p = order[i]
            ta = median(tps[p, "a"]); tb = median(tps[p, "b"]); ca = median(cpu[p, "a"]); cb = median(cpu[p, "b"])
            printf "| %s | %.0f | %.0f | %.2f | %.1f (%.1f) | %.1f (%.1f) | %.2f |\n", p, ta, tb, tb / ta,
                ca, median(usr[p, "a"]), cb, median(usr[p, "b"]), cb / ca } }' "$CSV" | tee "$RESULTS_DIR/summary.md"
