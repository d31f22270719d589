// Prisma ORM with @prisma/adapter-pg (node-postgres pool, default settings) through pgmux.
// Prisma pools connections itself and has no session concept, so SET-sticks and LISTEN/NOTIFY are not
// exercised; parameterised raw queries, model queries and interactive transactions are.
// Env: PGMUX_URL, PG_ADMIN_URL, POOL_SIZE, CLIENTS, QUERIES.
import { readFileSync } from 'node:fs';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.ts';
import { startMonitor } from '../lib/monitor.mjs';

const ver = (p: string) => JSON.parse(readFileSync(new URL(`./node_modules/${p}/package.json`, import.meta.url), 'utf8')).version;
const VERSION = `${ver('@prisma/client')} (adapter-pg ${ver('@prisma/adapter-pg')}, pg ${ver('pg')})`;
const PGMUX_URL = process.env.PGMUX_URL || 'postgresql://app:app@127.0.0.1:6432/app';
const POOL_SIZE = parseInt(process.env.POOL_SIZE || '3', 10);
const CLIENTS = parseInt(process.env.CLIENTS || '50', 10);
const QUERIES = parseInt(process.env.QUERIES || '50', 10);

const failures: string[] = [];
const fail = (m: string) => { failures.push(m); if (process.env.VERBOSE) console.error('FAIL:', m); };
const expectEq = (what: string, got: unknown, want: unknown) => { if (String(got) !== String(want)) fail(`${what}: got ${JSON.stringify(got)} want ${JSON.stringify(want)}`); };
let queries = 0, txs = 0;

async function main() {
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: PGMUX_URL }) });
  await prisma.$executeRawUnsafe('drop table if exists drv_prisma_item');
  await prisma.$executeRawUnsafe('create table drv_prisma_item(id serial primary key, client int not null, n int not null)');
  const mon = startMonitor({ adminUrl: process.env.PG_ADMIN_URL || '' });
  await Promise.all(Array.from({ length: CLIENTS }, async (_, i) => {
    const token = `${i}-${Math.random().toString(36).slice(2, 8)}`;
    try {
      for (let q = 0; q < QUERIES; q++) {
        if (q % 2 === 0) {
          const r = await prisma.$queryRaw<{ c: number; t: string }[]>`select ${i}::int as c, ${`${token}-${q}`}::text as t`;
          expectEq(`client ${i} q${q} raw`, `${r[0].c}/${r[0].t}`, `${i}/${token}-${q}`);
        } else {
          const r = await prisma.drvPrismaItem.findMany({ where: { client: i } });
          expectEq(`client ${i} q${q} findMany count`, r.length, 0);
        }
        queries++;
      }
      await prisma.$transaction(async (tx) => {
        const [{ pid: p1 }] = await tx.$queryRaw<{ pid: number }[]>`select pg_backend_pid() as pid`;
        for (const n of [1, 2, 3]) await tx.drvPrismaItem.create({ data: { client: i, n } });
        const agg = await tx.drvPrismaItem.aggregate({ where: { client: i }, _count: true, _sum: { n: true } });
        expectEq(`client ${i} tx count`, agg._count, 3);
        expectEq(`client ${i} tx sum`, agg._sum.n, 6);
        const [{ pid: p2 }] = await tx.$queryRaw<{ pid: number }[]>`select pg_backend_pid() as pid`;
        expectEq(`client ${i} tx same backend`, p2, p1);
      });
      await prisma.$transaction(async (tx) => {
        await tx.drvPrismaItem.create({ data: { client: i, n: 100 } });
        throw new Error('rollback-me');
      }).catch((e: Error) => { if (e.message !== 'rollback-me') throw e; });
      expectEq(`client ${i} after commit+rollback`, await prisma.drvPrismaItem.count({ where: { client: i } }), 3);
      txs++;
    } catch (e: any) {
      fail(`client ${i}: ${e.message?.split('\n').slice(-3).join(' ')}`);
    }
  }));
  await prisma.$disconnect();
  const st = await mon.stop();
  if (st.enabled && st.samples === 0) fail(`pg_stat_activity monitor got no samples: ${st.lastError}`);
  if (st.enabled && st.max > POOL_SIZE) fail(`server connections reached ${st.max} > pool_size ${POOL_SIZE}`);
  const mons = st.enabled ? `server conns max ${st.max}/${POOL_SIZE} (${st.samples} samples)` : 'server conns not monitored (no PG_ADMIN_URL)';
  const summary = `prisma ${VERSION}: ${CLIENTS} concurrent tasks on one PrismaClient, ${queries} queries, ${txs} interactive tx, ${mons}`;
  if (failures.length) {
    console.log(`FAIL ${summary}; ${failures.length} failures`);
    for (const f of failures.slice(0, 15)) console.log(`  - ${f}`);
    process.exit(1);
  }
  console.log(`PASS ${summary}`);
}

main().catch((e) => { console.log(`FAIL prisma ${VERSION}: ${e.stack || e}`); process.exit(1); });
