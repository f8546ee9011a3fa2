"""Renderers: reports for people (text) and for machines (JSON / JSON Lines)."""
from __future__ import annotations

import json

from ..contract import Report

_COLOURS = {"escalate": "\033[1;31m", "decline": "\033[33m", "redirect": "\033[35m", "return": "\033[36m",
            "manual": "\033[34m", "accept": "\033[32m"}
_SEV = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[2m"}
_RESET, _BOLD, _HL = "\033[0m", "\033[1m", "\033[4;1m"
_ACTION_TEXT = {
    "escalate": "ESCALATE: emergency pathway", "manual": "MANUAL: outside the guidelines",
    "decline": "DECLINE: low-value imaging", "redirect": "REDIRECT: specialist first",
    "return": "RETURN: ask the referrer for what is missing", "accept": "ACCEPT",
}


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


def to_text(report: Report, text: str | None = None, colour: bool = False, english: bool = False) -> str:
    """A report for a person at a terminal: verdict first, then findings with the words quoted."""
    c = (lambda code: code) if colour else (lambda code: "")
    lines = [f"{c(_BOLD)}{report.id}{c(_RESET)}  {c(_COLOURS.get(report.action, ''))}{_ACTION_TEXT[report.action]}{c(_RESET)}"
             f"  ({report.appropriateness}; completeness {report.completeness['grade']}"
             + (f"; recommended {report.recommended_modality}" if report.recommended_modality else "") + ")"]
    if report.errors:
        for err in report.errors:
            lines.append(f"  error {err['code']}: {err['message']}")
        return "\n".join(lines)
    exam = report.exam
    lines.append(f"  {report.language or '?'} / guideline {report.guideline}; exam {exam['modality'] or '?'} "
                 f"{exam['region'] or '?'}{' ' + exam['laterality'] if exam['laterality'] else ''}; patient "
                 f"{report.patient['age'] if report.patient['age'] is not None else '?'} {report.patient['sex'] or ''}".rstrip())
    if report.red_flags:
        lines.append("  red flags: " + ", ".join(f"{f.code} \"{f.text}\"" for f in report.red_flags))
    if report.completeness["missing"]:
        lines.append("  missing: " + ", ".join(report.completeness["missing"]))
    for f in report.findings:
        msg = f.message_en if english and f.message_en else f.message
        lines.append(f"  {c(_SEV[f.severity])}{f.severity:7s}{c(_RESET)} {f.rule} {f.name}: {msg}")
        for ev in f.evidence:
            lines.append(f"          \"{c(_HL)}{ev.text}{c(_RESET)}\" [{ev.start}:{ev.end}]")
        lines.append(f"          {c(_SEV['info'])}cite: {f.citation}{c(_RESET)}")
    if text is not None:
        spans = [(f.start, f.end) for f in report.red_flags] + [(e.start, e.end) for f in report.findings for e in f.evidence]
        lines.append("  --- referral ---")
        lines += ["  " + line for line in _highlight(text, spans, colour).splitlines()]
    return "\n".join(lines)
