"""The audit at scale (issue 15): for N generated referrals (distinct ids, several hundred
referrers, two years of dates) the rate, peak RSS and phase costs of --jobs 1, --jobs 2
and --engine dask with 1 and 2 workers, with referrer pages; and a projection for a
cluster from the measured per-worker rate.

    python benchmarks/audit_scale.py [--sizes 10000 100000 1000000] [--machines 10]
        [--configs local:1,local:2,dask:1,dask:2] [--format jsonl|csv|parquet]

Each configuration runs in a fresh process (peak RSS of the parent and of its largest
child). 1 M referrals take tens of minutes per configuration on a 2-core machine.
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
import json, resource, sys, time
from pathlib import Path
from refcheck.audit import run_audit
src, out, engine, n = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
t0 = time.perf_counter()
res = run_audit(src, out, jobs=1 if engine == "dask" else n, engine=engine, dask_workers=n, by_referrer=True,
                progress=False)
print(json.dumps({"inputs": res.inputs, "seconds": time.perf_counter() - t0, "phases": res.phases,
                  "rss_parent": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "rss_child": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--referrers", type=int, default=400)
    ap.add_argument("--machines", type=int, default=10, help="cluster size for the projection (2 workers each)")
    ap.add_argument("--configs", default="local:1,local:2,dask:1,dask:2",
                    help="engine:workers pairs, comma-separated")
    ap.add_argument("--format", choices=("jsonl", "csv", "parquet"), default="jsonl", help="input format")
    args = ap.parse_args()
    configs = [(c.split(":")[0], int(c.split(":")[1])) for c in args.configs.split(",") if c]
    rng = random.Random(7)
    best_per_worker = 0.0
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "batch.jsonl"
            with src.open("w", encoding="utf-8") as fh:
                for i, (_, text) in enumerate(generate(n, 5)):
                    fh.write(json.dumps({"id": f"a-{i}", "text": text, "referrer": f"Legekontor {rng.randrange(args.referrers)}",
                                         "date": f"{2025 + rng.randrange(2)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"},
                                        ensure_ascii=False) + "\n")
            if args.format != "jsonl":
                import pandas as pd
                frame = pd.read_json(src, lines=True, dtype=False)
                src = src.with_suffix("." + args.format)
                if args.format == "csv":
                    frame.to_csv(src, index=False)
                else:
                    frame.to_parquet(src, index=False, row_group_size=50_000)
                del frame
            for engine, k in configs:
                out = Path(tmp) / f"out-{engine}-{k}"
                t0 = time.perf_counter()
                proc = subprocess.run([sys.executable, "-c", RUNNER, str(src), str(out), engine, str(k)],
                                      capture_output=True, text=True, check=True)
                r = json.loads(proc.stdout.strip().splitlines()[-1])
                rate = r["inputs"] / r["seconds"]
                if engine == "dask":
                    best_per_worker = max(best_per_worker, rate / k)
                label = f"--jobs {k}" if engine == "local" else f"dask {k} worker(s)"
                print(f"N {n:>9,} {args.format:7s} {label:18s} {rate:7.0f}/s  check {r['phases']['check']:7.1f} s  "
                      f"outputs+pages {r['phases']['outputs']:6.1f} s  RSS parent {r['rss_parent']:5.0f} MB  "
                      f"largest child {r['rss_child']:5.0f} MB  (process {time.perf_counter() - t0:.0f} s)")
    workers = 2 * args.machines
    if not best_per_worker:
        return
    print(f"projection: {args.machines} machines × 2 workers at {best_per_worker:.0f}/s per worker ≈ "
          f"{workers * best_per_worker:,.0f} referrals/s ≈ {10_000_000 / (workers * best_per_worker) / 60:.0f} min "
          "for 10 M (assumes the driver keeps up: it only reads input and appends rows, and workers scale linearly)")


if __name__ == "__main__":
    main()
