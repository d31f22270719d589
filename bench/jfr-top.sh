#!/usr/bin/env bash
# Top frames of a JFR recording (bench/run.sh PROFILE=1): the methods the CPU samples were in (self), and the
# methods on the samples' stacks (total), as shares of all execution samples. JDK 17's `jfr` has no `view`.
#
#   bench/jfr-top.sh bench/results/<timestamp>/profiles/select-simple-c20-pgmux-r1.jfr [N]
set -euo pipefail
file=${1:?usage: bench/jfr-top.sh FILE.jfr [N]}
n=${2:-25}
jfr print --events jdk.ExecutionSample --stack-depth 64 "$file" | awk -v n="$n" '
    /^jdk.ExecutionSample/ { in_stack = 0; next }
    /stackTrace = \[/ { in_stack = 1; depth = 0; samples++; delete seen; next }
    in_stack && /^[[:space:]]*\]/ { in_stack = 0; next }
    in_stack && /line:/ {
        frame = $0; sub(/^[[:space:]]+/, "", frame); sub(/[[:space:]]+line:.*/, "", frame)
        if (depth == 0) self[frame]++
        if (!(frame in seen)) { total[frame]++; seen[frame] = 1 }
        depth++
    }
    END {
        printf "%d execution samples\n\nself%%  method (top %d)\n", samples, n
        for (f in self) printf "%5.1f  %s\n", 100 * self[f] / samples, f | "sort -rn | head -" n
        close("sort -rn | head -" n)
        printf "\ntotal%% method (top %d, frames on the stack)\n", n
        for (f in total) printf "%5.1f  %s\n", 100 * total[f] / samples, f | "sort -rn | head -" n
    }'
