#!/usr/bin/env python3
"""Pathological inputs under the size cap, and the time refcheck.check takes on each
(a benchmark, not a test). Target: every row under 1 s.

Each input is a worst case for one step: long runs of punctuation and whitespace
(tokenizer suffix search, sentence and section scans), repeated durations and headers
(per-match rescans), one 100,000-character word, deep brackets. The text is never
printed, only its name and length.

usage: python benchmarks/adversarial.py [--limit-seconds 1.0]
"""
from __future__ import annotations

import argparse
import sys
import time

from refcheck import check
from refcheck.errors import MAX_CHARS

N = MAX_CHARS - 1


def inputs() -> list[tuple[str, str]]:
    cases = [(f"run of {name}", ch * N) for name, ch in [
        ("newlines", "\n"), ("spaces then a", " "), ("tabs", "\t"), ("dots", "."), ("commas", ","),
        ("open brackets", "("), ("close brackets", ")"), ("question marks", "?"), ("colons", ":"),
        ("dashes", "-"), ("slashes", "/"), ("quotes", '"'), ("digits", "7"), ("letters", "a")]]
    cases[1] = ("run of spaces then a", " " * (N - 1) + "a")
    cases += [
        ("newlines then a", "\n" * (N - 1) + "a"),
        ("deep brackets", ("[(" * (N // 2))[:N]),
        ("repeated durations", ("to uker " * (N // 8))[:N]),
        ("repeated numbers and units", ("3 uker, 2 mnd, 4 dager; " * (N // 24))[:N]),
        ("repeated headers", ("Anamnese:\n" * (N // 10))[:N]),
        ("repeated questions", ("Spm: prolaps?\n" * (N // 14))[:N]),
        ("repeated negations", ("ingen feber, " * (N // 13))[:N]),
        ("repeated family words", ("mor har kreft. " * (N // 15))[:N]),
        ("repeated red flags", ("nattesmerter og vekttap " * (N // 24))[:N]),
        ("one word with dots", ("a." * (N // 2))[:N]),
        ("ages", ("Mann 45 år. " * (N // 12))[:N]),
        ("a normal referral repeated", ("MR LS. Kvinne 52 år, korsryggsmerter i 3 uker, ingen røde flagg. "
                                        * (N // 66))[:N]),
    ]
    return cases


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit-seconds", type=float, default=1.0)
    args = ap.parse_args(argv)
    check("MR LS. Mann 40 år, ryggsmerter 2 uker.", language="nb")  # load the pipeline, not timed
    worst = 0.0
    print(f"{'input':32} {'chars':>7} {'seconds':>8}  result")
    for name, text in inputs():
        t0 = time.perf_counter()
        report = check(text, language="nb")
        secs = time.perf_counter() - t0
        worst = max(worst, secs)
        result = report.errors[0]["code"] if report.errors else report.action
        flag = "" if secs < args.limit_seconds else "  OVER"
        print(f"{name:32} {len(text):7d} {secs:8.2f}  {result}{flag}")
    print(f"\nworst: {worst:.2f} s (target < {args.limit_seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
