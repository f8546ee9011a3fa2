"""Requests/s of `refcheck serve` with 1 and 2 workers for keep-alive clients (issue 15:
uvicorn's own multi-worker socket lacks TCP_NODELAY, so every keep-alive request after
the first waited ~44 ms for a delayed ACK; refcheck now binds the socket itself).

    python benchmarks/keepalive.py [--clients 8] [--requests 250]
"""
from __future__ import annotations

import argparse
import http.client
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def drive(port: int, clients: int, requests: int) -> tuple[float, float]:
    latencies: list[float] = []

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for _ in range(requests):
            t = time.perf_counter()
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            latencies.append(time.perf_counter() - t)
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return clients * requests / (time.perf_counter() - t0), statistics.median(latencies) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--requests", type=int, default=250)
    args = ap.parse_args()
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            port = _port()
            proc = subprocess.Popen([sys.executable, "-m", "refcheck.cli", "serve", "--port", str(port), "--db",
                                     f"{tmp}/desk.sqlite3", "--workers", str(workers)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                for _ in range(200):
                    try:
                        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                        break
                    except OSError:
                        time.sleep(0.1)
                rate, p50 = drive(port, args.clients, args.requests)
                print(f"workers {workers}: keep-alive {rate:,.0f} req/s, p50 {p50:.1f} ms")
            finally:
                proc.terminate()
                proc.wait(timeout=10)


if __name__ == "__main__":
    main()
