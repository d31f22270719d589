// postgres.js (postgres) through pgmux, default driver settings (prepare: true, i.e. named prepared statements).
// Each "client" is its own postgres() instance with max: 1 so that SET has one connection to stick to.
// Env: PGMUX_URL, PG_ADMIN_URL (direct superuser URL of the server, for pg_stat_activity), POOL_SIZE,
//      CLIENTS, QUERIES.
import postgres from 'postgres';
import { readFileSync } from 'node:fs';
import { startMonitor } from '../lib/monitor.mjs';

const VERSION = JSON.parse(readFileSync(new URL('./node_modules/postgres/package.json', import.meta.url))).version;
const PGMUX_URL = process.env.PGMUX_URL || 'postgresql://app:app@127.0.0.1:6432/app';
const ADMIN_URL = process.env.PG_ADMIN_URL || '';
const POOL_SIZE = parseInt(process.env.POOL_SIZE || '3', 10);
const CLIENTS = parseInt(process.env.CLIENTS || '50', 10);
const QUERIES = parseInt(process.env.QUERIES || '50', 10);
const P = 'drv_pjs';
const CHAN = `${P}_chan`;

const failures = [];
const fail = (msg) => { failures.push(msg); if (process.env.VERBOSE) console.error('FAIL:', msg); };
const expectEq = (what, got, want) => { if (String(got) !== String(want)) fail(`${what}: got ${JSON.stringify(got)} want ${JSON.stringify(want)}`); };
const pids = new Set();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let queries = 0, txs = 0, setChecks = 0, poolQueries = 0;
const notices = [];
const opts = { onnotice: (n) => notices.push(n.message) };

async function setup() {
  const sql = postgres(PGMUX_URL, { max: 1, ...opts });
  for (let k = 0; k < 4; k++) {
    await sql.unsafe(`drop schema if exists ${P}_sp${k} cascade`);
    await sql.unsafe(`create schema ${P}_sp${k}`);
    await sql.unsafe(`create table ${P}_sp${k}.marker(v text)`);
    await sql.unsafe(`insert into ${P}_sp${k}.marker values ('${k}')`);
  }
  await sql.unsafe(`drop table if exists ${P}_tx`);
  await sql.unsafe(`create table ${P}_tx(client int, n int)`);
  await sql.end();
}

async function checkSettings(sql, i, sets, base, where) {
  setChecks++;
  const [row] = await sql`select current_setting('application_name') as app, current_setting('search_path') as sp, to_regclass('marker')::text as m`;
  if (sets) {
    expectEq(`client ${i} ${where} application_name`, row.app, `${P}_${i}`);
    expectEq(`client ${i} ${where} search_path`, row.sp, `${P}_sp${i % 4}, public`);
    const [m] = await sql`select v from marker`;
    expectEq(`client ${i} ${where} marker via search_path`, m?.v, i % 4);
  } else {
    expectEq(`client ${i} ${where} application_name (never set)`, row.app, base.app);
    expectEq(`client ${i} ${where} search_path (never set)`, row.sp, base.sp);
    if (row.m !== null) fail(`client ${i} ${where}: sees table marker (${row.m}) though it never set search_path`);
  }
}

async function runClient(i) {
  const tag = `client ${i}`;
  const token = `${i}-${Math.random().toString(36).slice(2, 8)}`;
  const sql = postgres(PGMUX_URL, { max: 1, ...opts });
  try {
    const [base] = await sql`select current_setting('application_name') as app, current_setting('search_path') as sp`;
    if (String(base.app).startsWith(P)) fail(`${tag}: fresh connection already has application_name ${base.app}`);
    const sets = i % 2 === 0;
    if (sets) {
      await sql.unsafe(`SET application_name = '${P}_${i}'`);
      await sql.unsafe(`SET search_path = ${P}_sp${i % 4}, public`);
    }
    for (let q = 0; q < QUERIES; q++) {
      switch (q % 4) {
        case 0: {
          const [r] = await sql`select ${i}::int as c, ${`${token}-${q}`}::text as t, pg_backend_pid() as pid`;
          expectEq(`${tag} q${q} c`, r.c, i);
          expectEq(`${tag} q${q} t`, r.t, `${token}-${q}`);
          pids.add(r.pid);
          break;
        }
        case 1: {
          // Text differs per client group; postgres.js names statements itself.
          const [r] = await sql.unsafe(`select $1::int as c, ${i % 5} as k`, [i], { prepare: true });
          expectEq(`${tag} q${q} unsafe prepared c`, r.c, i);
          expectEq(`${tag} q${q} unsafe prepared k`, r.k, i % 5);
          break;
        }
        case 2: {
          const [r] = await sql`select ${token}::text as t, ${i}::int as c`;
          expectEq(`${tag} q${q} t`, r.t, token);
          expectEq(`${tag} q${q} c`, r.c, i);
          break;
        }
        case 3:
          await checkSettings(sql, i, sets, base, `q${q}`);
          break;
      }
      queries++;
      if (q === 20 && i % 10 === 0) await sql.notify(CHAN, `n${i}`);
      if (q % 10 === 9) await sleep(Math.random() * 5);
    }
    await sql.begin(async (tx) => {
      const [{ pid: p1 }] = await tx`select pg_backend_pid() as pid`;
      await tx`insert into ${tx(P + '_tx')} values (${i}, 1)`;
      await tx`insert into ${tx(P + '_tx')} values (${i}, 2)`;
      await tx`insert into ${tx(P + '_tx')} values (${i}, 3)`;
      await sleep(Math.random() * 5);
      const [s] = await tx`select count(*)::int as n, sum(n)::int as s, pg_backend_pid() as pid from ${tx(P + '_tx')} where client = ${i}`;
      expectEq(`${tag} tx count`, s.n, 3);
      expectEq(`${tag} tx sum`, s.s, 6);
      expectEq(`${tag} tx same backend`, s.pid, p1);
    });
    try {
      await sql.begin(async (tx) => {
        await tx`insert into ${tx(P + '_tx')} values (${i}, 100)`;
        throw new Error('rollback-me');
      });
    } catch (e) {
      if (e.message !== 'rollback-me') throw e;
    }
    const [s2] = await sql`select count(*)::int as n from ${sql(P + '_tx')} where client = ${i}`;
    expectEq(`${tag} after commit+rollback count`, s2.n, 3);
    txs++;
    await checkSettings(sql, i, sets, base, 'end');
  } catch (e) {
    fail(`${tag}: ${e.message}${e.code ? ` (SQLSTATE ${e.code})` : ''}`);
  } finally {
    await sql.end({ timeout: 5 }).catch(() => {});
  }
}

async function poolPhase() {
  // One postgres() instance with default max (10): prepared statements over whichever connection is free.
  const sql = postgres(PGMUX_URL, opts);
  try {
    await Promise.all(Array.from({ length: 200 }, async (_, k) => {
      const [r] = await sql`select ${k}::int as k, ${`p${k}`}::text as t`;
      expectEq(`pool query ${k}`, `${r.k}/${r.t}`, `${k}/p${k}`);
      poolQueries++;
    }));
  } catch (e) {
    fail(`pool phase: ${e.message}`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function main() {
  await setup();
  const mon = startMonitor({ adminUrl: ADMIN_URL });
  const lsql = postgres(PGMUX_URL, opts);
  const got = new Set();
  await lsql.listen(CHAN, (payload) => got.add(payload));
  await Promise.all([...Array.from({ length: CLIENTS }, (_, i) => runClient(i)), poolPhase()]);
  const want = Array.from({ length: CLIENTS }, (_, i) => i).filter((i) => i % 10 === 0).map((i) => `n${i}`);
  for (let t = 0; t < 50 && want.some((w) => !got.has(w)); t++) await sleep(100);
  const missing = want.filter((w) => !got.has(w));
  if (missing.length) fail(`LISTEN/NOTIFY: missing ${missing.join(',')} (got ${[...got].join(',')})`);
  await lsql.end({ timeout: 5 });
  const st = await mon.stop();
  if (st.enabled) {
    if (st.samples === 0) fail(`pg_stat_activity monitor got no samples: ${st.lastError}`);
    if (st.max > POOL_SIZE) fail(`server connections reached ${st.max} > pool_size ${POOL_SIZE}`);
  }
  const mons = st.enabled ? `server conns max ${st.max}/${POOL_SIZE} (${st.samples} samples)` : 'server conns not monitored (no PG_ADMIN_URL)';
  const summary = `postgres.js ${VERSION}: ${CLIENTS} clients, ${queries} prepared queries, ${txs} tx, ${setChecks} SET checks, ${poolQueries} pool queries, NOTIFY ${got.size}/${want.length}, ${mons}, backends seen ${pids.size}`;
  if (notices.length && process.env.VERBOSE) console.error('notices:', [...new Set(notices)].join(' | '));
  if (failures.length) {
    console.log(`FAIL ${summary}; ${failures.length} failures`);
    for (const f of failures.slice(0, 15)) console.log(`  - ${f}`);
    process.exit(1);
  }
  console.log(`PASS ${summary}`);
}

main().catch((e) => { console.log(`FAIL postgres.js ${VERSION}: ${e.stack || e}`); process.exit(1); });
