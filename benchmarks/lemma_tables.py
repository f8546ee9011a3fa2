#!/usr/bin/env python3
"""What a flattened Norsk Ordbank lemma table would cost, against refcheck's stemmer.

spaCy's ``nb`` lookup table is nearly empty; spacy-lookups-data ships the Ordbank
exception table (``nb_lemma_exc``: POS → form → lemmas). This script flattens it into one
form → lemma dict and prints its load time and memory, and for the bundled samples how
many tokens each approach brings to the same key as their base form:

- coverage: share of sample word tokens the table knows;
- agreement: for words whose Ordbank lemma differs from the word, how often refcheck's
  stemmer gives the word and its lemma the same key (so matching already succeeds).

usage: python benchmarks/lemma_tables.py
"""
from __future__ import annotations

import gzip
import json
import re
import resource
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    import spacy_lookups_data

    from refcheck.text.fold import fold, stem

    path = Path(spacy_lookups_data.__file__).parent / "data" / "nb_lemma_exc.json.gz"
    tracemalloc.start()
    t0 = time.perf_counter()
    exc = json.load(gzip.open(path))
    flat: dict[str, str] = {}
    for table in exc.values():
        for form, lemmas in table.items():
            flat.setdefault(form.lower(), lemmas[0].lower())
    load = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del exc
    print(f"Ordbank (nb_lemma_exc) flattened: {len(flat):,} forms; load {load:.2f} s; "
          f"peak allocation while loading {peak / 2**20:.0f} MB")

    words = []
    for p in sorted((ROOT / "sample_referrals").glob("gold_n[bn].jsonl")):
        for line in p.read_text(encoding="utf-8").splitlines():
            words += [w.lower() for w in re.findall(r"[^\W\d_]+", json.loads(line)["text"])]
    known = [w for w in words if w in flat]
    inflected = [w for w in known if flat[w] != w]
    same_key = [w for w in inflected if stem(fold(w), "nb") == stem(fold(flat[w]), "nb")]
    t0 = time.perf_counter()
    for w in words:
        stem(fold(w), "nb")
    stem_time = time.perf_counter() - t0
    print(f"sample nb/nn word tokens: {len(words):,}; known to Ordbank: {len(known) / len(words):.1%}")
    print(f"inflected tokens (lemma differs): {len(inflected):,}; refcheck's stemmer gives word and lemma the "
          f"same key for {len(same_key) / max(1, len(inflected)):.1%}")
    misses = sorted({(w, flat[w]) for w in inflected if w not in same_key})[:15]
    print("examples the stemmer does not unify:", ", ".join(f"{a}->{b}" for a, b in misses))
    print(f"stemmer: {stem_time * 1e6 / len(words):.2f} µs per token, no table to load")
    print(f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
