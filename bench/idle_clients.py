#!/usr/bin/env python3
"""Holds many idle PostgreSQL client connections open, then has each run SELECT 1. Used by bench/idle.sh.

Speaks the protocol itself (StartupMessage, cleartext or md5 password, ReadyForQuery; later Query), so it needs
nothing beyond the standard library and every connection costs the client only a socket.

Coordinator (what idle.sh runs): splits the clients over worker processes, because one process may only have
so many open files, and talks to its caller in lines:
  stdout  "idle {json}"      every client has logged in (or given up); the clients now sit idle
  stdin   "query"            every client sends SELECT 1 at once
  stdout  "answered {json}"  how many got their answer
  stdin   "close" (or EOF)   every client disconnects; the coordinator exits
With --oneshot it connects, queries and closes without waiting (used to warm a pooler up).
"""
import argparse
import asyncio
import ctypes
import hashlib
import json
import os
import random
import signal
import struct
import subprocess
import sys
import time


class ServerError(Exception):
    """An ErrorResponse: kept apart from network errors so the report can say what the pooler said."""


def error_text(body):
    fields = {}
    for part in body.split(b"\0"):
        if part:
            fields[chr(part[0])] = part[1:].decode("utf-8", "replace")
    return f'{fields.get("S", "?")} {fields.get("C", "?")}: {fields.get("M", "")}'


async def read_message(reader):
    head = await reader.readexactly(5)
    kind, length = head[:1], struct.unpack("!i", head[1:])[0]
    return kind, await reader.readexactly(length - 4)


def startup_message(user, database):
    # What libpq sends for psql, minus the options; application_name tells the clients apart in server logs.
    params = {"user": user, "database": database, "application_name": "idle-bench", "client_encoding": "UTF8"}
    body = struct.pack("!i", 196608) + b"".join(k.encode() + b"\0" + v.encode() + b"\0" for k, v in params.items())
    body += b"\0"
    return struct.pack("!i", len(body) + 4) + body


def password_message(text):
    body = text.encode() + b"\0"
    return b"p" + struct.pack("!i", len(body) + 4) + body


async def log_in(args):
    reader, writer = await asyncio.open_connection(args.host, args.port)
    try:
        writer.write(startup_message(args.user, args.database))
        while True:
            kind, body = await read_message(reader)
            if kind == b"R":
                code = struct.unpack("!i", body[:4])[0]
                if code == 5:  # md5: md5(md5(password + user) + salt), hex, prefixed "md5"
                    inner = hashlib.md5((args.password + args.user).encode()).hexdigest().encode()
                    writer.write(password_message("md5" + hashlib.md5(inner + body[4:8]).hexdigest()))
                elif code == 3:
                    writer.write(password_message(args.password))
                elif code != 0:
                    raise ServerError(f"authentication method {code} is not supported by this client")
            elif kind == b"E":
                raise ServerError(error_text(body))
            elif kind == b"Z":
                return reader, writer
            # ParameterStatus, BackendKeyData, NoticeResponse: nothing to do
    except BaseException:
        writer.close()
        raise


async def select_one(conn):
    reader, writer = conn
    body = b"SELECT 1\0"
    writer.write(b"Q" + struct.pack("!i", len(body) + 4) + body)
    value = None
    while True:
        kind, body = await read_message(reader)
        if kind == b"D":
            length = struct.unpack("!i", body[2:6])[0]
            value = body[6:6 + length]
        elif kind == b"E":
            raise ServerError(error_text(body))
        elif kind == b"Z":
            if value != b"1":
                raise ServerError(f"unexpected answer {value!r}")
            return


def reason(exc):
    if isinstance(exc, ServerError):
        return str(exc)
    if isinstance(exc, asyncio.IncompleteReadError):
        return "connection closed by the server"
    if isinstance(exc, asyncio.TimeoutError):
        return "timed out"
    return f"{type(exc).__name__}: {exc}"


class Worker:
    def __init__(self, args, count):
        self.args, self.count = args, count
        self.conns = []
        self.failures = {}  # reason -> count, over all attempts (a retried attempt counts too)
        self.gave_up = 0

    def failed(self, exc):
        r = reason(exc)
        self.failures[r] = self.failures.get(r, 0) + 1

    async def connect_one(self, gate):
        # Retries with growing, jittered pauses: a pooler whose accept backlog overflowed drops or refuses the
        # connection, and a retry a little later is what a real client (or its pool) would do.
        for attempt in range(self.args.attempts):
            async with gate:
                try:
                    conn = await asyncio.wait_for(log_in(self.args), self.args.login_timeout)
                    self.conns.append(conn)
                    return
                except Exception as exc:  # every failure is counted and retried
                    self.failed(exc)
            await asyncio.sleep(min(2.0, 0.05 * 2 ** attempt) * random.uniform(0.5, 1.5))
        self.gave_up += 1

    async def connect_all(self):
        # At most `concurrency` logins in flight: clients arrive gradually, so the listen queue never holds more
        # than that, whatever the pooler's backlog.
        gate = asyncio.Semaphore(self.args.concurrency)
        started = time.monotonic()
        await asyncio.gather(*(self.connect_one(gate) for _ in range(self.count)))
        return {"clients": self.count, "connected": len(self.conns), "gave_up": self.gave_up,
                "failed_attempts": sum(self.failures.values()), "errors": self.failures,
                "seconds": round(time.monotonic() - started, 2)}

    async def query_all(self):
        errors = {}

        async def one(conn):
            try:
                await asyncio.wait_for(select_one(conn), self.args.query_timeout)
                return True
            except Exception as exc:  # reported, not raised
                r = reason(exc)
                errors[r] = errors.get(r, 0) + 1
                return False

        started = time.monotonic()
        results = await asyncio.gather(*(one(c) for c in self.conns))
        return {"clients": self.count, "asked": len(self.conns), "answered": sum(results), "errors": errors,
                "seconds": round(time.monotonic() - started, 2)}

    def close_all(self):
        for _, writer in self.conns:
            writer.write(b"X\0\0\0\4")  # Terminate: a polite goodbye, so the poolers log no errors
            writer.close()
        self.conns = []


async def worker_main(args):
    loop = asyncio.get_running_loop()
    worker = Worker(args, args.count)
    report = await worker.connect_all()
    print(json.dumps(report), flush=True)
    while True:
        line = (await loop.run_in_executor(None, sys.stdin.readline)).strip()
        if line == "query":
            print(json.dumps(await worker.query_all()), flush=True)
        else:  # "close" or EOF (the coordinator is gone)
            worker.close_all()
            await asyncio.sleep(0.2)  # let the transports flush the Terminates before the loop goes away
            return


def die_with_parent():
    # A worker must not outlive its coordinator (killed by the benchmark's cleanup): ask the kernel for SIGTERM
    # when the parent exits (prctl PR_SET_PDEATHSIG). Linux only; elsewhere EOF on stdin still ends the worker.
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def merge(reports):
    # Counts add up; errors add up per message; the workers ran side by side, so the slowest one's time counts.
    out = {"errors": {}}
    for r in reports:
        for k, v in r.items():
            if k == "errors":
                for e, n in v.items():
                    out["errors"][e] = out["errors"].get(e, 0) + n
            elif k == "seconds":
                out[k] = max(out.get(k, 0), v)
            else:
                out[k] = out.get(k, 0) + v
    return out


def coordinator(args):
    procs = max(1, -(-args.clients // args.per_process))
    shares = [args.clients // procs + (1 if i < args.clients % procs else 0) for i in range(procs)]
    base = [sys.executable, os.path.abspath(__file__), "--worker"]
    for key in ("host", "port", "user", "password", "database", "attempts", "login_timeout", "query_timeout"):
        base += [f"--{key.replace('_', '-')}", str(getattr(args, key))]
    workers = []

    def stop(*_):
        for w in workers:
            w.kill()
        sys.exit(143)

    signal.signal(signal.SIGTERM, stop)
    # The login concurrency is shared out, so the total in flight stays what was asked for.
    per_worker = max(1, args.concurrency // procs)
    for n in shares:
        workers.append(subprocess.Popen(base + ["--count", str(n), "--concurrency", str(per_worker)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))

    def collect():
        reports = []
        for w in workers:
            line = w.stdout.readline()
            reports.append(json.loads(line) if line else {"worker_died": 1})
        return merge(reports)

    def tell(command):
        for w in workers:
            try:
                w.stdin.write(command + "\n")
                w.stdin.flush()
            except BrokenPipeError:
                pass

    idle = collect()
    idle["processes"] = procs
    print("idle " + json.dumps(idle), flush=True)
    command = "query" if args.oneshot else sys.stdin.readline().strip()
    if command == "query":
        tell("query")
        print("answered " + json.dumps(collect()), flush=True)
        command = "close" if args.oneshot else sys.stdin.readline().strip()
    tell("close")
    for w in workers:
        w.stdin.close()
        w.wait()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--user", default="bench")
    p.add_argument("--password", default="bench")
    p.add_argument("--database", default="bench")
    p.add_argument("--clients", type=int, default=100, help="idle clients in all")
    p.add_argument("--per-process", type=int, default=4000,
                   help="clients per worker process (each socket is an open file; keep well under ulimit -n)")
    p.add_argument("--concurrency", type=int, default=64, help="logins in flight at once, over all workers")
    p.add_argument("--attempts", type=int, default=20, help="tries per client before it gives up")
    p.add_argument("--login-timeout", type=float, default=30.0, help="seconds per login attempt")
    p.add_argument("--query-timeout", type=float, default=300.0, help="seconds a client waits for its answer")
    p.add_argument("--oneshot", action="store_true", help="connect, query and close without waiting for stdin")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--count", type=int, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        die_with_parent()
        asyncio.run(worker_main(args))
    else:
        coordinator(args)


if __name__ == "__main__":
    main()
