#!/usr/bin/python3
"""psycopg 3 (AsyncConnection) through pgmux, default driver settings (prepare_threshold=5, prepared_max=100).

Clients with i % 4 in (0, 1) use autocommit=True; the others keep psycopg's default (autocommit=False, every
statement inside an implicit transaction, committed explicitly). Clients with i % 4 == 0 SET application_name
and search_path outside a transaction and check they stick; clients with i % 4 == 2 run the same SETs inside
their implicit transaction (psycopg's default mode), which pgmux does not carry over, so only "must not leak to
other clients" is checked for them. A few clients run more than prepared_max distinct statements so that psycopg
DEALLOCATEs its evicted prepared statements.

Env: PGMUX_URL, PG_ADMIN_URL (direct superuser URL of the server, for pg_stat_activity), POOL_SIZE, CLIENTS,
QUERIES. Run with the Debian python (/usr/bin/python3) where python3-psycopg is installed.
"""
import asyncio
import os
import random
import sys

import psycopg

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from monitor import Monitor  # noqa: E402

URL = os.environ.get("PGMUX_URL", "postgresql://app:app@127.0.0.1:6432/app")
ADMIN_URL = os.environ.get("PG_ADMIN_URL", "")
POOL_SIZE = int(os.environ.get("POOL_SIZE", "3"))
CLIENTS = int(os.environ.get("CLIENTS", "50"))
QUERIES = int(os.environ.get("QUERIES", "50"))
EVICT = os.environ.get("EVICT", "1") != "0"
P = "drv_pg3"
CHAN = P + "_chan"

failures = []
pids = set()
stats = {"queries": 0, "tx": 0, "set_checks": 0, "evict_queries": 0}


def fail(msg):
    failures.append(msg)
    if os.environ.get("VERBOSE"):
        print("FAIL:", msg, file=sys.stderr)


def expect_eq(what, got, want):
    if str(got) != str(want):
        fail("%s: got %r want %r" % (what, got, want))


async def setup():
    async with await psycopg.AsyncConnection.connect(URL, autocommit=True) as c:
        for k in range(4):
            await c.execute("drop schema if exists %s_sp%d cascade" % (P, k))
            await c.execute("create schema %s_sp%d" % (P, k))
            await c.execute("create table %s_sp%d.marker(v text)" % (P, k))
            await c.execute("insert into %s_sp%d.marker values ('%d')" % (P, k, k))
        await c.execute("drop table if exists %s_tx" % P)
        await c.execute("create table %s_tx(client int, n int)" % P)


async def q1(conn, sql, params=None):
    cur = await conn.execute(sql, params)
    row = await cur.fetchone()
    if not conn.autocommit:
        await conn.commit()
    return row


async def check_settings(conn, i, mode, base, where):
    stats["set_checks"] += 1
    app, sp, m = await q1(conn, "select current_setting('application_name'), current_setting('search_path'), "
                                "to_regclass('marker')::text")
    if mode == "sticky":
        expect_eq("client %d %s application_name" % (i, where), app, "%s_%d" % (P, i))
        expect_eq("client %d %s search_path" % (i, where), sp, "%s_sp%d, public" % (P, i % 4))
        (v,) = await q1(conn, "select v from marker")
        expect_eq("client %d %s marker via search_path" % (i, where), v, i % 4)
    elif mode == "none":
        expect_eq("client %d %s application_name (never set)" % (i, where), app, base[0])
        expect_eq("client %d %s search_path (never set)" % (i, where), sp, base[1])
        if m is not None:
            fail("client %d %s: sees table marker (%s) though it never set search_path" % (i, where, m))
    else:  # SET inside a transaction: fate not tracked by pgmux; just make sure nothing foreign shows up
        if app.startswith(P) and app != "%s_%d" % (P, i):
            fail("client %d %s: sees another client's application_name %r" % (i, where, app))


async def run_client(i):
    tag = "client %d" % i
    token = "%d-%s" % (i, random.getrandbits(32))
    autocommit = i % 4 in (0, 1)
    mode = {0: "sticky", 2: "in_tx"}.get(i % 4, "none")
    try:
        conn = await psycopg.AsyncConnection.connect(URL, autocommit=autocommit) if autocommit \
            else await psycopg.AsyncConnection.connect(URL)
    except Exception as e:  # noqa: BLE001
        fail("%s: connect: %s" % (tag, e))
        return
    try:
        base = await q1(conn, "select current_setting('application_name'), current_setting('search_path')")
        if base[0].startswith(P):
            fail("%s: fresh connection already has application_name %s" % (tag, base[0]))
        if mode != "none":
            await conn.execute("SET application_name = '%s_%d'" % (P, i))
            await conn.execute("SET search_path = %s_sp%d, public" % (P, i % 4))
            if not autocommit:
                await conn.commit()
        for q in range(QUERIES):
            k = q % 4
            if k == 0:
                c, t, pid = await q1(conn, "select %s::int, %s::text, pg_backend_pid()", (i, "%s-%d" % (token, q)))
                expect_eq("%s q%d c" % (tag, q), c, i)
                expect_eq("%s q%d t" % (tag, q), t, "%s-%d" % (token, q))
                pids.add(pid)
            elif k == 1:
                c, kk = await q1(conn, "select %%s::int, %d" % (i % 5), (i,))
                expect_eq("%s q%d c" % (tag, q), c, i)
                expect_eq("%s q%d k" % (tag, q), kk, i % 5)
            elif k == 2:
                t, c = await q1(conn, "select %s::text, %s::int", (token, i))
                expect_eq("%s q%d t" % (tag, q), t, token)
                expect_eq("%s q%d c" % (tag, q), c, i)
            else:
                await check_settings(conn, i, mode, base, "q%d" % q)
            stats["queries"] += 1
            if q == 20 and i % 10 == 0:
                await q1(conn, "select pg_notify(%s, %s)", (CHAN, "n%d" % i))
            if q % 10 == 9:
                await asyncio.sleep(random.random() * 0.005)
        # transaction with several statements
        async with conn.transaction():
            (p1,) = await (await conn.execute("select pg_backend_pid()")).fetchone()
            for n in (1, 2, 3):
                await conn.execute("insert into %s_tx values (%%s, %%s)" % P, (i, n))
            await asyncio.sleep(random.random() * 0.005)
            n, s, p2 = await (await conn.execute(
                "select count(*), sum(n), pg_backend_pid() from %s_tx where client = %%s" % P, (i,))).fetchone()
            expect_eq("%s tx count" % tag, n, 3)
            expect_eq("%s tx sum" % tag, s, 6)
            expect_eq("%s tx same backend" % tag, p2, p1)
        if not autocommit:
            await conn.commit()
        try:
            async with conn.transaction():
                await conn.execute("insert into %s_tx values (%%s, 100)" % P, (i,))
                raise RuntimeError("rollback-me")
        except RuntimeError as e:
            if str(e) != "rollback-me":
                raise
        if not autocommit:
            await conn.commit()
        (n,) = await q1(conn, "select count(*) from %s_tx where client = %%s" % P, (i,))
        expect_eq("%s after commit+rollback count" % tag, n, 3)
        stats["tx"] += 1
        # more distinct prepared statements than prepared_max (100): psycopg DEALLOCATEs evicted ones
        if EVICT and i % 10 == 1:
            for rnd in range(6):
                for j in range(110):
                    (v,) = await q1(conn, "select %%s::int + %d" % j, (i,))
                    expect_eq("%s evict j=%d" % (tag, j), v, i + j)
                    stats["evict_queries"] += 1
        await check_settings(conn, i, mode, base, "end")
    except Exception as e:  # noqa: BLE001
        fail("%s: %s: %s%s" % (tag, type(e).__name__, str(e).strip(),
                              " (SQLSTATE %s)" % e.sqlstate if getattr(e, "sqlstate", None) else ""))
    finally:
        await conn.close()


async def main():
    await setup()
    mon = Monitor(ADMIN_URL).start()
    lconn = await psycopg.AsyncConnection.connect(URL, autocommit=True)
    await lconn.execute("LISTEN %s" % CHAN)
    got = set()

    async def listen():
        async for n in lconn.notifies():
            if n.channel == CHAN:
                got.add(n.payload)

    ltask = asyncio.ensure_future(listen())
    await asyncio.gather(*(run_client(i) for i in range(CLIENTS)))
    want = {"n%d" % i for i in range(CLIENTS) if i % 10 == 0}
    for _ in range(50):
        if want <= got:
            break
        await asyncio.sleep(0.1)
    if not want <= got:
        fail("LISTEN/NOTIFY: missing %s (got %s)" % (sorted(want - got), sorted(got)))
    ltask.cancel()
    try:
        await ltask
    except (asyncio.CancelledError, Exception):  # noqa: BLE001
        pass
    await lconn.close()
    await mon.stop()
    if mon.enabled:
        if mon.samples == 0:
            fail("pg_stat_activity monitor got no samples: %s" % mon.last_error)
        if mon.max > POOL_SIZE:
            fail("server connections reached %d > pool_size %d" % (mon.max, POOL_SIZE))
    mons = ("server conns max %d/%d (%d samples)" % (mon.max, POOL_SIZE, mon.samples)) if mon.enabled \
        else "server conns not monitored (no PG_ADMIN_URL)"
    summary = ("psycopg %s: %d clients, %d queries, %d tx, %d SET checks, %d eviction queries, NOTIFY %d/%d, %s, "
               "backends seen %d" % (psycopg.__version__, CLIENTS, stats["queries"], stats["tx"],
                                      stats["set_checks"], stats["evict_queries"], len(got & want), len(want),
                                      mons, len(pids)))
    if failures:
        print("FAIL %s; %d failures" % (summary, len(failures)))
        for f in failures[:15]:
            print("  - " + f)
        return 1
    print("PASS " + summary)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
