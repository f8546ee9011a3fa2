#!/usr/bin/env python3
"""CPU instructions per referral of refcheck.check, counted by valgrind (a benchmark, not a test).

Wall-clock timing on a shared 2-core machine drifts by ±30 % between runs, so a 5 % change
in check cost cannot be seen without many interleaved runs. Instruction counts under
valgrind's callgrind are nearly deterministic (PYTHONHASHSEED is fixed): the script runs
a fresh interpreter twice, both times warming up the three pipelines and then checking W
generated referrals of another seed (``--warm``), the second run also checking N generated
referrals (benchmarks/check_throughput.py's batch), and prints the difference divided by N:
the steady-state cost of one more referral. The warm-up batch matters: the first referrals
also pay one-time costs (the learned models and language detector loaded on first use,
per-word caches filling), about 1.2 G instructions here, which at ``--warm 0`` put 18.8 M
per referral at N=100 and 10.1 M at N=400 against a marginal cost near 7 M; a batch audit
pays them once. ``--tree DIR`` measures another checkout (e.g. a ``git worktree`` of an older
commit) against the same batch, for before/after figures.

Needs Debian's valgrind. Each run takes about a minute (callgrind is ~50x slower); the two
runs go in parallel.

usage: python benchmarks/check_instructions.py [--n 200] [--warm 200] [--tree DIR ...]
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DRIVER = """
import sys
sys.path.insert(0, {bench!r})
from check_throughput import generate
import refcheck
for lang, text in (("nb", "Mann 40 år."), ("nn", "Ho er 40 år og har vondt."), ("da", "Pt. 41-årig kvinde.")):
    refcheck.check(text, language=lang)
warm, n = int(sys.argv[1]), int(sys.argv[2])
for i, (_, t) in enumerate(generate(max(warm, 1), 11)[:warm]):
    refcheck.check(t, id="w" + str(i))
for i, (_, t) in enumerate(generate(max(n, 1), 7)[:n]):
    refcheck.check(t, id=str(i))
"""


def run(tree: Path, driver: Path, warm: int, n: int, out: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(tree)}
    return subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                             sys.executable, str(driver), str(warm), str(n)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def refs(proc: subprocess.Popen) -> int:
    _, err = proc.communicate()
    if proc.returncode:
        sys.exit(f"valgrind run failed ({proc.returncode}):\n{err[-2000:]}")
    m = re.search(r"I\s+refs:\s+([\d,]+)", err)
    if not m:
        sys.exit("valgrind printed no instruction count")
    return int(m.group(1).replace(",", ""))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200, help="referrals checked in the measured run")
    ap.add_argument("--warm", type=int, default=200,
                    help="referrals (another seed) checked before measuring, in both runs")
    ap.add_argument("--tree", action="append", type=Path, default=[],
                    help="another checkout to measure on the same batch (repeatable)")
    args = ap.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (Debian: apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as tmp:
        driver = Path(tmp) / "driver.py"
        driver.write_text(DRIVER.format(bench=str(ROOT / "benchmarks")), encoding="utf-8")
        results = {}
        for tree in [ROOT, *args.tree]:
            warm = run(tree, driver, args.warm, 0, Path(tmp) / "warm.out")
            full = run(tree, driver, args.warm, args.n, Path(tmp) / "full.out")
            results[tree] = (refs(full) - refs(warm)) / args.n
            print(f"{tree}: {results[tree] / 1e6:.2f} M instructions per referral (n={args.n}, after {args.warm})", flush=True)
    for tree in args.tree:
        print(f"{ROOT.name} / {tree.name}: {results[ROOT] / results[tree]:.2f}x")


if __name__ == "__main__":
    main()
