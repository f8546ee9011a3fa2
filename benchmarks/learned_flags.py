#!/usr/bin/env python3
"""What the learned red-flag sentence model adds and costs (issue 10, item 4).

For each labelled set — the samples (ours), eval/heldout.jsonl (ours, another author),
../shared/eval/cross_writer.jsonl (writers outside the project), eval/dev.jsonl and the
guideline cases — every referral is checked twice in this process, with the model off
(rules and the alarm-word net alone) and on (REFCHECK_LEARNED_FLAGS). Printed per set:

- decisions the model changed, and how many of them were right (gold action);
- false declines (a referral whose gold action is not decline, proposed for decline);
- the cost: the share of gold-decline referrals that the model sends to manual;
- flags: gold red-flag codes the rules missed and how many of them the model reads in
  some sentence; and the codes the model reads that neither gold nor the rules hold.

usage: python benchmarks/learned_flags.py [FILE ...]
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "eval"
SETS = [("samples (ours)", sorted((ROOT / "sample_referrals").glob("gold_*.jsonl"))),
        ("heldout (ours, other author)", [ROOT / "eval" / "heldout.jsonl"]),
        ("cross_writer (outside)", [SHARED / "cross_writer.jsonl"]),
        ("dev (ours)", [ROOT / "eval" / "dev.jsonl"])]


def cases(files):
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                if "gold" in case and "text" in case:
                    yield case


def run(case, on: bool) -> dict:
    import refcheck

    os.environ["REFCHECK_LEARNED_FLAGS"] = "on" if on else "off"
    meta = {k: v for k, v in (case.get("meta") or {}).items() if k in ("age", "sex", "language", "modality", "region")}
    return refcheck.check(case["text"], id=case["id"], **meta).to_dict()


def learned_codes(case) -> set[str]:
    """The codes the model reads in any sentence of the referral (whatever the decision)."""
    from refcheck.api import analyse
    from refcheck.learned import red_flags

    os.environ["REFCHECK_LEARNED_FLAGS"] = "on"
    a = analyse(case["text"], (case.get("meta") or {}).get("language"))
    text = a.norm.text
    spans = [(s, e) for s, e in a.doc._.tokens.sentences() if e - s >= 8]
    model = red_flags.shipped()
    return {c for hits in model.flags([text[s:e] for s, e in spans]) for c in hits} if model else set()


def main(argv: list[str]) -> None:
    sets = [(Path(a).name, [Path(a)]) for a in argv] or SETS
    for name, files in sets:
        files = [f for f in files if f.exists()]
        if not files:
            continue
        n = changed = changed_right = fd_off = fd_on = gold_decline = to_manual = 0
        missed = rescued = alarms = 0
        for case in cases(files):
            gold = case["gold"]
            off = run(case, False)
            on = run(case, True)
            n += 1
            gold_codes = set(gold.get("red_flags") or []) - {"age_onset"}
            rule_codes = {f["code"] for f in off["red_flags"]}
            read = learned_codes(case)
            missed += len(gold_codes - rule_codes)
            rescued += len((gold_codes - rule_codes) & read)
            alarms += len(read - gold_codes - rule_codes)
            ga = gold.get("action")
            fd_off += off["action"] == "decline" and ga not in (None, "decline")
            fd_on += on["action"] == "decline" and ga not in (None, "decline")
            if ga == "decline":
                gold_decline += 1
                to_manual += on["action"] == "manual" and off["action"] == "decline"
            if on["action"] != off["action"]:
                changed += 1
                changed_right += on["action"] == ga
        print(f"{name:30s} {n:4d} referrals: model changed {changed} decision(s), {changed_right} to the gold action; "
              f"false declines {fd_off} → {fd_on}; cost: {to_manual}/{gold_decline} gold declines sent to manual; "
              f"flags the rules missed {missed}, read by the model {rescued}; model codes beyond gold and rules {alarms}")
    os.environ.pop("REFCHECK_LEARNED_FLAGS", None)


if __name__ == "__main__":
    main(sys.argv[1:])
