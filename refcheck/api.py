"""The library API: ``refcheck.check(text, **meta) -> Report``.

decode → normalise → language → spaCy pipeline → facts → guideline rules → report.
The CLI, the audit and the service all call :func:`check` (or :func:`check_record`).
"""
from __future__ import annotations

from .contract import LANGUAGES, Report
from .errors import EMPTY_TEXT, UNSUPPORTED_LANGUAGE, MAX_CHARS, TOO_LONG, RecordError
from .facts import extract
from .inputs.records import InputRecord, clean_meta
from .nlp import build, run
from .rules.judge import assemble
from .text import langid
from .text.normalize import normalize

def error_report(rid: str, error: RecordError, language: str | None = None, guideline: str = "no") -> Report:
    """The contract's report for a referral that cannot be processed."""
    return Report(id=rid, language=language, guideline=guideline, errors=[error.to_dict()])


def check(text: str | None, id: str = "referral", guideline: str | None = None, **meta) -> Report:
    """Check one referral against the guidelines.

    Args:
        text: the referral text as given (decoded).
        id: the referral's id, echoed in the report.
        guideline: ``"no"`` or ``"dk"`` to override the default for the language.
        **meta: structured fields (age, sex, language, modality, region, referrer, date);
            they win over what the text says.

    Returns:
        The :class:`~refcheck.contract.Report`; never raises for bad text (the report
        carries the error instead).
    """
    meta = clean_meta({**meta, **({"guideline": guideline} if guideline else {})})
    forced_guideline = meta.get("guideline")
    if text is None or not text.strip():
        return error_report(id, RecordError(EMPTY_TEXT, "[RC110] the referral has no text"),
                            guideline=forced_guideline or "no")
    if len(text) > MAX_CHARS:
        return error_report(id, RecordError(TOO_LONG, f"[RC111] the text has {len(text)} characters; the limit is {MAX_CHARS}"),
                            guideline=forced_guideline or "no")
    norm = normalize(text)
    lang = meta.get("language")
    if lang is None:
        words = langid.words_of(norm.text)
        if langid.is_english(norm.text, words):
            return error_report(id, RecordError(UNSUPPORTED_LANGUAGE,
                                                "[RC112] the referral is not in Norwegian or Danish"),
                                guideline=forced_guideline or "no")
        lang = langid.detect(norm.text, words=words)
    gl = forced_guideline or ("dk" if lang == "da" else "no")
    doc = run(build(lang), norm.text)
    facts = extract(doc, lang, gl, meta)
    return assemble(id, norm, facts, meta)


def check_record(record: InputRecord, guideline: str | None = None) -> Report:
    """Check one input record (errors from reading become error reports)."""
    if record.error is not None:
        return error_report(record.id, record.error, guideline=guideline or "no")
    return check(record.text, id=record.id, guideline=guideline, **record.meta)


def highlights(text: str, language: str | None = None) -> list[dict]:
    """Spans to highlight for a screener: affirmed red flags, negated ones, the clinical question.

    Offsets are into ``text`` as given. Used by the worklist page; not part of the report.
    """
    if not text or not text.strip() or len(text) > MAX_CHARS:
        return []
    norm = normalize(text)
    lang = language if language in LANGUAGES else langid.detect(norm.text)
    doc = run(build(lang), norm.text)
    facts = extract(doc, lang, "dk" if lang == "da" else "no", {})
    out = []
    for m in doc._.mentions or []:
        if m.category != "red_flag":
            continue
        kind = "red_flag" if m.affirmed else "negated_flag" if m.negated else None
        if kind:
            s, e = norm.to_original(m.start, m.end)
            out.append({"start": s, "end": e, "kind": kind, "code": m.code})
    if facts.question_span:
        s, e = norm.to_original(*facts.question_span)
        out.append({"start": s, "end": e, "kind": "question", "code": None})
    return sorted(out, key=lambda h: (h["start"], h["end"]))
