// Samples pg_stat_activity on the PostgreSQL server behind pgmux (a direct superuser connection via psql,
// never through pgmux) and remembers the highest number of server connections pgmux held for the user.
import { execFile } from 'node:child_process';

export function startMonitor({ adminUrl, user = 'app', db = 'app', intervalMs = 100 } = {}) {
  const state = { max: 0, samples: 0, errors: 0, lastError: null, enabled: !!adminUrl };
  if (!adminUrl) return { state, stop: async () => state };
  const sql = `select count(*) from pg_stat_activity where usename = '${user}' and datname = '${db}' and backend_type = 'client backend'`;
  let stopped = false;
  let inflight = Promise.resolve();
  const tick = () => {
    if (stopped) return;
    inflight = new Promise((resolve) => {
      execFile('psql', ['-XAtq', '-d', adminUrl, '-c', sql], { timeout: 5000 }, (err, stdout) => {
        if (err) { state.errors++; state.lastError = String(err.message).split('\n')[0]; }
        else { const n = parseInt(stdout.trim(), 10); if (!Number.isNaN(n)) { state.samples++; if (n > state.max) state.max = n; } }
        resolve();
        setTimeout(tick, intervalMs);
      });
    });
  };
  tick();
  return { state, stop: async () => { stopped = true; await inflight; return state; } };
}
