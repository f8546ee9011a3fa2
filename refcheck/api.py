"""The library API: ``refcheck.check(text, **meta) -> Report``.

decode → normalise → language → spaCy pipeline → facts → guideline rules → report.
:func:`analyse` is that path up to the facts, written once; :func:`check`,
:func:`highlights` and ``refcheck train`` all use it. The CLI, the audit and the service
call :func:`check` (or :func:`check_record`).
"""
from __future__ import annotations

import re

from dataclasses import dataclass, field
from functools import cached_property

from spacy.tokens import Doc

from .contract import LANGUAGES, Report
from .errors import RecordError, record_error
from .facts import Facts, extract
from .inputs.records import InputRecord, clean_meta, size_error
from .nlp import build, run
from .rules.judge import assemble
from .text import langid
from .text.normalize import NormalizedText, normalize
from .nlp.extensions import state


_LANGUAGE_NAMES = {"en": "English", "de": "German", "sv": "Swedish"}


class NotNordic(Exception):
    """The text is in English, German or Swedish, not Norwegian or Danish (raised by
    :func:`analyse` on request; the argument is the language's code)."""


@dataclass
class Analysis:
    """One referral analysed: normalised text, language, guideline, processed Doc, facts.

    ``facts`` is read on first use (``refcheck train`` needs the Doc only).
    """

    norm: NormalizedText
    lang: str
    guideline: str
    doc: Doc
    meta: dict = field(default_factory=dict)

    @cached_property
    def facts(self) -> Facts:
        return extract(self.doc, self.lang, self.guideline, self.meta)


def analyse(text: str, language: str | None = None, meta: dict | None = None, *,
            reject_english: bool = False) -> Analysis:
    """Normalise ``text``, find its language (unless given), run the pipeline; facts on demand.

    ``meta`` holds cleaned structured fields (see :func:`~refcheck.inputs.records.clean_meta`);
    its ``guideline`` wins over the language's default. With ``reject_english``, an
    English text (only checked when the language is not given) raises :class:`NotNordic`.
    """
    meta = meta or {}
    norm = normalize(text)
    if language in LANGUAGES:
        lang = language
    else:
        words = langid.words_of(norm.text)
        foreign = langid.foreign_language(norm.text, words) if reject_english else None
        if foreign:
            raise NotNordic(foreign)
        lang = langid.detect(norm.text, words=words)
    guideline = meta.get("guideline") or ("dk" if lang == "da" else "no")
    return Analysis(norm, lang, guideline, run(build(lang), norm.text), meta)


_SURROGATE = re.compile("[\ud800-\udfff]")


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
    try:
        return _check(text, id, guideline, meta)
    except Exception as exc:  # noqa: BLE001 - a referral never stops a batch; the type only, no values
        g = guideline if guideline in ("no", "dk") else "no"
        return error_report(str(id), record_error("RC208", kind=type(exc).__name__), guideline=g)


def _check(text: str | None, id: str, guideline: str | None, meta: dict) -> Report:
    meta = clean_meta({**meta, **({"guideline": guideline} if guideline else {})})
    forced_guideline = meta.get("guideline") or "no"
    if text is not None and not isinstance(text, str):
        return error_report(id, record_error("RC203"), guideline=forced_guideline)
    if text is None or not text.strip():
        return error_report(id, record_error("RC110"), guideline=forced_guideline)
    too_long = size_error(text)
    if too_long is not None:
        return error_report(id, too_long, guideline=forced_guideline)
    if _SURROGATE.search(text):  # a lone surrogate ("\ud800" in JSON) cannot be encoded: replace it, same length
        text = _SURROGATE.sub("\ufffd", text)
    if "\ufffd" in text:  # characters lost before refcheck saw the text (GEN-011: never declined)
        meta = {**meta, "replaced_characters": max(text.count("\ufffd"), meta.get("replaced_characters", 0))}
    try:
        analysis = analyse(text, meta.get("language"), meta, reject_english=True)
    except NotNordic as exc:
        return error_report(id, record_error("RC112", language=_LANGUAGE_NAMES.get(str(exc), "another language")),
                            guideline=forced_guideline)
    return assemble(id, analysis.norm, analysis.facts, meta)


def check_record(record: InputRecord, guideline: str | None = None) -> Report:
    """Check one input record (errors from reading become error reports)."""
    if record.error is not None:
        return error_report(record.id, record.error, guideline=guideline or "no")
    return check(record.text, id=record.id, guideline=guideline, **record.meta)


def highlights(text: str, language: str | None = None) -> list[dict]:
    """Spans to highlight for a screener: affirmed red flags, negated ones, the clinical question.

    Offsets are into ``text`` as given. Used by the worklist page; not part of the report.
    """
    if not text or not text.strip() or size_error(text) is not None:
        return []
    analysis = analyse(text, language)
    norm = analysis.norm
    out = []
    for m in state(analysis.doc).mentions or []:
        if m.category != "red_flag":
            continue
        kind = "red_flag" if m.affirmed else "negated_flag" if m.negated else None
        if kind:
            s, e = norm.to_original(m.start, m.end)
            out.append({"start": s, "end": e, "kind": kind, "code": m.code})
    if analysis.facts.question_span:
        s, e = norm.to_original(*analysis.facts.question_span)
        out.append({"start": s, "end": e, "kind": "question", "code": None})
    return sorted(out, key=lambda h: (h["start"], h["end"]))
