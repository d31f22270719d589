# psycopg 3.1.7 default settings, ONE client through pgmux (transaction mode).
import psycopg
c = psycopg.connect(__import__("os").environ.get("PGMUX_URL", "postgresql://app:app@127.0.0.1:6432/app"), autocommit=True)
Q = "select %s::int + 1000, 'repro_dealloc'"
for n in range(7):                       # 5th execution prepares (_pg3_0 -> pgmux_...), later ones Bind only
    print(n, c.execute(Q, (n,)).fetchone())
try:
    with c.transaction():                # rollback -> psycopg sends ROLLBACK, then DEALLOCATE ALL (extended protocol)
        c.execute("select 1")
        raise RuntimeError("rollback")
except RuntimeError:
    pass
for n in range(7, 14):                   # counts start again; 5th execution prepares _pg3_1
    try:
        print(n, c.execute(Q, (n,)).fetchone())
    except Exception as e:
        print(n, "ERROR", type(e).__name__, e)
