"""The safety table: red flags written in plain words, affirmed and negated (nb/nn/da).

``tests/data/safety_cases.jsonl`` holds short referrals in the project's own wording, one
failure class per ``class`` (negation scope, trigger collisions, cauda equina paraphrase,
other paraphrase, hypothetical advice, family, course and quantities). Every case says
which red flags must be reported and which must not; a case with a red flag must never
end in ``decline``.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import refcheck

DATA = Path(__file__).parent / "data"
CASES = [json.loads(line) for line in (DATA / "safety_cases.jsonl").read_text(encoding="utf-8").splitlines()
         if line.strip()]
#: Cases not yet read right: the open failure classes, named in the closing note.
KNOWN = {line.split("\t")[0] for line in (DATA / "safety_known_failures.txt").read_text(encoding="utf-8").splitlines()
         if line.strip() and not line.startswith("#")}


def _param(case):
    marks = [pytest.mark.xfail(strict=True, reason="known failure class")] if case["id"] in KNOWN else []
    return pytest.param(case, id=case["id"], marks=marks)


def test_known_failures_are_cases():
    assert KNOWN <= {c["id"] for c in CASES}
    assert len(KNOWN) < len(CASES) / 5  # a regression past a fifth of the table is not a 'known failure'


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_safety_case(case):
    report = refcheck.check(case["text"], id=case["id"], language=case["language"]).to_dict()
    found = {f["code"] for f in report["red_flags"]}
    missed = set(case["flags"]) - found
    wrong = set(case.get("absent", ())) & found
    assert not missed, f"missed {sorted(missed)}"
    assert not wrong, f"reported {sorted(wrong)} that the text does not affirm"
    if case["flags"] or case.get("not_decline"):
        assert report["action"] != "decline"
    if "age" in case:
        assert report["patient"]["age"] == case["age"]
    if "symptom_weeks" in case:
        got = report["history"]["symptom_weeks"]
        assert got is not None and abs(got - case["symptom_weeks"]) <= max(1.0, 0.2 * case["symptom_weeks"])
    if "improving" in case:
        assert report["history"]["improving"] == case["improving"]


# Classes fixed in this round, in our own wording (not the safety cases' sentences).
LAY_WORDING = [
    # a weakness that is increasing, in plain words: the emergency pathway, never a decline
    ("MR LS. Mann 61 år, ryggsmerter. Kraftløs i venstre bein, og det blir verre for hver dag.", "progressive_neuro_deficit", True),
    ("MR lumbal. Kvinne 58 år, svak i begge føtene, noko som har auka sidan måndag.", "progressive_neuro_deficit", True),
    # IV drug use and malaise in everyday words
    ("MR af nakken. 30-årig mand, fixer, ondt i nakken i 4 dage.", "infection_risk", True),
    ("MR LS. Kvinne 47 år, ryggsmerter i 2 uker, har ikke vært seg selv på lenge, helt utslitt.", "general_malaise", True),
    ("MR af lænden. 52-årig kvinde, lænderygsmerter i 3 uger, helt udkørt og orker ingenting.", "general_malaise", True),
    # brittle bones in other words; pain that no position or rest eases
    ("MR torakal. Kvinne 81 år med benskjørhet, akutt vondt midt i ryggen etter å ha løftet en pose.", "osteoporosis", True),
    ("MR af lænden. 69-årig mand, smerter uanset stilling gennem 3 uger, bliver ikke bedre i hvile.", "night_rest_pain", True),
    # night sweats are a constitutional symptom, not night pain
    ("MR LS. Mann 55 år, svettetokter om natten siste uker, ryggsmerter i 2 uker.", "night_rest_pain", False),
    ("MR LS. Mann 55 år, svettetokter om natten siste uker, ryggsmerter i 2 uker.", "general_malaise", True),
    # a weight loss that was the plan is not a red flag
    ("MR LS. Mann 45 år, har slanket seg og gått ned 15 kg med vilje siden nyttår. Korsryggsmerter i 1 uke.", "weight_loss", False),
    ("MR af lænden. 50-årig kvinde, tabt 20 kg efter fedmeoperation i foråret. Lænderygsmerter i 10 dage.", "weight_loss", False),
]


@pytest.mark.parametrize("text, code, present", LAY_WORDING, ids=[f"{c}-{i}" for i, (_, c, _p) in enumerate(LAY_WORDING)])
def test_red_flags_in_lay_wording(text, code, present):
    report = refcheck.check(text)
    codes = {f.code for f in report.red_flags}
    assert (code in codes) == present, (codes, report.action)
    if present:
        assert report.action != "decline"
