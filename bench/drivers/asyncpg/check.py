#!/usr/bin/python3
"""asyncpg through pgmux, default driver settings (statement_cache_size=100: every query is a named prepared
statement, __asyncpg_stmt_N__, cached per connection; evicted ones are closed with a protocol Close).

Clients with even i SET application_name and search_path outside a transaction and check they stick; the others
check they never see them. A few clients run more than statement_cache_size distinct statements to force
evictions.

Env: PGMUX_URL, PG_ADMIN_URL (direct superuser URL of the server, for pg_stat_activity), POOL_SIZE, CLIENTS,
QUERIES, EVICT (0 to skip the eviction phase). Run with the Debian python (/usr/bin/python3).
"""
import asyncio
import os
import random
import sys

import asyncpg

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from monitor import Monitor  # noqa: E402

URL = os.environ.get("PGMUX_URL", "postgresql://app:app@127.0.0.1:6432/app")
ADMIN_URL = os.environ.get("PG_ADMIN_URL", "")
POOL_SIZE = int(os.environ.get("POOL_SIZE", "3"))
CLIENTS = int(os.environ.get("CLIENTS", "50"))
QUERIES = int(os.environ.get("QUERIES", "50"))
EVICT = os.environ.get("EVICT", "1") != "0"
P = "drv_apg"
CHAN = P + "_chan"

failures = []
pids = set()
stats = {"queries": 0, "tx": 0, "set_checks": 0, "evict_queries": 0, "pool_queries": 0}


def fail(msg):
    failures.append(msg)
    if os.environ.get("VERBOSE"):
        print("FAIL:", msg, file=sys.stderr)


def expect_eq(what, got, want):
    if str(got) != str(want):
        fail("%s: got %r want %r" % (what, got, want))


async def setup():
    c = await asyncpg.connect(URL)
    try:
        for k in range(4):
            await c.execute("drop schema if exists %s_sp%d cascade" % (P, k))
            await c.execute("create schema %s_sp%d" % (P, k))
            await c.execute("create table %s_sp%d.marker(v text)" % (P, k))
            await c.execute("insert into %s_sp%d.marker values ('%d')" % (P, k, k))
        await c.execute("drop table if exists %s_tx" % P)
        await c.execute("create table %s_tx(client int, n int)" % P)
    finally:
        await c.close()


async def check_settings(conn, i, sets, base, where):
    stats["set_checks"] += 1
    row = await conn.fetchrow("select current_setting('application_name') as app, "
                              "current_setting('search_path') as sp, to_regclass('marker')::text as m")
    if sets:
        expect_eq("client %d %s application_name" % (i, where), row["app"], "%s_%d" % (P, i))
        expect_eq("client %d %s search_path" % (i, where), row["sp"], "%s_sp%d, public" % (P, i % 4))
        v = await conn.fetchval("select v from marker")
        expect_eq("client %d %s marker via search_path" % (i, where), v, i % 4)
    else:
        expect_eq("client %d %s application_name (never set)" % (i, where), row["app"], base["app"])
        expect_eq("client %d %s search_path (never set)" % (i, where), row["sp"], base["sp"])
        if row["m"] is not None:
            fail("client %d %s: sees table marker (%s) though it never set search_path" % (i, where, row["m"]))


async def run_client(i):
    tag = "client %d" % i
    token = "%d-%s" % (i, random.getrandbits(32))
    sets = i % 2 == 0
    try:
        conn = await asyncpg.connect(URL)
    except Exception as e:  # noqa: BLE001
        fail("%s: connect: %r" % (tag, e))
        return
    try:
        base = await conn.fetchrow("select current_setting('application_name') as app, "
                                   "current_setting('search_path') as sp")
        if base["app"].startswith(P):
            fail("%s: fresh connection already has application_name %s" % (tag, base["app"]))
        if sets:
            await conn.execute("SET application_name = '%s_%d'" % (P, i))
            await conn.execute("SET search_path = %s_sp%d, public" % (P, i % 4))
        for q in range(QUERIES):
            k = q % 4
            if k == 0:
                r = await conn.fetchrow("select $1::int as c, $2::text as t, pg_backend_pid() as pid",
                                        i, "%s-%d" % (token, q))
                expect_eq("%s q%d c" % (tag, q), r["c"], i)
                expect_eq("%s q%d t" % (tag, q), r["t"], "%s-%d" % (token, q))
                pids.add(r["pid"])
            elif k == 1:
                r = await conn.fetchrow("select $1::int as c, %d as k" % (i % 5), i)
                expect_eq("%s q%d c" % (tag, q), r["c"], i)
                expect_eq("%s q%d k" % (tag, q), r["k"], i % 5)
            elif k == 2:
                stmt = await conn.prepare("select $1::text as t, $2::int as c")
                r = await stmt.fetchrow(token, i)
                expect_eq("%s q%d t" % (tag, q), r["t"], token)
                expect_eq("%s q%d c" % (tag, q), r["c"], i)
            else:
                await check_settings(conn, i, sets, base, "q%d" % q)
            stats["queries"] += 1
            if q == 20 and i % 10 == 0:
                await conn.execute("select pg_notify($1, $2)", CHAN, "n%d" % i)
            if q % 10 == 9:
                await asyncio.sleep(random.random() * 0.005)
        async with conn.transaction():
            p1 = await conn.fetchval("select pg_backend_pid()")
            await conn.executemany("insert into %s_tx values ($1, $2)" % P, [(i, 1), (i, 2)])
            await conn.execute("insert into %s_tx values ($1, $2)" % P, i, 3)
            await asyncio.sleep(random.random() * 0.005)
            r = await conn.fetchrow("select count(*) as n, sum(n) as s, pg_backend_pid() as pid from %s_tx "
                                    "where client = $1" % P, i)
            expect_eq("%s tx count" % tag, r["n"], 3)
            expect_eq("%s tx sum" % tag, r["s"], 6)
            expect_eq("%s tx same backend" % tag, r["pid"], p1)
        try:
            async with conn.transaction():
                await conn.execute("insert into %s_tx values ($1, 100)" % P, i)
                raise RuntimeError("rollback-me")
        except RuntimeError as e:
            if str(e) != "rollback-me":
                raise
        n = await conn.fetchval("select count(*) from %s_tx where client = $1" % P, i)
        expect_eq("%s after commit+rollback count" % tag, n, 3)
        stats["tx"] += 1
        if EVICT and i % 10 == 1:
            # more distinct statements than statement_cache_size (100): asyncpg closes evicted ones
            for _ in range(2):
                for j in range(110):
                    v = await conn.fetchval("select $1::int + %d" % j, i)
                    expect_eq("%s evict j=%d" % (tag, j), v, i + j)
                    stats["evict_queries"] += 1
        await check_settings(conn, i, sets, base, "end")
    except Exception as e:  # noqa: BLE001
        fail("%s: %s: %s%s" % (tag, type(e).__name__, str(e).strip().splitlines()[0],
                              " (SQLSTATE %s)" % e.sqlstate if getattr(e, "sqlstate", None) else ""))
    finally:
        await conn.close()


async def pool_phase():
    # asyncpg.create_pool with defaults (min 10, max 10): prepared statements over whichever connection is free
    pool = await asyncpg.create_pool(URL)
    try:
        async def one(k):
            r = await pool.fetchrow("select $1::int as k, $2::text as t", k, "p%d" % k)
            expect_eq("pool query %d" % k, "%s/%s" % (r["k"], r["t"]), "%d/p%d" % (k, k))
            stats["pool_queries"] += 1
        await asyncio.gather(*(one(k) for k in range(200)))
    except Exception as e:  # noqa: BLE001
        fail("pool phase: %r" % e)
    finally:
        await pool.close()


async def main():
    await setup()
    mon = Monitor(ADMIN_URL).start()
    lconn = await asyncpg.connect(URL)
    got = set()
    await lconn.add_listener(CHAN, lambda _c, _pid, _ch, payload: got.add(payload))
    await asyncio.gather(*(run_client(i) for i in range(CLIENTS)), pool_phase())
    want = {"n%d" % i for i in range(CLIENTS) if i % 10 == 0}
    for _ in range(50):
        if want <= got:
            break
        await asyncio.sleep(0.1)
    if not want <= got:
        fail("LISTEN/NOTIFY: missing %s (got %s)" % (sorted(want - got), sorted(got)))
    await lconn.close()
    await mon.stop()
    if mon.enabled:
        if mon.samples == 0:
            fail("pg_stat_activity monitor got no samples: %s" % mon.last_error)
        if mon.max > POOL_SIZE:
            fail("server connections reached %d > pool_size %d" % (mon.max, POOL_SIZE))
    mons = ("server conns max %d/%d (%d samples)" % (mon.max, POOL_SIZE, mon.samples)) if mon.enabled \
        else "server conns not monitored (no PG_ADMIN_URL)"
    summary = ("asyncpg %s: %d clients, %d prepared queries, %d tx, %d SET checks, %d eviction queries, "
               "%d pool queries, NOTIFY %d/%d, %s, backends seen %d"
               % (asyncpg.__version__, CLIENTS, stats["queries"], stats["tx"], stats["set_checks"],
                  stats["evict_queries"], stats["pool_queries"], len(got & want), len(want), mons, len(pids)))
    if failures:
        print("FAIL %s; %d failures" % (summary, len(failures)))
        for f in failures[:15]:
            print("  - " + f)
        return 1
    print("PASS " + summary)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
