#!/usr/bin/env python3
"""Audit throughput and memory at 1 and 2 jobs (a benchmark, not a test).

Generates a JSONL batch of varied referrals (the generator of check_throughput.py, with
referrers and dates), runs ``refcheck audit`` on it in a fresh process per job count, and
prints referrals/second and peak RSS (the parent's and the largest worker's).

usage: python benchmarks/audit_throughput.py [--n 10000] [--jobs 1 2] [--dask 1 2]
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_throughput import generate  # noqa: E402

RUNNER = """
import resource, sys, time
from pathlib import Path
from refcheck.audit import run_audit
t0 = time.perf_counter()
engine = sys.argv[4] if len(sys.argv) > 4 else "local"
jobs = int(sys.argv[3])
res = run_audit(sys.argv[1], Path(sys.argv[2]), jobs=1 if engine == "dask" else jobs, progress=False,
                engine=engine, dask_workers=jobs)
dt = time.perf_counter() - t0
me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(res.inputs, dt, me, kids)
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--dask", type=int, nargs="*", default=[], help="also --engine dask with these worker counts")
    args = ap.parse_args()
    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "batch.jsonl"
        with src.open("w", encoding="utf-8") as fh:
            for i, (_, text) in enumerate(generate(args.n, 5)):
                fh.write(json.dumps({"id": f"b-{i}", "text": text, "referrer": f"practice-{rng.randint(1, 40)}",
                                     "date": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"},
                                    ensure_ascii=False) + "\n")
        print(f"batch: {args.n} referrals ({src.stat().st_size / 2**20:.1f} MB JSONL)")
        for engine, jobs in [("local", j) for j in args.jobs] + [("dask", j) for j in args.dask]:
            out = Path(tmp) / f"out-{engine}-{jobs}"
            t0 = time.perf_counter()
            proc = subprocess.run([sys.executable, "-c", RUNNER, str(src), str(out), str(jobs), engine],
                                  capture_output=True, text=True, check=True)
            wall = time.perf_counter() - t0
            n, dt, me, kids = proc.stdout.split()
            print(f"{engine} {'workers' if engine == 'dask' else 'jobs'}={jobs}: {int(n) / float(dt):7.0f} referrals/s (audit {float(dt):.1f} s, process {wall:.1f} s); "
                  f"peak RSS parent {float(me):.0f} MB, largest worker {float(kids):.0f} MB")


if __name__ == "__main__":
    main()
