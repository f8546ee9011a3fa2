#!/usr/bin/env python3
"""Throughput, start-up time and peak memory of refcheck.check (a benchmark, not a test).

Generates a batch of varied referrals (sentences of the bundled samples recombined with
random ages, durations and sides; fixed seed), then prints:

- start-up: a fresh interpreter importing refcheck and checking its first referral
  (nb, and all three languages);
- referrals/second of ``refcheck.check`` on one process;
- referrals/second of bare ``spacy.blank(...)`` tokenisation of the same texts;
- their ratio (target: full check within 5x the bare tokeniser's time);
- peak RSS of the process (target: under 400 MB).

Both see each text once, each with a cold cache: spaCy's tokenizer caches whole
whitespace-delimited chunks, and a generated batch recombines the sentences of a hundred
samples, so timing the same or similar texts again flatters the bare tokenizer (measured:
0.85 s cold, 0.28 s by the third round). They are timed chunk by chunk in turn, so that
the machine's drift affects both alike; the spread of the per-chunk ratios is printed. REFCHECK_LEARNED=off measures the
rules alone (without the learned sentence-role model).

usage: python benchmarks/check_throughput.py [--n 5000] [--seed 7]
"""
from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "sample_referrals").glob("gold_*.jsonl"))


def generate(n: int, seed: int) -> list[tuple[str, str]]:
    """(language, text) pairs: sample sentences shuffled and re-numbered."""
    rng = random.Random(seed)
    by_lang: dict[str, list[list[str]]] = {}
    for path in SAMPLES:
        for line in path.read_text(encoding="utf-8").splitlines():
            case = json.loads(line)
            sents = [s for s in re.split(r"(?<=[.?!])\s+|\n", case["text"]) if s.strip()]
            by_lang.setdefault(case["gold"]["language"], []).append(sents)
    langs = sorted(by_lang)
    out = []
    for i in range(n):
        lang = langs[i % len(langs)]
        pool = by_lang[lang]
        base = list(rng.choice(pool))
        extra = rng.choice(pool)
        base.insert(rng.randrange(len(base) + 1), rng.choice(extra))
        text = "\n".join(base)
        text = re.sub(r"\b(\d{2}) år", lambda m: f"{rng.randint(18, 90)} år", text)
        text = re.sub(r"\b(\d{1,2}) (uker|uger|veker|dager|dage|mnd|mdr)\b",
                      lambda m: f"{rng.randint(1, 30)} {m.group(2)}", text)
        out.append((lang, text))
    return out


def startup(code: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--chunks", action="store_true", help="print each chunk's times")
    args = ap.parse_args()

    batch = generate(args.n, args.seed)
    chars = sum(len(t) for _, t in batch)
    print(f"batch: {len(batch)} referrals, {chars / len(batch):.0f} characters on average, "
          f"languages {sorted({lang for lang, _ in batch})}")

    bare_py = "import time; t=time.perf_counter(); import spacy; spacy.blank('nb')('Mann 40 år')"
    nb = "import refcheck; refcheck.check('Mann 40 år, korsryggsmerter i 3 uker. MR?')"
    all3 = nb + "; refcheck.check('Ho har vondt i hofta sidan i går, ikkje betre.'); " \
                "refcheck.check('Pt. 41-årig kvinde med lænderygsmerter gennem 8 uger.')"
    print(f"start-up (import + first check, nb):       {startup(nb):.2f} s")
    print(f"start-up (import + first check, nb/nn/da): {startup(all3):.2f} s")
    print(f"start-up (import spacy + blank nb, for reference): {startup(bare_py):.2f} s")

    import spacy

    import refcheck

    # warm up all three pipelines so that start-up is not counted in throughput
    for lang in ("nb", "nn", "da"):
        refcheck.check({"nb": "Mann 40 år.", "nn": "Ho er 40 år og har vondt.", "da": "Pt. 41-årig kvinde."}[lang],
                       language=lang)

    # Both are timed on the same chunks in turn (check a chunk, tokenise it, next chunk),
    # so that drift in the machine's speed during the run hits both alike. Each text is
    # seen once by each, so both caches stay as cold as in a single pass.
    blank = {"nb": spacy.blank("nb"), "nn": spacy.blank("nb"), "da": spacy.blank("da")}
    full = bare = 0.0
    ratios = []
    chunk = 250
    for k in range(0, len(batch), chunk):
        part = batch[k:k + chunk]
        t0 = time.perf_counter()
        for i, (_, text) in enumerate(part, start=k):
            refcheck.check(text, id=str(i))
        t1 = time.perf_counter()
        for lang, text in part:
            blank[lang].make_doc(text)
        t2 = time.perf_counter()
        full += t1 - t0
        bare += t2 - t1
        ratios.append((t1 - t0) / (t2 - t1))
        if args.chunks:
            print(f"  referrals {k}-{k + len(part) - 1}: check {(t1 - t0) * 1000 / len(part):.3f} ms, "
                  f"bare {(t2 - t1) * 1000 / len(part):.3f} ms, {ratios[-1]:.1f}x")
    ratios.sort()

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"refcheck.check:        {len(batch) / full:8.0f} referrals/s  ({full * 1000 / len(batch):.2f} ms each)")
    print(f"bare spacy tokenizer:  {len(batch) / bare:8.0f} referrals/s  ({bare * 1000 / len(batch):.3f} ms each)")
    print(f"ratio (check time / tokenizer time): {full / bare:.1f}x  (target <= 5x); "
          f"per chunk of {chunk}: min {ratios[0]:.1f}x, median {ratios[len(ratios) // 2]:.1f}x, max {ratios[-1]:.1f}x")
    print(f"peak RSS: {rss:.0f} MB  (target < 400 MB)")


if __name__ == "__main__":
    main()
