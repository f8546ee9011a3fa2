#!/usr/bin/env python3
"""Language ID on the labelled samples: lingua alone, refcheck's markers alone, and both.

Prints accuracy per method overall and on short texts (< 12 words), and the time per call.

usage: python benchmarks/langid_compare.py [GOLD.jsonl ...]
"""
from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    from refcheck.text import langid
    from refcheck.text.normalize import normalize

    paths = [Path(p) for p in sys.argv[1:]] or sorted((ROOT / "sample_referrals").glob("gold_*.jsonl"))
    cases = []
    for p in paths:
        for line in p.read_text(encoding="utf-8").splitlines():
            c = json.loads(line)
            cases.append((normalize(c["text"]).text, c["gold"]["language"]))
    # Short texts as a screening desk also sees them: each referral's first line.
    shorts = [(t.split("\n")[0], g) for t, g in cases if len(re.findall(r"\w+", t.split("\n")[0])) >= 3]

    detector, names = langid._lingua()

    def lingua_only(text: str) -> str:
        return names[detector.detect_language_of(text)] if detector.detect_language_of(text) else "nb"

    def markers_only(text: str) -> str:
        return langid.detect(text, use_lingua=False)

    for name, fn in (("lingua (nb/nn/da, low accuracy mode)", lingua_only), ("markers only", markers_only),
                     ("refcheck (markers + lingua)", langid.detect)):
        t0 = time.perf_counter()
        right = sum(fn(t) == g for t, g in cases)
        short_right = sum(fn(t) == g for t, g in shorts)
        dt = (time.perf_counter() - t0) / (len(cases) + len(shorts))
        print(f"{name:38s} full texts {right}/{len(cases)} ({right / len(cases):.1%})   "
              f"first lines {short_right}/{len(shorts)} ({short_right / len(shorts):.1%})   {dt * 1e3:.2f} ms/call")


if __name__ == "__main__":
    main()
