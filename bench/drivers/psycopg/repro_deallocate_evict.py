# psycopg 3.1.7, ONE client through pgmux; prepared_max lowered to 2 only to reach cache eviction quickly
# (default 100 shows the same after 101 distinct prepared queries).
import psycopg
c = psycopg.connect(__import__("os").environ.get("PGMUX_URL", "postgresql://app:app@127.0.0.1:6432/app"), autocommit=True)
c.prepared_max = 2
for j in range(4):
    for n in range(6):
        try:
            c.execute("select %%s::int + %d, 'repro_evict'" % j, (n,)).fetchone()
        except Exception as e:
            print("j", j, "n", n, "ERROR", type(e).__name__, e)
print("done")
