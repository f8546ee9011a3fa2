#!/usr/bin/env python3
"""Fresh-writer red-flag sentences added to a low-value referral: how many still end in
decline (a benchmark, not a test; issue 10).

The red-flag sentence corpus (``models/training/red_flags/*.jsonl``) was written by eight
helper writers who never saw the rules or the lexicons. Its evaluation split (the learned net's:
the fifth of the sentences whose text hash falls first, ``red_flags.split``) is never used to develop the rules. Each
of its sentences is appended to a short low-value referral that refcheck would decline
("MR LS. Mann 44 år med ryggsmerter i 3 uker …"), and the referral is checked:

- an *affirmed* sentence (it states a red flag) must not end in ``decline``: the share
  that still does is the safety figure, printed per red-flag code;
- a *hard negative* (negated, hypothetical, a relative's, to be ruled out, a look-alike)
  may stay ``decline``: the share that does not is the cost in manual reviews.

Printed with the learned net off (rules, ConText, composed concepts and the alarm-word
net) and on (the default). ``--split train`` reads the other 80 % (used by the net's
training, so its "on" figure flatters).

usage: python benchmarks/corpus_declines.py [--split eval|train] [--show 0]
"""
from __future__ import annotations

import argparse
import os
from collections import Counter

LOW_VALUE = {
    "nb": "MR LS. Mann 44 år med ryggsmerter i 3 uker etter flytting, ingen utstråling. ",
    "nn": "MR LS. Mann 44 år med ryggverk i 3 veker etter flytting, ikkje utstråling. ",
    "da": "MR af lænden. Mand 44 år med lændesmerter i 3 uger efter flytning, ingen udstråling. ",
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", choices=("eval", "train"), default="eval")
    ap.add_argument("--show", type=int, default=0, help="print this many declined affirmed sentences per code")
    args = ap.parse_args()

    import refcheck
    from refcheck.learned.red_flags import load_data, split

    rows = load_data()
    eval_rows, train_rows = split(rows)
    rows = eval_rows if args.split == "eval" else train_rows
    for setting in ("off", "on"):
        os.environ["REFCHECK_LEARNED_FLAGS"] = setting
        declined: Counter = Counter()
        shown: dict[str, list[str]] = {}
        affirmed = negatives = kept = 0
        for r in rows:
            action = refcheck.check(LOW_VALUE[r["lang"]] + r["text"], language=r["lang"]).to_dict()["action"]
            if r["codes"]:
                affirmed += 1
                if action == "decline":
                    declined[r["codes"][0]] += 1
                    shown.setdefault(r["codes"][0], []).append(f"{r['lang']}: {r['text']}")
            else:
                negatives += 1
                kept += action == "decline"
        total = sum(declined.values())
        print(f"{args.split} split, learned net {setting}: affirmed red-flag sentences {affirmed}, still declined "
              f"{total} ({total / max(affirmed, 1):.1%}); hard negatives {negatives}, no longer declined "
              f"{negatives - kept} ({(negatives - kept) / max(negatives, 1):.1%})")
        print("  declined by code: " + ", ".join(f"{c} {n}" for c, n in declined.most_common()))
        for code, texts in shown.items():
            for t in texts[:args.show]:
                print(f"    {code}: {t}")


if __name__ == "__main__":
    main()
