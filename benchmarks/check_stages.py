#!/usr/bin/env python3
"""Where a check's time goes: inclusive wall time per stage of refcheck.check (a benchmark, not a test).

cProfile and line_profiler add a per-call cost that swamps refcheck's many small functions
(measured: they put 150 µs on an 8 µs loop), so this script times whole stages instead: it
wraps each pipeline component and the larger steps of fact extraction, judging and the
learned models with ``perf_counter`` and prints, per stage, the mean µs per referral and
its share of the whole check. Stages nest (the lexicon holds the term and concept
matchers), so the shares do not add up to 100 %. Use it to choose what to speed up, and
``check_instructions.py`` to prove that a change did (wall clock drifts ±30 % here).

usage: python benchmarks/check_stages.py [--n 2000]
"""
from __future__ import annotations

import argparse
import functools
import importlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from check_throughput import generate  # noqa: E402

TOTALS: dict[str, float] = {}

#: (module, owner inside the module or "", attribute, label); nested stages are fine
STAGES = [
    ("refcheck.api", "", "_check", "check (whole)"),
    ("refcheck.api", "", "normalize", "normalise"),
    ("refcheck.text.langid", "", "words_of", "language: words"),
    ("refcheck.text.langid", "", "foreign_language", "language: foreign"),
    ("refcheck.text.langid", "", "detect", "language: detect"),
    ("refcheck.api", "", "extract", "facts (whole)"),
    ("refcheck.api", "", "assemble", "judge and report (whole)"),
    ("refcheck.nlp.lexicon", "TermMatcher", "match", "lexicon: term matcher"),
    ("refcheck.nlp.lexicon", "LexiconComponent", "_concept_mentions", "lexicon: composed concepts"),
    ("refcheck.nlp.context", "ContextEngine", "triggers", "context: triggers"),
    ("refcheck.nlp.context", "ContextEngine", "scopes", "context: scopes"),
    ("refcheck.facts.extract", "", "_mentioned", "facts: mentions read"),
    ("refcheck.facts.extract", "", "_course", "facts: course"),
    ("refcheck.facts.extract", "", "_duration", "facts: duration"),
    ("refcheck.facts.extract", "", "_patient", "facts: age and sex"),
    ("refcheck.facts.extract", "", "find_components", "facts: components"),
    ("refcheck.facts.measures", "", "measured_flags", "facts: measured flags"),
    ("refcheck.facts.extract", "", "unresolved", "safety net: alarm words"),
    ("refcheck.learned.red_flags", "", "learned_alarms", "safety net: learned red flags"),
    ("refcheck.learned.roles", "LinearRoleModel", "predict_proba", "learned models: predict"),
    ("refcheck.rules.judge", "", "judge", "rules: judge"),
]


def _add(label: str, seconds: float) -> None:
    TOTALS[label] = TOTALS.get(label, 0.0) + seconds


def _wrap(module: str, owner: str, attr: str, label: str) -> bool:
    mod = sys.modules.get(module) or importlib.import_module(module)
    target = getattr(mod, owner) if owner else mod
    fn = getattr(target, attr, None)
    if fn is None or isinstance(target.__dict__.get(attr), staticmethod):
        return False

    @functools.wraps(fn)
    def timed(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            _add(label, time.perf_counter() - t0)

    setattr(target, attr, timed)
    return True


def _timed_run(nlp, text):
    """refcheck.nlp.run with each pipeline component timed."""
    t0 = time.perf_counter()
    doc = nlp.make_doc(text)
    doc.user_data["refcheck.text"] = text
    t1 = time.perf_counter()
    _add("pipeline: tokenizer", t1 - t0)
    for name, proc in nlp.pipeline:
        doc = proc(doc)
        t2 = time.perf_counter()
        _add(f"pipeline: {name.removeprefix('refcheck_')}", t2 - t1)
        t1 = t2
    _add("pipeline (whole)", t1 - t0)
    return doc


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000, help="referrals timed (after 100 to warm up)")
    args = ap.parse_args()
    import refcheck
    from refcheck import api

    missing = [label for module, owner, attr, label in STAGES if not _wrap(module, owner, attr, label)]
    if missing:
        print("not found (renamed?):", ", ".join(missing), file=sys.stderr)
    api.run = _timed_run
    batch = generate(args.n + 100, 7)
    for i, (_, text) in enumerate(batch[:100]):
        refcheck.check(text, id=str(i))
    TOTALS.clear()
    errors = 0
    for i, (_, text) in enumerate(batch[100:]):
        errors += bool(refcheck.check(text, id=str(i)).errors)
    whole = TOTALS["check (whole)"]
    print(f"{args.n} referrals, {whole / args.n * 1e6:.0f} µs per check, {errors} error reports")
    for label, seconds in sorted(TOTALS.items(), key=lambda kv: -kv[1]):
        print(f"  {label:34s} {seconds / args.n * 1e6:8.1f} µs  {100 * seconds / whole:5.1f} %")


if __name__ == "__main__":
    main()
