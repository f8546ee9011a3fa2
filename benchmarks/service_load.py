#!/usr/bin/env python3
"""Load the screening desk on loopback, then kill it mid-load and check nothing acknowledged is lost.

Phase 1: start ``refcheck serve`` on a free 127.0.0.1 port with a fresh SQLite database,
drive it with ``--clients`` concurrent clients posting referrals for ``--seconds`` seconds
(bounded), and print requests/s and p50/p95/p99 latency.
Phase 2: start the load again, SIGKILL the server after ``--kill-after`` seconds, restart
it on the same database, and check that every referral that got a 2xx is stored.

Only loopback is ever contacted; all loops are bounded in count and time.

usage: python benchmarks/service_load.py [--clients 8] [--seconds 15] [--kill-after 3] [--db URL]
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_throughput import generate  # noqa: E402

MAX_REQUESTS_PER_CLIENT = 20_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(db_url: str, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "refcheck.cli", "serve", "--port", str(port), "--db", db_url],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2)
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start")


def post(port: int, token: str, body: dict) -> int:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/referrals", data=json.dumps(body).encode(),
                                 method="POST", headers={"Authorization": f"Bearer {token}",
                                                         "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def drive(port: int, token: str, texts: list[str], clients: int, seconds: float, prefix: str):
    """Concurrent clients for a bounded time; returns (latencies, acknowledged ids, errors)."""
    latencies: list[float] = []
    acked: list[str] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client(c: int) -> None:
        for i in range(MAX_REQUESTS_PER_CLIENT):
            if time.perf_counter() >= stop_at:
                return
            rid = f"{prefix}-{c}-{i}"
            t0 = time.perf_counter()
            try:
                status = post(port, token, {"id": rid, "text": texts[(c * 7919 + i) % len(texts)]})
            except OSError:
                with lock:
                    errors[0] += 1
                time.sleep(0.05)
                continue
            dt = time.perf_counter() - t0
            with lock:
                if 200 <= status < 300:
                    latencies.append(dt)
                    acked.append(rid)
                else:
                    errors[0] += 1

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    return threads, latencies, acked, errors


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1000 if len(values) > 1 else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--kill-after", type=float, default=3)
    ap.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    args = ap.parse_args()

    from refcheck.service import db

    texts = [t for _, t in generate(2000, 11)]
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or str(Path(tmp) / "desk.sqlite3")
        engine = db.connect(url)
        token = db.create_token(engine, "submitter", "load")
        port = free_port()
        server = start(url, port)
        threads, lat, acked, errors = drive(port, token, texts, args.clients, args.seconds, "load")
        for t in threads:
            t.join()
        wall = args.seconds
        print(f"phase 1: {args.clients} clients for {wall:.0f} s on 127.0.0.1: {len(lat)} acknowledged "
              f"({len(lat) / wall:.1f} requests/s), {errors[0]} errors")
        print(f"  latency p50 {pct(lat, 50):.0f} ms  p95 {pct(lat, 95):.0f} ms  p99 {pct(lat, 99):.0f} ms")

        threads, lat2, acked2, errors2 = drive(port, token, texts, args.clients, args.kill_after + 3, "kill")
        time.sleep(args.kill_after)
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
        for t in threads:
            t.join()
        with_2xx = list(acked2)
        server = start(url, port)
        with engine.connect() as conn:
            stored = {r[0] for r in conn.exec_driver_sql("SELECT external_id FROM referrals")}
        missing = [rid for rid in with_2xx if rid not in stored]
        print(f"phase 2: SIGKILL after {args.kill_after:.0f} s of load; {len(with_2xx)} referrals had a 2xx before the "
              f"kill; after restart {len(with_2xx) - len(missing)} of them are stored; missing: {len(missing)}")
        server.terminate()
        server.wait()
        if missing:
            raise SystemExit(f"LOST {len(missing)} acknowledged referrals: {missing[:5]}")


if __name__ == "__main__":
    main()
