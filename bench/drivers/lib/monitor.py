"""Samples pg_stat_activity on the PostgreSQL server behind pgmux (direct superuser psql, never through
pgmux) and remembers the highest number of server connections held for the user."""
import asyncio


class Monitor:
    def __init__(self, admin_url, user="app", db="app", interval=0.1):
        self.admin_url = admin_url
        self.sql = ("select count(*) from pg_stat_activity where usename = '%s' and datname = '%s' "
                    "and backend_type = 'client backend'" % (user, db))
        self.interval = interval
        self.max = 0
        self.samples = 0
        self.errors = 0
        self.last_error = None
        self.enabled = bool(admin_url)
        self._task = None
        self._stop = False

    async def _run(self):
        while not self._stop:
            try:
                p = await asyncio.create_subprocess_exec(
                    "psql", "-XAtq", "-d", self.admin_url, "-c", self.sql,
                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
                out, err = await asyncio.wait_for(p.communicate(), 5)
                if p.returncode == 0:
                    n = int(out.decode().strip())
                    self.samples += 1
                    self.max = max(self.max, n)
                else:
                    self.errors += 1
                    self.last_error = err.decode().strip().splitlines()[0] if err else "rc=%s" % p.returncode
            except Exception as e:  # noqa: BLE001
                self.errors += 1
                self.last_error = repr(e)
            await asyncio.sleep(self.interval)

    def start(self):
        if self.enabled:
            self._task = asyncio.ensure_future(self._run())
        return self

    async def stop(self):
        self._stop = True
        if self._task:
            await self._task
        return self
