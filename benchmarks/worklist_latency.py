"""Worklist latency with many open referrals (issue 15 target: p50 under 30 ms for the
first page and for any filter at 100k open referrals, on SQLite and PostgreSQL).

Rows are inserted directly (bulk, with a realistic report) so the benchmark measures the
query, not screening. Prints p50/p95 per query for each size.

    python benchmarks/worklist_latency.py [--sizes 10000 100000] [--db postgresql://…]
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert

from refcheck.service import db

REPORT = {"action": "decline", "appropriateness": "low_value", "recommended_modality": None,
          "exam": {"modality": "MR", "region": "lumbar_spine"}, "patient": {"age": 44, "sex": "female"}, "red_flags": []}
REGIONS = ["lumbar_spine", "knee", "shoulder", "cervical_spine", "hip_pelvis"]
ACTIONS = ["decline", "accept", "return", "redirect", "escalate"]


def fill(engine, n: int) -> None:
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    batch = []
    for i in range(n):
        action = ACTIONS[i % 5] if i % 50 else "escalate"
        report = {**REPORT, "action": action, "exam": {"modality": ["MR", "XR", "CT", "US"][i % 4],
                                                         "region": REGIONS[i % 5]}}
        batch.append(dict(external_id=f"b-{i}", received_at=start + timedelta(seconds=i), submitted_by="bench",
                          text="Ryggsmerter i 3 uker.", report=json.dumps(report), proposed_action=action,
                          appropriateness="low_value", region=REGIONS[i % 5], status="open", version=1,
                          **db._columns_of(report)))
        if len(batch) == 5000:
            with engine.begin() as conn:
                conn.execute(insert(db.referrals), batch)
            batch = []
    if batch:
        with engine.begin() as conn:
            conn.execute(insert(db.referrals), batch)


def timed(fn, repeat: int = 30) -> tuple[float, float]:
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1000)
    ts.sort()
    return statistics.median(ts), ts[int(0.95 * (len(ts) - 1))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--db", default=None, help="a PostgreSQL URL of an empty database (default: SQLite)")
    args = ap.parse_args()
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            url = args.db or f"{tmp}/desk.sqlite3"
            engine = db.connect(url)
            with engine.begin() as conn:
                conn.execute(db.referrals.delete())
            fill(engine, n)
            with engine.begin() as conn:  # fresh statistics, as autovacuum / SQLite's optimizer would have
                conn.exec_driver_sql("ANALYZE")
            first = db.worklist(engine)
            queries = {"first page": lambda: db.worklist(engine),
                       "next page": lambda: db.worklist(engine, after=first["next"]),
                       "region=knee": lambda: db.worklist(engine, region="knee"),
                       "action=return": lambda: db.worklist(engine, action="return"),
                       "modality=CT": lambda: db.worklist(engine, modality="CT"),
                       "red_flags=false": lambda: db.worklist(engine, red_flags=False)}
            for name, fn in queries.items():
                p50, p95 = timed(fn)
                print(f"{engine.dialect.name:10s} open {n:>7,}  {name:16s} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms")
            engine.dispose()


if __name__ == "__main__":
    main()
