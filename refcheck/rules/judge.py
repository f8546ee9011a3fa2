"""Judging: facts → the deciding verdict rule, the findings, and the report assembled.

Verdict rules are tried in catalogue order and the first that holds decides
appropriateness; finding rules add findings whenever they hold. Offsets are mapped back
from the normalised text to the original here.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..contract import COMPONENTS, Evidence, Finding, RedFlag, Report, action, grade
from ..facts import Facts
from ..text.normalize import NormalizedText
from .citations import display, fallback
from .engine import VERDICT_FACTS, Rule, load_catalogue


#: The regions where a contraindication to MR makes CT the recommendation (001 §6.3.3).
SPINE = frozenset({"cervical_spine", "thoracic_spine", "lumbar_spine", "sacroiliac", "coccyx"})


@dataclass(frozen=True)
class Judged:
    """What finding rules read: the facts, plus the verdict (``VERDICT_FACTS`` of the engine)."""

    facts: Facts
    appropriateness: str
    recommended: str | None
    modality_mismatch: bool

    def __getitem__(self, name: str):
        return getattr(self, name) if name in VERDICT_FACTS else self.facts[name]


def _alarm_words(code: str, f: Facts) -> str:
    """The quoted words of the safety net's findings (SAFE-001: alarm words; SAFE-002: sentences)."""
    if code == "SAFE-001":
        return ", ".join(dict.fromkeys(f"«{a.text}»" for a in f.alarms))
    if code == "SAFE-002":
        return ", ".join(dict.fromkeys(f"«{a.text if len(a.text) <= 120 else a.text[:117] + '…'}»"
                                       for a in f.learned_alarms))
    return ""


def _evidence(rule: Rule, f: Facts, norm: NormalizedText) -> tuple[Evidence, ...]:
    spans: list[tuple[int, int]] = []
    when_codes = _codes_named(rule.when)
    for kind in rule.evidence:
        if kind == "flags":
            spans += [(m.start, m.end) for m in f.red_flags if not when_codes or m.code in when_codes
                      or kind in ("flags",) and not (when_codes & f.flag_codes)]
        elif kind == "conditions":
            spans += [(m.start, m.end) for c, m in f.condition_mentions.items() if not when_codes or c in when_codes]
        elif kind == "alarms":
            spans += [(a.start, a.end) for a in f.alarms]
        elif kind == "learned_alarms":
            spans += [(a.start, a.end) for a in f.learned_alarms]
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
        elif isinstance(test, dict) and key in ("flag_codes", "serious_flags", "conditions", "signs"):
            for op in ("any", "only"):
                codes |= set(test.get(op, ()))
    return codes


def judge(f: Facts) -> Rule:
    """The deciding verdict rule (the first verdict rule that holds wins)."""
    for rule in load_catalogue().verdict_rules_for(f.region):
        if rule.holds(f):
            return rule
    raise AssertionError("the catalogue's last verdict rule must match everything")


def assemble(rid: str, norm: NormalizedText, f: Facts, meta: dict) -> Report:
    """The report of one referral: the verdict, the findings and the extraction fields."""
    catalogue = load_catalogue()
    verdict = judge(f)
    appropriateness = verdict.appropriateness
    recommended = verdict.recommended(f.modality) if appropriateness in ("indicated", "urgent") else None
    present = {c: getattr(f, c) for c in COMPONENTS}
    g = grade(present)
    judged = Judged(f, appropriateness, recommended, bool(recommended and f.modality and recommended != f.modality))
    lang = f.language
    source = verdict.citation_for(f)
    if recommended == "MR" and "mr_contraindicated" in f.intents and f.region in SPINE:
        recommended = "CT"  # 001 §6.3.3: CT when MR is contraindicated (GEN-013 says so)
        judged = Judged(f, appropriateness, recommended, bool(f.modality and recommended != f.modality))
    citation = display(source)
    if f.guideline == "dk" and verdict.code.startswith("NO-"):
        # The Danish sources cover new low back pain only: say why a Norwegian rule judged.
        citation += "; " + fallback(_why_norwegian(f), lang)
    findings = [Finding(verdict.code, verdict.severity, verdict.message_for(lang), citation,
                        _evidence(verdict, f, norm), verdict.name, verdict.message_for("en"), source)]
    for rule in catalogue.finding_rules:
        if rule.holds(judged):
            values = {"requested": f.modality or "-", "recommended": recommended or "-",
                      "words": _alarm_words(rule.code, f)}
            source = verdict.citation_for(f) if rule.code == "GEN-005" else rule.citation_for(f)
            findings.append(Finding(rule.code, rule.severity, rule.message_for(lang, **values), display(source),
                                    _evidence(rule, f, norm), rule.name, rule.message_for("en", **values), source))

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
        appropriateness=appropriateness, recommended_modality=recommended,
        # an unresolved alarm word, or bytes that could not be read (a word may be missing):
        # the reading is unsure, so a decline becomes manual
        action=action(appropriateness, g, unresolved_alarms=appropriateness == "low_value" and (
            f.replaced_characters > 0 or bool(f.alarms) or bool(f.learned_alarms))),
        findings=findings, errors=[],
        meta={k: v for k, v in meta.items() if k in ("referrer", "date")},
    )


def _why_norwegian(f: Facts) -> str:
    """Why a Danish referral was judged by a Norwegian rule (a key of citations.WHY)."""
    if f.region != "lumbar_spine":
        return "region"
    if f.flag_codes:
        return "modality"  # a red-flag rule: the Danish sources say imaging, not which
    if "prior_back_surgery" in f.intents:
        return "postoperative"
    return "radicular" if f.radicular else "long"


def _span_text(norm: NormalizedText, span: tuple[int, int] | None) -> str | None:
    """The original words of a normalised span (first line, at most 200 characters)."""
    if not span:
        return None
    s, e = norm.to_original(*span)
    text = norm.original[s:e].strip(" \t\r\n:-")
    return text.splitlines()[0][:200] if text else None
