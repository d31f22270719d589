#!/bin/sh
# Builds the Java runtime of the container image: only the JDK modules pgmux.jar uses, as jdeps computes them
# from the jar and everything shaded into it, so a new dependency that needs another module brings it along.
#
#   docker/jlink.sh PGMUX_JAR RUNTIME_DIR NATIVE_DIR
#
# RUNTIME_DIR gets the runtime (bin/java ...); NATIVE_DIR gets Netty's native epoll and io_uring libraries for
# this machine's architecture, taken out of the jar so the JVM loads them from java.library.path instead of
# unpacking them to /tmp at every start (which fails on a read-only or noexec /tmp). Needs a JDK 17 (jdeps,
# jlink, jar) on PATH.
# The same command by hand:
#   jdeps --ignore-missing-deps --multi-release 17 --print-module-deps -q proxy-cli/target/pgmux.jar
set -eu

if [ $# -ne 3 ]; then
    echo "usage: $0 PGMUX_JAR RUNTIME_DIR NATIVE_DIR" >&2
    exit 2
fi
jar=$1 runtime=$2 native=$3

# --ignore-missing-deps: Netty refers to optional libraries pgmux does not ship (BouncyCastle, Conscrypt, ...).
modules=$(jdeps --ignore-missing-deps --multi-release 17 --print-module-deps -q "$jar")
# Loaded by name at run time, which jdeps cannot see: jdk.crypto.ec is the security provider with the
# elliptic-curve algorithms TLS handshakes use.
modules="$modules,jdk.crypto.ec"
echo "jlink.sh: modules $modules" >&2

# The class-data sharing archive makes every start faster, the health checks' short-lived JVMs included.
jlink --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --compress=2 \
    --generate-cds-archive --output "$runtime"
# That archive's twin for heaps over 32 GB (no compressed pointers) is 10 MB no container here would use.
rm -f "$runtime/lib/server/classes_nocoops.jsa"

case $(uname -m) in
    x86_64) arch=x86_64 ;;
    aarch64 | arm64) arch=aarch_64 ;;
    riscv64) arch=riscv64 ;;
    *) arch="" ;;
esac
mkdir -p "$native"
unpacked=$(mktemp -d)
# epoll, the default transport on Linux, and io_uring for transport: io_uring (where the kernel and the
# container's seccomp profile allow it; otherwise pgmux refuses to start with that setting and says why).
# (Netty 4.2 names its io_uring library io_uring42.)
for transport in epoll io_uring42; do
    library=libnetty_transport_native_${transport}_$arch.so
    (cd "$unpacked" && jar xf "$jar" "META-INF/native/$library")
    if [ -n "$arch" ] && [ -f "$unpacked/META-INF/native/$library" ]; then
        cp "$unpacked/META-INF/native/$library" "$native/"
        echo "jlink.sh: $native/$library" >&2
    else
        # Without epoll, transport: auto runs on Java's NIO transport: correct, with more system calls per message.
        echo "jlink.sh: no Netty $transport library for $(uname -m) in $jar" >&2
    fi
done
rm -rf "$unpacked"
