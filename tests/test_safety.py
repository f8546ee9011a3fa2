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
