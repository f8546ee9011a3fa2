"""Time of the audit's output step with one feedback page per referrer (issue 15 target:
2,000 referrer pages over 100k referrals in under 10 s).

The referral table is made by auditing the bundled samples once and repeating its rows
with distinct sequence numbers, several hundred to thousands of referrers and two years
of months, so the output step sees a realistic table without checking 100k referrals.

    python benchmarks/referrer_pages.py [--n 100000] [--referrers 2000]
"""
from __future__ import annotations

import argparse
import csv
import tempfile
import time
from pathlib import Path

from refcheck.audit import run_audit
from refcheck.audit.report import write_outputs

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--referrers", type=int, default=2000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        seed = Path(tmp) / "seed"
        run_audit(str(ROOT / "sample_referrals"), seed, progress=False)
        with (seed / "referrals.csv").open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        out = Path(tmp) / "big"
        out.mkdir()
        with (out / "referrals.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            for i in range(args.n):
                r = dict(rows[i % len(rows)])
                r["seq"] = str(i)
                r["referrer"] = f"Legekontor {i % args.referrers:04d}"
                r["month"] = f"{2025 + (i // 12) % 2}-{1 + i % 12:02d}"
                w.writerow(r)
        (out / "findings.csv").write_text("seq,id,rule,severity,evidence\n", encoding="utf-8")
        t0 = time.perf_counter()
        summary = write_outputs(out, "nb", by_referrer=True)
        took = time.perf_counter() - t0
        pages = len(list((out / "referrers").glob("*.html")))
        print(f"referrals {args.n:,}  referrers {args.referrers:,}  pages {pages:,}  output step {took:.1f} s "
              f"(target < 10 s)  inputs in summary {summary['inputs']:,}")


if __name__ == "__main__":
    main()
