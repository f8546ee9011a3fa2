"""Shared by the phrasing tables (test_*_phrasing.py, test_measured_flags.py,
test_lay_malaise_rest_pain.py, test_learned_flags.py): a short low-value referral per
language that refcheck declines, and the check of one sentence appended to it."""
from __future__ import annotations

import refcheck

LOW_VALUE = {
    "nb": "MR LS. Mann 44 år med ryggsmerter i 3 uker etter flytting, ingen utstråling. ",
    "nn": "MR LS. Mann 44 år med ryggverk i 3 veker etter flytting, ikkje utstråling. ",
    "da": "MR af lænden. Mand 44 år med lændesmerter i 3 uger efter flytning, ingen udstråling. ",
}


def appended(monkeypatch, lang: str, sentence: str, learned: str = "off") -> dict:
    """The report of ``sentence`` appended to the low-value referral (by default the rules
    alone: the learned red-flag net off); a report with errors fails the test."""
    monkeypatch.setenv("REFCHECK_LEARNED_FLAGS", learned)
    report = refcheck.check(LOW_VALUE[lang] + sentence, language=lang).to_dict()
    assert not report["errors"], report["errors"]
    return report


def flags(report: dict) -> set[str]:
    return {f["code"] for f in report["red_flags"]}
