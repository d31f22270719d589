#!/usr/bin/env bash
# Where pgmux's CPU went in a perf recording of bench/run.sh PROFILE=perf: kernel, JIT-compiled Java, the JVM
# itself and libraries; which system calls the kernel's share went to; the hottest functions (self); and the
# share of samples with pgmux's or Netty's methods on the stack (total). The JIT's symbol map written at the run's
# end (<run>.perf.map) names the Java frames; code compiled again after it is shown as unknown addresses.
#
#   bench/perf-top.sh bench/results/<timestamp>/profiles/select-simple-c1000-pgmux-r1.perf.data [N]
set -euo pipefail
data=${1:?usage: bench/perf-top.sh RUN.perf.data [N]}
n=${2:-25}
command -v perf >/dev/null 2>&1 || { echo "perf-top: perf not found" >&2; exit 1; }
map=${data%.data}.map
pid=$( (perf script -i "$data" -F pid 2>/dev/null || true) | awk 'NR == 1 { print $1; exit }')
[[ -n $pid ]] || { echo "perf-top: no samples in $data" >&2; exit 1; }
# perf looks the JIT's symbols up in /tmp/perf-<pid>.map, by the pid recorded.
[[ -f $map ]] && cp "$map" "/tmp/perf-$pid.map"
script=$(mktemp)
trap 'rm -f "$script"' EXIT
perf script -i "$data" -F comm,tid,ip,sym,dso 2>/dev/null >"$script"
awk -v n="$n" '
    function frame(line,   f) {
        f = line; sub(/^[[:space:]]*[0-9a-f]+ /, "", f); sub(/\+0x[0-9a-f]+ \(/, " (", f); return f
    }
    BEGIN { RS = ""; FS = "\n" }
    {
        samples++
        top = frame($2)
        where = top ~ /kernel\.kallsyms/ ? "kernel" : top ~ /perf-[0-9]+\.map/ ? "JIT-compiled Java" \
            : top ~ /libjvm\.so/ ? "JVM (libjvm.so)" : "other libraries"
        part[where]++
        call = "user space"
        for (i = 2; i <= NF; i++) if ($i ~ /entry_SYSCALL_64/) {
            j = i > 3 ? i - 2 : i - 1
            call = frame($j); sub(/ \(.*/, "", call); sub(/^__x64_sys_|^__do_sys_|^ksys_/, "", call); break
        }
        syscall[call]++
        name = top; sub(/ \([^)]*\)$/, "", name); self[name]++
        delete seen
        for (i = 2; i <= NF; i++) {
            f = frame($i); sub(/ \([^)]*\)$/, "", f)
            if (f ~ /io\.pgmux\.|io\.netty\./ && !(f in seen)) { seen[f] = 1; total[f]++ }
        }
    }
    END {
        printf "%d samples\n\nshare  where the samples were\n", samples
        for (k in part) printf "%5.1f  %s\n", 100 * part[k] / samples, k | "sort -rn"
        close("sort -rn")
        printf "\nshare  system call on the stack (user space: none)\n"
        for (k in syscall) printf "%5.1f  %s\n", 100 * syscall[k] / samples, k | "sort -rn | head -12"
        close("sort -rn | head -12")
        printf "\nself%%  function (top %d)\n", n
        for (k in self) printf "%5.1f  %s\n", 100 * self[k] / samples, k | "sort -rn | head -" n
        close("sort -rn | head -" n)
        printf "\ntotal%% pgmux or Netty method on the stack (top %d)\n", n
        for (k in total) printf "%5.1f  %s\n", 100 * total[k] / samples, k | "sort -rn | head -" n
    }' "$script"
