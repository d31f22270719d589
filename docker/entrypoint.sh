#!/bin/sh
# Entry point of the pgmux container image (docker/Dockerfile).
#
#   pgmux-entrypoint [run] [OPTION...]       check the configuration, then run pgmux (the default)
#   pgmux-entrypoint healthcheck [OPTION...]  exit 0 when the running pgmux is ready (the image's HEALTHCHECK)
#   pgmux-entrypoint check-config FILE | config-from-env ... | --help | --version   a pgmux command
#   pgmux-entrypoint PROGRAM [ARG...]         anything else runs as it is, e.g. sh
#
# The configuration is $PGMUX_CONFIG (/etc/pgmux/pgmux.yaml) when that file exists, used as it is. Otherwise it
# is written from the PGMUX_* variables (PGMUX_DATABASE_URL, PGMUX_USERS or PGMUX_USERS_FILE, PGMUX_POOL_SIZE,
# ...; see `pgmux-entrypoint config-from-env --help`) to $PGMUX_GENERATED_CONFIG, readable by its owner only.
# Either way pgmux check-config must accept it before pgmux starts. Nothing here prints a password.
#
# JAVA_OPTS holds the JVM flags of the proxy (the image sets them; replacing the variable replaces them all).
set -eu

PGMUX_HOME=${PGMUX_HOME:-/opt/pgmux}
PGMUX_JAR=${PGMUX_JAR:-$PGMUX_HOME/pgmux.jar}
PGMUX_CONFIG=${PGMUX_CONFIG:-/etc/pgmux/pgmux.yaml}
PGMUX_GENERATED_CONFIG=${PGMUX_GENERATED_CONFIG:-${TMPDIR:-/tmp}/pgmux/pgmux.yaml}
JAVA_OPTS=${JAVA_OPTS-}
# The short-lived commands (config-from-env, check-config, healthcheck) start fast and stay small.
TOOL_JAVA_OPTS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -Xmx64m"

say() {
    printf 'pgmux-entrypoint: %s\n' "$*" >&2
}

# Netty's epoll library comes from the image (docker/jlink.sh), not unpacked to /tmp at each start.
pgmux_java() { # JVM-FLAGS pgmux-arguments...
    flags=$1
    shift
    # shellcheck disable=SC2086 # the flags are a space-separated list on purpose
    exec java $flags -Djava.library.path="$PGMUX_HOME/native" -jar "$PGMUX_JAR" "$@"
}

# Prints the path of the configuration to use; writes it from the environment when no file is mounted.
configuration() {
    if [ -f "$PGMUX_CONFIG" ]; then
        if [ -n "${PGMUX_DATABASE_URL:-}" ]; then
            say "$PGMUX_CONFIG exists and is used as it is; PGMUX_DATABASE_URL and the other PGMUX_* settings are ignored"
        fi
        printf '%s\n' "$PGMUX_CONFIG"
        return 0
    fi
    if [ -z "${PGMUX_DATABASE_URL:-}" ]; then
        say "no configuration: mount a file at $PGMUX_CONFIG, or set PGMUX_DATABASE_URL" \
            "(postgres://user:password@host:5432/dbname; see: config-from-env --help)"
        return 2
    fi
    (umask 077 && mkdir -p "$(dirname "$PGMUX_GENERATED_CONFIG")") || return 1
    (pgmux_java "$TOOL_JAVA_OPTS" config-from-env --output "$PGMUX_GENERATED_CONFIG") >&2 || return $?
    printf '%s\n' "$PGMUX_GENERATED_CONFIG"
}

# pgmux's own options start with a dash: they belong to run.
case ${1:-} in
    -h | --help | -V | --version) pgmux_java "$TOOL_JAVA_OPTS" "$@" ;;
    "" | -*) set -- run "$@" ;;
esac

case $1 in
    run)
        shift
        config=$(configuration) || exit $?
        (pgmux_java "$TOOL_JAVA_OPTS" check-config "$config") >&2 || exit $?
        pgmux_java "$JAVA_OPTS" run --config "$config" "$@"
        ;;
    healthcheck)
        shift
        for config in "$PGMUX_CONFIG" "$PGMUX_GENERATED_CONFIG"; do
            if [ -f "$config" ]; then
                pgmux_java "$TOOL_JAVA_OPTS" healthcheck --config "$config" "$@"
            fi
        done
        echo "pgmux has not started: neither $PGMUX_CONFIG nor $PGMUX_GENERATED_CONFIG exists"
        exit 1
        ;;
    check-config | config-from-env | help)
        pgmux_java "$TOOL_JAVA_OPTS" "$@"
        ;;
    *)
        exec "$@"
        ;;
esac
