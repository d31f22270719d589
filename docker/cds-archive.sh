#!/bin/sh
# Makes the class-data sharing archive of pgmux's own classes (AppCDS, JDK 13+ dynamic archive) with one training
# start: pgmux runs with -XX:ArchiveClassesAtExit until it listens and has checked its upstream, then SIGTERM stops
# it and the JVM writes, on its way out, every class it loaded beyond the JDK's own archive. A later start with
# -XX:SharedArchiveFile=ARCHIVE maps those classes instead of reading, verifying and parsing them from the jar.
#
#   docker/cds-archive.sh JAVA PGMUX_JAR ARCHIVE [JVM-FLAG...]
#
# JAVA is the java of the runtime that will use the archive (the archive holds the identity of that runtime's own
# archive, lib/server/classes.jsa), PGMUX_JAR the jar at the path, size and modification time it will have when run:
# the JVM checks all three and runs without the archive, after a warning, when one differs. The archive records the
# jar's absolute path (a relative PGMUX_JAR is resolved against the current directory first), so a run must name the
# jar by that path, from whichever directory it starts. JVM-FLAG are the run's
# flags (the collector, java.library.path; a -XX:SharedArchiveFile among them is dropped). No database is needed: the training configuration points at 127.0.0.1:1,
# where nothing listens, so the upstream check fails at once. It listens on 127.0.0.1, ports CDS_LISTEN_PORT (6432)
# and CDS_METRICS_PORT (9930).
set -eu

if [ $# -lt 3 ]; then
    echo "usage: $0 JAVA PGMUX_JAR ARCHIVE [JVM-FLAG...]" >&2
    exit 2
fi
java=$1 jar=$2 archive=$3
shift 3
if [ ! -f "$jar" ]; then
    echo "cds-archive.sh: no jar at $jar" >&2
    exit 2
fi
# The JVM records the class path as given: a relative one would hold only for runs started from this directory.
case $jar in
    /*) ;;
    *) jar=$(cd "$(dirname "$jar")" && pwd)/$(basename "$jar") ;;
esac
listen_port=${CDS_LISTEN_PORT:-6432}
metrics_port=${CDS_METRICS_PORT:-9930}

work=$(mktemp -d)
pid=""
cleanup() {
    if [ -n "$pid" ]; then
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# What a start runs through: the listener, the metrics endpoint, a transaction pool, a database with the default
# server_tls_sslmode (prefer), a SCRAM user.
cat >"$work/pgmux.yaml" <<EOF
listen: {host: 127.0.0.1, port: $listen_port}
metrics: {enabled: true, host: 127.0.0.1, port: $metrics_port}
pool_mode: transaction
databases:
  app: {host: 127.0.0.1, port: 1, dbname: app}
users:
  - name: app
    password: training
    tenant: app
tenants:
  app: {pool_size: 2}
EOF
chmod 600 "$work/pgmux.yaml"
rm -f "$archive"

# The run's own -XX:SharedArchiveFile (this archive) is left out: beside ArchiveClassesAtExit it would name the base.
flags=""
for flag in "$@"; do
    case $flag in
        -XX:SharedArchiveFile=*) ;;
        *) flags="$flags $flag" ;;
    esac
done
# shellcheck disable=SC2086 # the flags are a space-separated list on purpose
"$java" $flags -XX:ArchiveClassesAtExit="$archive" -jar "$jar" run --config "$work/pgmux.yaml" >"$work/pgmux.log" 2>&1 &
pid=$!
# Done once the upstream check has logged its budget table (it runs right after listening).
waited=0
until grep -q "connection budgets" "$work/pgmux.log"; do
    if ! kill -0 "$pid" 2>/dev/null || [ "$waited" -ge 600 ]; then
        echo "cds-archive.sh: the training start did not get to listening and its upstream check:" >&2
        cat "$work/pgmux.log" >&2
        exit 1
    fi
    sleep 0.1
    waited=$((waited + 1))
done
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=""
if [ "$status" -ne 0 ] || [ ! -s "$archive" ]; then
    echo "cds-archive.sh: the training start exited with $status without writing $archive:" >&2
    cat "$work/pgmux.log" >&2
    exit 1
fi
# The JVM warns about the classes it cannot archive (picocli's, compiled for Java 5; JFR's event classes).
echo "cds-archive.sh: $archive, $(wc -c <"$archive") bytes" >&2
