# Free local ports, for scripts that start their own servers (sourced, not run): scripts/try-local.sh and the
# benchmarks in bench/.

port_listening() { # is something accepting connections on 127.0.0.1:PORT?
    if command -v ss >/dev/null 2>&1; then
        ss -Htln "sport = :$1" 2>/dev/null | grep -q .
    else
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
    fi
}
port_taken() { # listening, or the local end of any TCP connection (which blocks bind too)
    if command -v ss >/dev/null 2>&1; then
        ss -Htan "sport = :$1" 2>/dev/null | grep -q .
    else
        port_listening "$1"
    fi
}
free_port() { # below the kernel's ephemeral range, so outgoing connections cannot be holding it
    local port low=32768
    [[ -r /proc/sys/net/ipv4/ip_local_port_range ]] && read -r low _ </proc/sys/net/ipv4/ip_local_port_range
    (( low > 12000 )) || low=32768
    for _ in $(seq 1 200); do
        port=$((10000 + RANDOM % (low - 10000)))
        port_taken "$port" || { echo "$port"; return; }
    done
    return 1
}
