// node-postgres (pg) through pgmux, default driver settings.
// Env: PGMUX_URL, PG_ADMIN_URL (direct superuser URL of the server, for pg_stat_activity), POOL_SIZE,
//      CLIENTS, QUERIES.
import pg from 'pg';
import { createRequire } from 'node:module';
import { startMonitor } from '../lib/monitor.mjs';

const require = createRequire(import.meta.url);
const VERSION = require('pg/package.json').version;
const PGMUX_URL = process.env.PGMUX_URL || 'postgresql://app:app@127.0.0.1:6432/app';
const ADMIN_URL = process.env.PG_ADMIN_URL || '';
const POOL_SIZE = parseInt(process.env.POOL_SIZE || '3', 10);
const CLIENTS = parseInt(process.env.CLIENTS || '50', 10);
const QUERIES = parseInt(process.env.QUERIES || '50', 10);
const P = 'drv_np';
const CHAN = `${P}_chan`;

const failures = [];
const fail = (msg) => { failures.push(msg); if (process.env.VERBOSE) console.error('FAIL:', msg); };
const expectEq = (what, got, want) => { if (String(got) !== String(want)) fail(`${what}: got ${JSON.stringify(got)} want ${JSON.stringify(want)}`); };
const pids = new Set();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let queries = 0, txs = 0, setChecks = 0, poolQueries = 0;

async function newClient(tag) {
  const c = new pg.Client({ connectionString: PGMUX_URL });
  c.on('error', (e) => fail(`${tag}: client error event: ${e.message}`));
  await c.connect();
  return c;
}

async function setup() {
  const c = await newClient('setup');
  for (let k = 0; k < 4; k++) {
    await c.query(`drop schema if exists ${P}_sp${k} cascade`);
    await c.query(`create schema ${P}_sp${k}`);
    await c.query(`create table ${P}_sp${k}.marker(v text)`);
    await c.query(`insert into ${P}_sp${k}.marker values ('${k}')`);
  }
  await c.query(`drop table if exists ${P}_tx`);
  await c.query(`create table ${P}_tx(client int, n int)`);
  await c.end();
}

async function checkSettings(c, i, setsState, base, where) {
  setChecks++;
  const r = await c.query({
    name: 'np_settings',
    text: "select current_setting('application_name') as app, current_setting('search_path') as sp, to_regclass('marker')::text as m",
  });
  const row = r.rows[0];
  if (setsState) {
    expectEq(`client ${i} ${where} application_name`, row.app, `${P}_${i}`);
    expectEq(`client ${i} ${where} search_path`, row.sp, `${P}_sp${i % 4}, public`);
    const m = await c.query({ name: 'np_marker', text: 'select v from marker' });
    expectEq(`client ${i} ${where} marker via search_path`, m.rows[0]?.v, i % 4);
  } else {
    expectEq(`client ${i} ${where} application_name (never set)`, row.app, base.app);
    expectEq(`client ${i} ${where} search_path (never set)`, row.sp, base.sp);
    if (row.m !== null) fail(`client ${i} ${where}: sees table marker (${row.m}) though it never set search_path`);
  }
}

async function runClient(i) {
  const tag = `client ${i}`;
  const token = `${i}-${Math.random().toString(36).slice(2, 8)}`;
  const c = await newClient(tag);
  try {
    const b = await c.query("select current_setting('application_name') as app, current_setting('search_path') as sp");
    const base = b.rows[0];
    if (String(base.app).startsWith(P)) fail(`${tag}: fresh connection already has application_name ${base.app}`);
    const sets = i % 2 === 0;
    if (sets) {
      await c.query(`SET application_name = '${P}_${i}'`);
      await c.query(`SET search_path = ${P}_sp${i % 4}, public`);
    }
    for (let q = 0; q < QUERIES; q++) {
      switch (q % 4) {
        case 0: {
          const r = await c.query({ name: 'np_q', text: 'select $1::int as c, $2::text as t, pg_backend_pid() as pid', values: [i, `${token}-${q}`] });
          expectEq(`${tag} q${q} named np_q c`, r.rows[0].c, i);
          expectEq(`${tag} q${q} named np_q t`, r.rows[0].t, `${token}-${q}`);
          pids.add(r.rows[0].pid);
          break;
        }
        case 1: {
          // Same statement name, different text per client group: pgmux must keep them apart.
          const r = await c.query({ name: 'np_var', text: `select $1::int as c, ${i % 5} as k`, values: [i] });
          expectEq(`${tag} q${q} named np_var c`, r.rows[0].c, i);
          expectEq(`${tag} q${q} named np_var k`, r.rows[0].k, i % 5);
          break;
        }
        case 2: {
          const r = await c.query('select $1::text as t, $2::int as c', [token, i]);
          expectEq(`${tag} q${q} unnamed t`, r.rows[0].t, token);
          expectEq(`${tag} q${q} unnamed c`, r.rows[0].c, i);
          break;
        }
        case 3:
          await checkSettings(c, i, sets, base, `q${q}`);
          break;
      }
      queries++;
      if (q === 20 && i % 10 === 0) await c.query({ name: 'np_notify', text: 'select pg_notify($1, $2)', values: [CHAN, `n${i}`] });
      if (q % 10 === 9) await sleep(Math.random() * 5);
    }
    // A transaction with several statements: all on one backend, sees its own uncommitted rows.
    await c.query('BEGIN');
    const p1 = (await c.query('select pg_backend_pid() as pid')).rows[0].pid;
    await c.query({ name: 'np_ins', text: `insert into ${P}_tx values ($1, $2)`, values: [i, 1] });
    await c.query({ name: 'np_ins', text: `insert into ${P}_tx values ($1, $2)`, values: [i, 2] });
    await c.query(`insert into ${P}_tx values ($1, $2)`, [i, 3]);
    await sleep(Math.random() * 5);
    const s = await c.query({ name: 'np_sum', text: `select count(*)::int as n, sum(n)::int as s, pg_backend_pid() as pid from ${P}_tx where client = $1`, values: [i] });
    expectEq(`${tag} tx count`, s.rows[0].n, 3);
    expectEq(`${tag} tx sum`, s.rows[0].s, 6);
    expectEq(`${tag} tx same backend`, s.rows[0].pid, p1);
    await c.query('COMMIT');
    await c.query('BEGIN');
    await c.query({ name: 'np_ins', text: `insert into ${P}_tx values ($1, $2)`, values: [i, 100] });
    await c.query('ROLLBACK');
    const s2 = await c.query({ name: 'np_sum', text: `select count(*)::int as n, sum(n)::int as s, pg_backend_pid() as pid from ${P}_tx where client = $1`, values: [i] });
    expectEq(`${tag} after commit+rollback count`, s2.rows[0].n, 3);
    txs++;
    await checkSettings(c, i, sets, base, 'end');
  } catch (e) {
    fail(`${tag}: ${e.message}${e.code ? ` (SQLSTATE ${e.code})` : ''}`);
  } finally {
    await c.end().catch(() => {});
  }
}

async function poolPhase() {
  // pg.Pool with default settings (max 10): named statements over whichever pooled client is free.
  const pool = new pg.Pool({ connectionString: PGMUX_URL });
  pool.on('error', (e) => fail(`pool error event: ${e.message}`));
  try {
    await Promise.all(Array.from({ length: 200 }, async (_, k) => {
      const r = await pool.query({ name: 'np_pool', text: 'select $1::int as k, $2::text as t', values: [k, `p${k}`] });
      expectEq(`pool query ${k}`, `${r.rows[0].k}/${r.rows[0].t}`, `${k}/p${k}`);
      poolQueries++;
    }));
  } catch (e) {
    fail(`pool phase: ${e.message}`);
  } finally {
    await pool.end();
  }
}

async function main() {
  await setup();
  const mon = startMonitor({ adminUrl: ADMIN_URL });
  // LISTEN pins one pgmux client to a server connection; it receives NOTIFYs sent by other clients.
  const listener = await newClient('listener');
  const got = new Set();
  listener.on('notification', (n) => { if (n.channel === CHAN) got.add(n.payload); });
  await listener.query(`LISTEN ${CHAN}`);
  await Promise.all([...Array.from({ length: CLIENTS }, (_, i) => runClient(i)), poolPhase()]);
  const want = Array.from({ length: CLIENTS }, (_, i) => i).filter((i) => i % 10 === 0).map((i) => `n${i}`);
  for (let t = 0; t < 50 && want.some((w) => !got.has(w)); t++) await sleep(100);
  const missing = want.filter((w) => !got.has(w));
  if (missing.length) fail(`LISTEN/NOTIFY: missing ${missing.join(',')} (got ${[...got].join(',')})`);
  await listener.query(`UNLISTEN ${CHAN}`);
  await listener.end();
  const st = await mon.stop();
  if (st.enabled) {
    if (st.samples === 0) fail(`pg_stat_activity monitor got no samples: ${st.lastError}`);
    if (st.max > POOL_SIZE) fail(`server connections reached ${st.max} > pool_size ${POOL_SIZE}`);
  }
  const mons = st.enabled ? `server conns max ${st.max}/${POOL_SIZE} (${st.samples} samples)` : 'server conns not monitored (no PG_ADMIN_URL)';
  const summary = `node-postgres ${VERSION}: ${CLIENTS} clients, ${queries} queries (named+unnamed), ${txs} tx, ${setChecks} SET checks, ${poolQueries} pool queries, NOTIFY ${got.size}/${want.length}, ${mons}, backends seen ${pids.size}`;
  if (failures.length) {
    console.log(`FAIL ${summary}; ${failures.length} failures`);
    for (const f of failures.slice(0, 15)) console.log(`  - ${f}`);
    process.exit(1);
  }
  console.log(`PASS ${summary}`);
}

main().catch((e) => { console.log(`FAIL node-postgres ${VERSION}: ${e.stack || e}`); process.exit(1); });
