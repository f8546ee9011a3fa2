"""The library API: ``refcheck.check(text, **meta) -> Report``.

decode → normalise → language → spaCy pipeline → facts → guideline rules → report.
The CLI, the audit and the service all call :func:`check` (or :func:`check_record`).
"""
from __future__ import annotations

from . import langid
from .errors import EMPTY_TEXT, UNSUPPORTED_LANGUAGE, MAX_CHARS, TOO_LONG, RecordError
from .facts import Facts, extract
from .normalize import NormalizedText, normalize
from .pipeline import build, run
from .reading import InputRecord
from .report import COMPONENTS, Evidence, Finding, RedFlag, Report, action, grade
from .rules.engine import Rule, holds, load_catalogue

MODALITIES = ("MR", "CT", "XR", "US", "DXA", "NM", "other")
REGIONS = ("cervical_spine", "thoracic_spine", "lumbar_spine", "sacroiliac", "coccyx", "shoulder", "elbow",
           "hand_wrist", "hip_pelvis", "knee", "ankle_foot", "bone_density", "other")
_SEX = {"female": "female", "f": "female", "k": "female", "kvinne": "female", "kvinde": "female", "woman": "female",
        "male": "male", "m": "male", "mann": "male", "mand": "male", "man": "male"}


def clean_meta(meta: dict) -> dict:
    """Coerce structured fields; values that do not fit the contract are dropped."""
    out: dict = {}
    if meta.get("age") not in (None, ""):
        try:
            age = int(float(meta["age"]))
            if 0 <= age <= 130:
                out["age"] = age
        except (TypeError, ValueError):
            pass
    sex = _SEX.get(str(meta.get("sex", "")).strip().lower())
    if sex:
        out["sex"] = sex
    if meta.get("language") in langid.LANGS:
        out["language"] = meta["language"]
    mod = str(meta.get("modality") or "").strip()
    mod = {"MRI": "MR", "RTG": "XR", "X-RAY": "XR", "XRAY": "XR", "UL": "US", "DEXA": "DXA"}.get(mod.upper(), mod.upper() if mod.upper() in MODALITIES else mod)
    if mod in MODALITIES:
        out["modality"] = mod
    if meta.get("region") in REGIONS:
        out["region"] = meta["region"]
    if meta.get("guideline") in ("no", "dk"):
        out["guideline"] = meta["guideline"]
    for key in ("referrer", "date"):
        if meta.get(key) not in (None, ""):
            out[key] = str(meta[key])
    return out


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
        The :class:`~refcheck.report.Report`; never raises for bad text (the report
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
    return _report(id, norm, facts, meta)


def check_record(record: InputRecord, guideline: str | None = None) -> Report:
    """Check one input record (errors from reading become error reports)."""
    if record.error is not None:
        return error_report(record.id, record.error, guideline=guideline or "no")
    return check(record.text, id=record.id, guideline=guideline, **record.meta)


# --- judging -----------------------------------------------------------------------

def _rule_facts(f: Facts) -> dict:
    flags = f.flag_codes
    whiplash = "whiplash" in f.conditions
    serious = flags - {"age_onset"} - ({"trauma"} if whiplash else set())
    return {
        "age": f.age, "sex": f.sex, "modality": f.modality, "region": f.region, "laterality": f.laterality,
        "language": f.language, "guideline": f.guideline, "weeks": f.symptom_weeks, "improving": f.improving,
        "trauma": f.trauma, "flags": flags, "serious_flags": serious, "conditions": f.conditions,
        "signs": f.signs, "intents": f.intents, "risk_factors": f.risk_factors, "wad_grade": f.wad_grade,
        "whiplash": whiplash, "radicular": f.radicular, "recent_injury": f.recent_injury,
        "repeat_recent": f.repeat_recent, "history": f.history, "clinical_findings": f.clinical_findings,
        "tentative_diagnosis": f.tentative_diagnosis, "clinical_question": f.clinical_question,
    }


def _evidence(rule: Rule, f: Facts, norm: NormalizedText) -> tuple[Evidence, ...]:
    spans: list[tuple[int, int]] = []
    when_codes = _codes_named(rule.when)
    for kind in rule.evidence:
        if kind == "flags":
            spans += [(m.start, m.end) for m in f.red_flags if not when_codes or m.code in when_codes
                      or kind in ("flags",) and not (when_codes & f.flag_codes)]
        elif kind == "conditions":
            spans += [(m.start, m.end) for c, m in f.condition_mentions.items() if not when_codes or c in when_codes]
        elif kind in ("weeks", "age", "modality", "region", "signs"):
            if kind in f.evidence:
                spans.append(f.evidence[kind])
    out = []
    for s, e in dict.fromkeys(spans):
        os_, oe = norm.to_original(s, e)
        out.append(Evidence(os_, oe, norm.original[os_:oe]))
    return tuple(sorted(out, key=lambda ev: ev.start))


def _codes_named(when: dict) -> set[str]:
    codes: set[str] = set()
    for key, test in when.items():
        if key == "any_of":
            for w in test:
                codes |= _codes_named(w)
        elif isinstance(test, dict) and key in ("flags", "serious_flags", "conditions", "signs"):
            for op in ("any", "only"):
                codes |= set(test.get(op, ()))
    return codes


def judge(f: Facts) -> tuple[Rule, dict]:
    """The deciding verdict rule and the rule facts (first matching verdict rule wins)."""
    catalogue = load_catalogue()
    facts = _rule_facts(f)
    for rule in catalogue.verdict_rules_for(facts["region"]):
        if holds(rule.when, facts):
            return rule, facts
    raise AssertionError("the catalogue's last verdict rule must match everything")


def _report(rid: str, norm: NormalizedText, f: Facts, meta: dict) -> Report:
    catalogue = load_catalogue()
    verdict, facts = judge(f)
    appropriateness = verdict.appropriateness
    recommended = verdict.recommended(f.modality) if appropriateness in ("indicated", "urgent") else None
    present = {c: getattr(f, c) for c in COMPONENTS}
    g = grade(present)
    facts.update(appropriateness=appropriateness, recommended=recommended,
                 modality_mismatch=bool(recommended and f.modality and recommended != f.modality))
    lang = f.language
    citation = verdict.citation
    if f.guideline == "dk" and verdict.code.startswith("NO-"):
        # The Danish sources cover new low back pain only: say which rule judged instead.
        why = ("nerve-root pain (NKR lumbalt rodtryk is not among the sources)" if f.radicular and f.region == "lumbar_spine"
               else "beyond 12 weeks" if f.region == "lumbar_spine" else "region not covered by the Danish sources")
        citation += f"; dk referral judged by the Norwegian rule: {why}"
    findings = [Finding(verdict.code, verdict.severity, verdict.message_for(lang), citation,
                        _evidence(verdict, f, norm), verdict.name, verdict.message_for("en"))]
    for rule in catalogue.finding_rules:
        if holds(rule.when, facts):
            values = {"requested": f.modality or "-", "recommended": recommended or "-"}
            citation = verdict.citation if rule.code == "GEN-005" else rule.citation
            findings.append(Finding(rule.code, rule.severity, rule.message_for(lang, **values), citation,
                                    _evidence(rule, f, norm), rule.name, rule.message_for("en", **values)))

    def orig(span):
        s, e = norm.to_original(*span)
        return s, e

    flags = []
    for m in f.red_flags:
        s, e = orig((m.start, m.end))
        flags.append(RedFlag(m.code, norm.original[s:e], s, e))
    if f.age_onset:
        span = f.evidence.get("age")
        s, e = orig(span) if span else (0, 0)
        flags.append(RedFlag("age_onset", norm.original[s:e], s, e))
    return Report(
        id=rid, language=lang, guideline=f.guideline,
        patient={"age": f.age, "sex": f.sex},
        exam={"modality": f.modality, "region": f.region, "laterality": f.laterality},
        history={"present": f.history, "symptom_weeks": f.symptom_weeks, "improving": f.improving,
                 "trauma": f.trauma, "prior_treatment": f.prior_treatment},
        clinical_findings={"present": f.clinical_findings},
        tentative_diagnosis={"present": f.tentative_diagnosis, "text": _span_text(norm, f.tentative_span)},
        clinical_question={"present": f.clinical_question, "text": _span_text(norm, f.question_span)},
        red_flags=flags,
        completeness={"grade": g, "missing": [c for c in COMPONENTS if not present[c]]},
        appropriateness=appropriateness, recommended_modality=recommended, action=action(appropriateness, g),
        findings=findings, errors=[],
        meta={k: v for k, v in meta.items() if k in ("referrer", "date")},
    )


def _span_text(norm: NormalizedText, span: tuple[int, int] | None) -> str | None:
    """The original words of a normalised span (first line, at most 200 characters)."""
    if not span:
        return None
    s, e = norm.to_original(*span)
    text = norm.original[s:e].strip(" \t\r\n:-")
    return text.splitlines()[0][:200] if text else None


def highlights(text: str, language: str | None = None) -> list[dict]:
    """Spans to highlight for a screener: affirmed red flags, negated ones, the clinical question.

    Offsets are into ``text`` as given. Used by the worklist page; not part of the report.
    """
    if not text or not text.strip() or len(text) > MAX_CHARS:
        return []
    norm = normalize(text)
    lang = language if language in langid.LANGS else langid.detect(norm.text)
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
