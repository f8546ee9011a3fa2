"""Evaluate refcheck against gold-labelled referrals (the format of the contract's examples)."""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .api import check
from .contract import APPROPRIATENESS, COMPONENTS, Report
FIELDS = ("language", "modality", "region", "age", "sex", "symptom_weeks", "improving", *COMPONENTS,
          "grade", "appropriateness", "recommended_modality", "action")


def load_gold(paths: Iterable[Path]) -> list[dict]:
    cases = []
    for p in paths:
        for line in Path(p).read_text(encoding="utf-8").splitlines():
            if line.strip():
                cases.append(json.loads(line))
    return cases


def predicted(report: Report) -> dict:
    d = report.to_dict()
    return {
        "language": d["language"], "modality": d["exam"]["modality"], "region": d["exam"]["region"],
        "age": d["patient"]["age"], "sex": d["patient"]["sex"], "symptom_weeks": d["history"]["symptom_weeks"],
        "improving": d["history"]["improving"], **{c: d[c]["present"] for c in COMPONENTS},
        "grade": d["completeness"]["grade"], "appropriateness": d["appropriateness"],
        "recommended_modality": d["recommended_modality"], "action": d["action"],
        "red_flags": sorted({f["code"] for f in d["red_flags"]}),
    }


def _same(name: str, pred, gold) -> bool:
    if name == "symptom_weeks":
        if gold is None or pred is None:
            return gold is pred
        return abs(pred - gold) <= max(1.0, 0.2 * gold)
    return pred == gold


@dataclass
class Evaluation:
    n: int = 0
    right: Counter = field(default_factory=Counter)
    flag_tp: int = 0
    flag_fp: int = 0
    flag_fn: int = 0
    per_flag: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))
    confusion: Counter = field(default_factory=Counter)
    errors: dict = field(default_factory=lambda: defaultdict(list))
    false_declines: list = field(default_factory=list)
    unsafe_declines: list = field(default_factory=list)
    manual_low_value: int = 0
    low_value: int = 0

    def accuracy(self, name: str) -> float:
        return self.right[name] / self.n if self.n else 0.0

    def flag_prf(self) -> tuple[float, float, float]:
        tp, fp, fn = self.flag_tp, self.flag_fp, self.flag_fn
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def recall(self, label: str) -> float:
        total = sum(v for (g, _), v in self.confusion.items() if g == label)
        return self.confusion[(label, label)] / total if total else 1.0

    def to_dict(self) -> dict:
        p, r, f = self.flag_prf()
        return {"cases": self.n, **{k: round(self.accuracy(k), 4) for k in FIELDS},
                "red_flag_precision": round(p, 4), "red_flag_recall": round(r, 4), "red_flag_f1": round(f, 4),
                "urgent_recall": round(self.recall("urgent"), 4),
                "false_declines": len(self.false_declines), "unsafe_declines": len(self.unsafe_declines),
                "unsafe_decline_ids": list(self.unsafe_declines),
                "safety_net_manual_rate": round(self.manual_low_value / self.low_value, 4) if self.low_value else 0.0}


def evaluate(cases: list[dict]) -> Evaluation:
    ev = Evaluation()
    for case in cases:
        gold = case["gold"]
        rep = check(case["text"], id=case["id"], **case.get("meta", {}))
        pred = predicted(rep)
        ev.n += 1
        for name in FIELDS:
            if _same(name, pred[name], gold[name]):
                ev.right[name] += 1
            else:
                ev.errors[name].append(f"{case['id']}: predicted {pred[name]!r}, gold {gold[name]!r}")
        ev.confusion[(gold["appropriateness"], pred["appropriateness"])] += 1
        if pred["action"] == "decline" and gold["action"] != "decline":
            ev.false_declines.append(case["id"])
            if gold["appropriateness"] in ("urgent", "indicated"):
                ev.unsafe_declines.append(case["id"])
        if gold["appropriateness"] == "low_value":
            ev.low_value += 1
            if pred["action"] == "manual" and pred["appropriateness"] == "low_value":
                ev.manual_low_value += 1
        gp, pp = set(gold["red_flags"]), set(pred["red_flags"])
        for code in gp | pp:
            if code in gp and code in pp:
                ev.flag_tp += 1
                ev.per_flag[code][0] += 1
            elif code in pp:
                ev.flag_fp += 1
                ev.per_flag[code][1] += 1
                ev.errors["red_flags"].append(f"{case['id']}: false {code}")
            else:
                ev.flag_fn += 1
                ev.per_flag[code][2] += 1
                ev.errors["red_flags"].append(f"{case['id']}: missed {code}")
    return ev


def summary_line(name: str, ev: Evaluation) -> str:
    """One line per evaluated set: the figures the closing notes compare."""
    p, r, f = ev.flag_prf()
    return (f"{name}: cases {ev.n}  appropriateness {ev.accuracy('appropriateness'):.3f}  action "
            f"{ev.accuracy('action'):.3f}  red-flag F1 {f:.3f} (P {p:.3f} R {r:.3f})  urgent recall "
            f"{ev.recall('urgent'):.2f}  grade {ev.accuracy('grade'):.3f}  false declines {len(ev.false_declines)} "
            f"(unsafe {len(ev.unsafe_declines)})  manual {ev.manual_low_value}/{ev.low_value} low-value")


def format_evaluation(ev: Evaluation, show_errors: int = 0) -> str:
    lines = [f"cases {ev.n}", "field accuracy:"]
    for name in FIELDS:
        lines.append(f"  {name:22s} {ev.right[name]:4d}/{ev.n:<4d} {ev.accuracy(name):6.1%}")
    p, r, f = ev.flag_prf()
    lines.append(f"red flags: precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}  (tp {ev.flag_tp} fp {ev.flag_fp} fn {ev.flag_fn})")
    for code, (tp, fp, fn) in sorted(ev.per_flag.items()):
        lines.append(f"  {code:26s} tp {tp:3d} fp {fp:3d} fn {fn:3d}")
    lines.append("appropriateness confusion (rows gold, columns predicted):")
    head = "".join(f"{a[:10]:>11s}" for a in APPROPRIATENESS)
    lines.append(f"  {'':13s}{head}")
    for g in APPROPRIATENESS:
        row = "".join(f"{ev.confusion[(g, p_)]:11d}" for p_ in APPROPRIATENESS)
        lines.append(f"  {g:13s}{row}")
    lines.append(f"urgent recall {ev.recall('urgent'):.2f}")
    lines.append(f"false declines {len(ev.false_declines)} (unsafe: {len(ev.unsafe_declines)}"
                 + (f": {', '.join(ev.unsafe_declines)}" if ev.unsafe_declines else "") + ")")
    lines.append(f"safety net: {ev.manual_low_value} of {ev.low_value} low-value referrals sent to manual review")
    if show_errors:
        lines.append("errors: 'id: predicted (refcheck) …, gold (the file) …'")
        for name, errs in ev.errors.items():
            lines.append(f"-- {name}: {len(errs)} wrong")
            lines += [f"   {e}" for e in errs[:show_errors]]
    return "\n".join(lines)
