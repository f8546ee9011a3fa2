"""Peak memory of reading a CSV batch (issue 15: CSV was read whole, so memory grew with
the file and forked audit workers inherited it). Prints the traced peak for 10k and
200k rows; a streaming reader keeps it flat.

    python benchmarks/csv_stream_memory.py
"""
from __future__ import annotations

import csv
import os
import tempfile
import time
import tracemalloc
from pathlib import Path

from refcheck.inputs.files import iter_csv


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for n in (10_000, 200_000):
            path = Path(tmp) / f"batch-{n}.csv"
            with path.open("w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh)
                w.writerow(["id", "text", "age"])
                for i in range(n):
                    w.writerow([f"r{i}", 'MR LS-columna. Mann 44 år, korsryggsmerter i 3 uker, "ingen" utstråling.', 44])
            tracemalloc.start()
            t0 = time.perf_counter()
            rows = sum(1 for _ in iter_csv(path))
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"{rows:>8,} rows  file {os.path.getsize(path) / 1e6:5.1f} MB  peak traced {peak / 1e6:5.2f} MB  "
                  f"{rows / (time.perf_counter() - t0):,.0f} rows/s")


if __name__ == "__main__":
    main()
