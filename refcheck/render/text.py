"""Renderers: reports for people (text) and for machines (JSON / JSON Lines)."""
from __future__ import annotations

import json

from ..contract import Report
from . import words as W

_COLOURS = {"escalate": "\033[1;31m", "decline": "\033[33m", "redirect": "\033[35m", "return": "\033[36m",
            "manual": "\033[34m", "accept": "\033[32m"}
_SEV = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[2m"}
_RESET, _BOLD, _HL = "\033[0m", "\033[1m", "\033[4;1m"


def to_json_line(report: Report) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False)


def _highlight(text: str, spans: list[tuple[int, int]], colour: bool) -> str:
    """Mark the evidence: underlined on a terminal, «between guillemets» otherwise."""
    if not spans:
        return text
    left, right = (_HL, _RESET) if colour else ("«", "»")
    out, pos = [], 0
    for s, e in sorted(set(spans)):
        if s < pos:
            continue
        out += [text[pos:s], left, text[s:e], right]
        pos = e
    out.append(text[pos:])
    return "".join(out)


def to_text(report: Report, text: str | None = None, colour: bool = False, english: bool = False,
            lang: str | None = None) -> str:
    """A report for a person at a terminal: the decision first ("ACCEPT as X-ray (MR
    requested)"), then findings with the words quoted, every label in ``lang`` (default:
    the referral's language; ``english`` is ``lang="en"``). Findings' messages are in the
    referral's language, or English when the labels are."""
    lang = "en" if english else W.lang_of(lang or report.language)
    c = (lambda code: code) if colour else (lambda code: "")
    label = lambda key: W.LABELS[key][lang]  # noqa: E731
    exam = report.exam
    head = W.decision(report.action, report.recommended_modality, exam["modality"], lang)
    lines = [f"{c(_BOLD)}{report.id}{c(_RESET)}  {c(_COLOURS.get(report.action, ''))}{head}{c(_RESET)}"
             f"  ({report.appropriateness}; {label('completeness')} {report.completeness['grade']})"]
    if report.errors:
        for err in report.errors:
            lines.append(f"  {label('error')} {err['code']}: {err['message']}")
        return "\n".join(lines)
    side = f" {W.word(W.LATERALITY, exam['laterality'], lang)}" if exam["laterality"] else ""
    patient = report.patient
    who = " ".join(x for x in (W.AGE[lang].format(n=patient["age"]) if patient["age"] is not None else "?",
                               W.word(W.SEX, patient["sex"], lang) if patient["sex"] else "") if x)
    lines.append(f"  {report.language or '?'} / {label('guideline')} {report.guideline}; {label('exam')} "
                 f"{W.word(W.MODALITIES, exam['modality'], lang)} {W.word(W.REGIONS, exam['region'], lang)}{side}; "
                 f"{label('patient')} {who}")
    if report.red_flags:
        lines.append(f"  {label('red_flags')}: " + ", ".join(f"{W.word(W.RED_FLAGS, f.code, lang)} \"{f.text}\""
                                                            for f in report.red_flags))
    if report.completeness["missing"]:
        lines.append(f"  {label('missing')}: " + ", ".join(W.word(W.COMPONENTS, m, lang)
                                                          for m in report.completeness["missing"]))
    for f in report.findings:
        msg = f.message_en if lang == "en" and f.message_en else f.message
        lines.append(f"  {c(_SEV[f.severity])}{W.SEVERITIES[f.severity][lang]:9s}{c(_RESET)} {f.rule} {f.name}: {msg}")
        for ev in f.evidence:
            lines.append(f"          \"{c(_HL)}{ev.text}{c(_RESET)}\" [{ev.start}:{ev.end}]")
        lines.append(f"          {c(_SEV['info'])}{label('cite')}: {f.citation}{c(_RESET)}")
    if text is not None:
        spans = [(f.start, f.end) for f in report.red_flags] + [(e.start, e.end) for f in report.findings for e in f.evidence]
        lines.append(f"  --- {label('referral')} ---")
        lines += ["  " + line for line in _highlight(text, spans, colour).splitlines()]
    return "\n".join(lines)


def summary_line(counts: dict[str, int], errors: int, lang: str | None) -> str:
    """The last line of a batch in text: "12 referrals: 3 ACCEPT, 2 DECLINE …"."""
    lang = W.lang_of(lang)
    total = sum(counts.values())
    parts = [f"{W.number(n, lang)} {W.ACTIONS[a][lang]}" for a, n in sorted(counts.items(), key=lambda kv: -kv[1])]
    tail = f"; {W.number(errors, lang)} {W.LABELS['unreadable'][lang]}" if errors else ""
    return f"{W.number(total, lang)} {W.LABELS['referrals'][lang]}: " + ", ".join(parts) + tail
