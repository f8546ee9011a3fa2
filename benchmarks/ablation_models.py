#!/usr/bin/env python3
"""Ablation of the learned components: completeness and grade accuracy with and without them.

Runs refcheck's evaluation in two fresh processes, REFCHECK_LEARNED=off and on, over the
held-out referrals (eval/heldout.jsonl, never used to train or tune the model) and the
sample referrals, and prints per language: the four component accuracies, the grade
accuracy and red-flag F1.

usage: python benchmarks/ablation_models.py [GOLD.jsonl ...]
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPONENTS = ("history", "clinical_findings", "tentative_diagnosis", "clinical_question")

RUNNER = """
import json, sys
from refcheck.evaluate import evaluate, load_gold
from pathlib import Path
cases = load_gold([Path(p) for p in sys.argv[1:]])
out = {}
for lang in ("nb", "nn", "da", "all"):
    sel = [c for c in cases if lang == "all" or c["gold"]["language"] == lang]
    if sel:
        out[lang] = evaluate(sel).to_dict()
print(json.dumps(out))
"""


def run(files: list[str], models: str) -> dict:
    env = {**os.environ, "REFCHECK_LEARNED": models}
    proc = subprocess.run([sys.executable, "-c", RUNNER, *files], capture_output=True, text=True, env=env, check=True)
    return json.loads(proc.stdout)


def main() -> None:
    sets = {"held-out": [str(ROOT / "eval" / "heldout.jsonl")],
            "samples": [str(p) for p in sorted((ROOT / "sample_referrals").glob("gold_*.jsonl"))]}
    if len(sys.argv) > 1:
        sets = {"given": sys.argv[1:]}
    for name, files in sets.items():
        off, on = run(files, "off"), run(files, "on")
        print(f"== {name}")
        print(f"  {'lang':4s} {'n':>3s}  " + "  ".join(f"{c[:14]:>14s}" for c in (*COMPONENTS, "grade", "appropriateness"))
              + "  red-flag F1")
        for lang in ("nb", "nn", "da", "all"):
            if lang not in off:
                continue
            for label, res in (("off", off[lang]), ("on", on[lang])):
                cells = "  ".join(f"{res[c]:14.3f}" for c in (*COMPONENTS, "grade", "appropriateness"))
                print(f"  {lang:4s} {res['cases']:3d}  {cells}  {res['red_flag_f1']:.3f}   models {label}")


if __name__ == "__main__":
    main()
