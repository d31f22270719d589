#!/usr/bin/env bash
# Runs every driver check against a running pgmux. See README.md.
#   PGMUX_URL     pgmux to test            (default postgresql://app:app@127.0.0.1:6432/app)
#   PG_ADMIN_URL  direct superuser URL of the PostgreSQL behind pgmux, to count server connections in
#                 pg_stat_activity (optional; without it the count is skipped)
#   POOL_SIZE     the pgmux tenant pool_size the count must not exceed (default 3)
#   CLIENTS, QUERIES  clients per driver (default 50) and parameterised queries per client (default 50)
#   DRIVERS       subset to run (default: node-postgres postgres-js psycopg asyncpg prisma)
#   PYTHON        python with python3-psycopg / python3-asyncpg (default /usr/bin/python3)
set -uo pipefail
cd "$(dirname "$0")"
export PGMUX_URL="${PGMUX_URL:-postgresql://app:app@127.0.0.1:6432/app}"
export PG_ADMIN_URL="${PG_ADMIN_URL:-}" POOL_SIZE="${POOL_SIZE:-3}" CLIENTS="${CLIENTS:-50}" QUERIES="${QUERIES:-50}"
PYTHON="${PYTHON:-/usr/bin/python3}"
DRIVERS="${DRIVERS:-node-postgres postgres-js psycopg asyncpg prisma}"

npm_deps() {  # installs the exact versions of package.json once
  [ -d node_modules ] || npm install --no-audit --no-fund --loglevel=error >/dev/null
}

run_one() {
  case "$1" in
    node-postgres|postgres-js)
      (cd "$1" && npm_deps && node check.mjs) ;;
    psycopg|asyncpg)
      "$PYTHON" "$1/check.py" ;;
    prisma)
      # `prisma generate` wants to download schema-engine from binaries.prisma.sh although generating the
      # client does not use it; pointing PRISMA_SCHEMA_ENGINE_BINARY at any file skips the download.
      (cd prisma && npm_deps \
        && { [ -f generated/prisma/client.ts ] || PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-/bin/true}" \
             npx --no-install prisma generate >/dev/null; } \
        && npx --no-install tsx check.ts) ;;
    *) echo "FAIL $1: unknown driver"; return 1 ;;
  esac
}

failed=0
for d in $DRIVERS; do
  out="$(run_one "$d" 2>&1)"; rc=$?
  printf '%s\n' "$out" | grep -v '^npm warn'
  if [ $rc -ne 0 ]; then
    failed=1
    printf '%s\n' "$out" | grep -qE '^(PASS|FAIL) ' || echo "FAIL $d: exited $rc without a summary"
  fi
done
exit $failed
