"""From a processed Doc to the facts a referral states.

This is where the pipeline's mentions, sections, question cues and quantities become
the contract's extraction fields (patient, exam, history, the four components, red
flags) and the extra facts the guideline rules read (conditions, signs, intents …).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from spacy.tokens import Doc

from . import fastre
from . import quantities as q
from .mentions import Mention

LARGE_JOINTS = {"shoulder", "elbow", "hip_pelvis", "knee", "ankle_foot"}
BACK_REGIONS = {"lumbar_spine", "thoracic_spine", "sacroiliac"}
SPINE_REGIONS = BACK_REGIONS | {"cervical_spine", "coccyx"}
RADICULAR_CONDITIONS = {"radiculopathy"}
RADICULAR_FINDINGS = {"lasegue", "paresis", "sensory_deficit", "reflexes"}
# Conditions that point at a region when the text names no body part.
CONDITION_REGION = {
    "impingement": "shoulder", "frozen_shoulder": "shoulder", "rotator_cuff_tear": "shoulder", "ac_joint": "shoulder",
    "epicondylitis": "elbow", "carpal_tunnel": "hand_wrist", "trigger_finger": "hand_wrist", "ganglion": "hand_wrist",
    "meniscus_tear": "knee", "pelvic_girdle_pain": "hip_pelvis", "labral_tear": "hip_pelvis", "coccydynia": "coccyx",
    "whiplash": "cervical_spine", "ankylosing_spondylitis": "sacroiliac", "sacroiliitis": "sacroiliac",
    "achilles": "ankle_foot", "plantar_fasciitis": "ankle_foot", "prolapse": "lumbar_spine",
    "nonspecific_back_pain": "lumbar_spine", "spinal_stenosis": "lumbar_spine", "radiculopathy": "lumbar_spine",
}
# Red flags that count when merely suspected (contract: "suspected malignancy", "suspected infection").
SUSPECTED_FLAGS = {"malignancy", "fever_infection", "cauda_equina", "osteoporosis"}
# Course words that say "getting worse" (not merely "unchanged" or "no better").
_WORSENING = fastre.compile(r"(?i)tilta|tiltak|progred|økend|auk|forverr|forværr|verre|værre|tiltag|dårlig")
# "Rtg ankel ua.", "røntgen av kneet var normalt": a previous X-ray without findings.
_XRAY_NEGATIVE = fastre.compile(r"(?i)\b(?:rtg\.?|røntgen|roentgen|røntgenbilde\w*)\s+(?:[\wæøå.]+\s+){0,4}?"
                            r"(?:ua\.?|u\.a\.|normal\w*|uten\s+(?:funn|patologi)|uden\s+fund|negativ\w*|upåfaldende|var\s+normal\w*)")
_MENOPAUSE_AGE = fastre.compile(r"(\d{2})")
# A plea for urgency is not a clinical question ("Øyeblikkelig hjelp?", "Haster?").
_URGENCY = fastre.compile(r"(?i)øyeblikkeli|øyeblikkeleg|ø-hjelp|ø\.hj|akut|haster|hastar|snarest|cito|asap")
# "?artrose", "? menisk hø. kne": a condition marked with a bare question mark.
_BARE_QUERY = fastre.compile(r"(?:^|(?<=[\s(:,]))\?\s?[^\W\d_]{3,}")
# Examination phrasing that reports a result.
_EXAM = fastre.compile(r"(?i)\bved\s+(?:us\.|undersøkelse|undersøking|undersøgelse|palpasjon|palpation|inspeksjon|klinisk)"
                   r"|\b(?:us\.?|undersøkelse[n]?|undersøkinga|undersøking|undersøgelse[n]?|klinisk)\s+(?:viser|viste|syner|synte|avdekker|finner|fandt|fann|ua\b)")
_PAST_EVENT = fastre.compile(r"\b(operert|opereret|målt|malt|tidligere|tidlegare|sist|forrige|menopause|behandlet|"
                         r"røntgen tatt|mr tatt|rtg tatt)\b")
_COMPLAINT_WORD = fastre.compile(r"smert|vondt|plage|gener|ondt")
_ANY_WORD = fastre.compile(r"\w")
_LETTERS = fastre.compile(r"[^\W\d_]+")
_SUSPICION = fastre.compile(r"(mistanke|mistenk|susp|obs\.?|spm|mulig|trolig|sannsynlig|forenlig|kjent|kendt)")
_MINUTES = fastre.compile(r"(\d+)\s*(?:min|minutt|minutter|minutes)\b", re.I)
_QUESTION_WORD = fastre.compile(r"(?i)\b(hva|hvorfor|hvordan|hvilken|hvilke|kva|kvifor|korleis|kven|hvad|årsak|årsag|forklaring)\b")


@dataclass
class Facts:
    """Everything refcheck knows about one referral before the rules judge it."""

    language: str
    guideline: str
    age: int | None = None
    sex: str | None = None
    modality: str | None = None
    region: str | None = None
    laterality: str | None = None
    symptom_weeks: float | None = None
    improving: bool | None = None
    trauma: bool = False
    prior_treatment: bool = False
    history: bool = False
    clinical_findings: bool = False
    tentative_diagnosis: bool = False
    tentative_text: str | None = None
    tentative_span: tuple[int, int] | None = None
    clinical_question: bool = False
    question_text: str | None = None
    question_span: tuple[int, int] | None = None
    red_flags: list[Mention] = field(default_factory=list)  # affirmed, deduplicated by code
    age_onset: bool = False
    conditions: set[str] = field(default_factory=set)  # suspected or known, not negated
    condition_mentions: dict[str, Mention] = field(default_factory=dict)
    signs: set[str] = field(default_factory=set)  # affirmed findings and symptoms
    intents: set[str] = field(default_factory=set)
    risk_factors: set[str] = field(default_factory=set)
    wad_grade: int | None = None
    recent_injury: bool = False
    radicular: bool = False
    repeat_recent: bool = False
    evidence: dict[str, tuple[int, int]] = field(default_factory=dict)  # fact → span

    @property
    def flag_codes(self) -> set[str]:
        return {m.code for m in self.red_flags} | ({"age_onset"} if self.age_onset else set())


def _first(mentions: list[Mention], category: str, pred=lambda m: True) -> Mention | None:
    for m in mentions:
        if m.category == category and pred(m):
            return m
    return None


def _sentence_spans(doc: Doc) -> list[tuple[int, int]]:
    return doc._.tokens.sentences()


def extract(doc: Doc, lang: str, guideline: str, meta: dict) -> Facts:
    """Read the facts of one referral from its processed Doc and structured fields."""
    text = doc._.tokens.text
    f = Facts(language=lang, guideline=guideline)
    mentions: list[Mention] = doc._.mentions or []
    cues: list[Mention] = doc._.cues or []
    sections = doc._.sections or []
    sents = _sentence_spans(doc)

    # --- patient -----------------------------------------------------------------
    a = q.age(text)
    if a:
        f.age, f.evidence["age"] = a.value, (a.start, a.end)
    s = q.sex(text)
    if s:
        f.sex = s.value

    # --- exam: modality, region, laterality ---------------------------------------
    mod = _first(mentions, "modality")
    if mod:
        f.modality = mod.code
        f.evidence["modality"] = (mod.start, mod.end)
    f.region = _region(mentions, mod)
    f.laterality = _laterality(mentions, mod)

    # --- structured fields win ------------------------------------------------------
    for key in ("age", "sex", "modality", "region"):
        if meta.get(key) is not None:
            setattr(f, key, meta[key])

    in_q = {"clinical_question"}
    # --- red flags, conditions, signs, intents -----------------------------------------
    seen_flags: set[str] = set()
    for m in mentions:
        if m.category == "red_flag" and m.affirmed and m.code not in seen_flags:
            if (m.section in in_q or _in_question_sentence(m, text, sents)) and m.code not in SUSPECTED_FLAGS:
                continue
            if m.code == "inflammatory_signs" and _short_stiffness(text, m):
                continue
            seen_flags.add(m.code)
            f.red_flags.append(m)
        elif m.category == "condition" and not m.negated and not m.family:
            f.conditions.add(m.code)
            f.condition_mentions.setdefault(m.code, m)
        elif m.category in ("finding", "symptom") and m.affirmed and m.section not in in_q:
            f.signs.add(m.code)
        elif m.category == "intent" and not m.negated:
            f.intents.add(m.code)
        elif m.category == "risk_factor" and not m.negated:
            if m.code == "early_menopause":
                age_at = _MENOPAUSE_AGE.search(text[m.start:m.end])
                if age_at and int(age_at.group(1)) >= 45:
                    continue  # menopause at 45 or later is not early (IS-1899: "før 45 år")
            f.risk_factors.add(m.code)
        elif m.category == "treatment" and not m.negated and not m.family:
            f.prior_treatment = True
    # Measured fever and raised inflammation markers are red flags too.
    temps, labs, codes = q.temperatures(text), q.lab_values(text), q.diagnosis_codes(text)
    for t in temps:
        if t.value >= 38.0 and "fever_infection" not in seen_flags:
            seen_flags.add("fever_infection")
            f.red_flags.append(Mention("red_flag", "fever_infection", "quantity.temperature", t.start, t.end, 0, 0, 0))
    for lab in labs:
        name, value = lab.value
        high = (name == "CRP" and value >= 10) or (name in ("SR", "SENKNING", "SR-VERDI") and value >= 30)
        if high and "inflammatory_signs" not in seen_flags:
            seen_flags.add("inflammatory_signs")
            f.red_flags.append(Mention("red_flag", "inflammatory_signs", "quantity.lab", lab.start, lab.end, 0, 0, 0))
    # A paresis described as worsening in the same sentence is a progressive deficit
    # ("Nedsatt kraft dorsalfleksjon ve fot, tiltagende."): derived like age_onset.
    if "progressive_neuro_deficit" not in seen_flags:
        worsening = {m.sent: m for m in mentions if m.category == "course" and m.code == "not_improving"
                     and m.affirmed and _WORSENING.search(text[m.start:m.end])}
        for m in mentions:
            if m.code in ("paresis", "weakness_reported") and m.affirmed and m.sent in worsening:
                w = worsening[m.sent]
                seen_flags.add("progressive_neuro_deficit")
                f.red_flags.append(Mention("red_flag", "progressive_neuro_deficit", "derived.worsening_paresis",
                                           min(m.start, w.start), max(m.end, w.end), m.tok_start, m.tok_end, m.sent))
                break
    f.trauma = "trauma" in seen_flags
    if _XRAY_NEGATIVE.search(text):
        f.intents.add("xray_negative")
    f.red_flags.sort(key=lambda m: m.start)

    # --- course and duration ---------------------------------------------------------
    f.symptom_weeks, span = _duration(text, mentions, sents, f.evidence.get("age"))
    if span:
        f.evidence["weeks"] = span
    course = [m for m in mentions if m.category == "course" and not m.hypothetical and not m.family]
    if course:
        last = course[-1]
        improving = last.code == "improving"
        f.improving = (not improving) if last.negated else improving
    wad = q.wad_grade(text)
    if wad:
        f.wad_grade = wad.value
        f.conditions.add("whiplash")

    f.radicular = bool(f.conditions & RADICULAR_CONDITIONS and any(
        m.affirmed for c, m in f.condition_mentions.items() if c in RADICULAR_CONDITIONS)) \
        or "radiating_pain" in f.signs or bool(f.signs & RADICULAR_FINDINGS)
    f.recent_injury = f.trauma and (f.symptom_weeks is not None and f.symptom_weeks <= 2.0)
    if f.region is None:
        for code in f.conditions:
            if code in CONDITION_REGION:
                f.region = CONDITION_REGION[code]
                break

    # age_onset: back pain beginning before 20 or after 55.
    if f.age is not None and f.region in BACK_REGIONS and f.age >= 16:
        onset = f.age - (f.symptom_weeks or 0) / 52.0
        if (f.symptom_weeks is not None or f.age > 55) and (onset > 55 or onset < 20):
            f.age_onset = True

    if f.intents & {"repeat_measurement", "follow_up"}:
        # "målt for 1 år siden", "måling i fjor": a repeat within two years.
        f.repeat_recent = any(d.value < 104 for d in q.durations(text)) or bool(q.LAST_YEAR_EVENT.search(text))
    _components(f, doc, mentions, cues, sections, sents, bool(temps or labs), codes)
    return f


def _short_stiffness(text: str, m: Mention) -> bool:
    """Morning stiffness is a red flag only when it lasts over an hour (001 §6.1)."""
    window = text[m.start:m.end + 40].split("\n")[0]
    found = _MINUTES.search(window)
    return bool(found and int(found.group(1)) < 60)


def _in_question_sentence(m: Mention, text: str, sents: list[tuple[int, int]]) -> bool:
    """A flag named in a question ("Spm. metastaser?") is suspected, not documented."""
    for s, e in sents:
        if s <= m.start < e:
            sentence = text[s:e].strip()
            return sentence.endswith("?") and sentence.lower().startswith(("spm", "spørsmål", "spørgsmål", "?"))
    return False


def _region(mentions: list[Mention], modality: Mention | None) -> str | None:
    """The exam's region: the one named in the modality's sentence, else the first named."""
    regions = [m for m in mentions if m.category == "region" and not m.negated]
    if not regions:
        return None
    specific = [m for m in regions if m.code != "spine"]
    if not specific:
        return None
    codes = {m.code for m in specific}
    if modality is not None:
        near = [m for m in specific if m.sent == modality.sent]
        if near:
            near_codes = {m.code for m in near}
            if {"thoracic_spine", "lumbar_spine"} <= near_codes:
                return "thoracic_spine" if any(m.code == "thoracic_spine" for m in specific if m.sent != modality.sent) \
                    or near[0].code == "thoracic_spine" else "lumbar_spine"
            return min(near, key=lambda m: abs(m.start - modality.end)).code
        if modality.code == "DXA" and "bone_density" in codes:
            return "bone_density"
    if {"thoracic_spine", "lumbar_spine"} <= codes:
        # "thorakolumbalt … Th12": thoracic when a thoracic level or part is named.
        return "thoracic_spine" if sum(m.code == "thoracic_spine" for m in specific) >= 1 else "lumbar_spine"
    first = specific[0]
    if first.code == "bone_density" and len(codes) > 1 and (modality is None or modality.code != "DXA"):
        return next(m.code for m in specific if m.code != "bone_density")
    return first.code


def _laterality(mentions: list[Mention], modality: Mention | None) -> str | None:
    """The exam's side: a side word next to a body part, preferably in the request line."""
    regions = [m for m in mentions if m.category == "region"]
    sides = [m for m in mentions if m.category == "laterality"
             and any(abs(m.tok_start - r.tok_end) <= 3 or abs(r.tok_start - m.tok_end) <= 3 for r in regions)]
    if not sides:
        return None
    if modality is not None:
        near = [m for m in sides if m.sent == modality.sent]
        if near:
            sides = near
    codes = {m.code for m in sides if m.sent == sides[0].sent}
    return "bilateral" if "bilateral" in codes or {"left", "right"} <= codes else sides[0].code


def _duration(text: str, mentions: list[Mention], sents: list[tuple[int, int]], age_span=None):
    """The complaint's duration: prefer a duration in a sentence about the complaint, and
    skip sentences that date a past event ("operert for 5 år siden", "målt i fjor")."""
    cands = [c for c in q.durations(text) if not (age_span and c.start < age_span[1] and age_span[0] < c.end)]
    if not cands:
        return None, None
    complaint = {"symptom", "course", "red_flag", "condition"}
    by_sent: dict[int, set[str]] = {}
    for m in mentions:
        by_sent.setdefault(m.sent, set()).add(m.category)
    ranked = []
    for c in cands:
        i = next((k for k, (s, e) in enumerate(sents) if s <= c.start < e), -1)
        if i >= 0:
            low = text[sents[i][0]:sents[i][1]].lower()
            if _PAST_EVENT.search(low) and not _COMPLAINT_WORD.search(low):
                continue
        score = 0 if by_sent.get(i, set()) & complaint else 1
        ranked.append((score, c.start, c.value, (c.start, c.end)))
    if not ranked:
        return None, None
    ranked.sort()
    return ranked[0][2], ranked[0][3]


def _components(f: Facts, doc: Doc, mentions: list[Mention], cues: list[Mention], sections, sents,
                measured: bool, codes: list) -> None:
    _rule_components(f, doc, mentions, cues, sections, sents, measured, codes)
    _learned_components(f, doc._.tokens.text, sections, sents, mentions)


_REQUEST_CATEGORIES = {"modality", "region", "laterality"}


def _request_line(text: str, span: tuple[int, int], mentions: list[Mention]) -> bool:
    """A short line that only names the exam ("Rtg. LS-col.", "MR kne hø.")."""
    s, e = span
    inside = [m for m in mentions if s <= m.start < e]
    return bool(inside) and any(m.category == "modality" for m in inside) \
        and all(m.category in _REQUEST_CATEGORIES for m in inside) and len(_LETTERS.findall(text[s:e])) <= 6


def _learned_components(f: Facts, text: str, sections, sents, mentions: list[Mention]) -> None:
    """Let the sentence-role model add components the rules missed, in headerless text only."""
    from . import roles

    # Only the components of the roles refcheck acts on: the others cannot change anything.
    missing = [roles.COMPONENT_OF_ROLE[r] for r in roles.USED_ROLES if not getattr(f, roles.COMPONENT_OF_ROLE[r])]
    if not missing:
        return
    model = roles.shipped()
    if model is None:
        return
    starts = [s for s, _ in sents]
    by_sent: dict[int, list[Mention]] = {}
    for m in mentions:  # each mention under the sentence its start falls in
        k = bisect_right(starts, m.start) - 1
        if k >= 0 and m.start < sents[k][1]:
            by_sent.setdefault(k, []).append(m)
    free = [(s, e) for k, (s, e) in enumerate(sents)
            if not any(sec.start <= s < sec.end for sec in sections) and len(text[s:e].strip()) >= 3
            and not _request_line(text, (s, e), by_sent.get(k, []))]
    if not free:
        return
    found = model.roles([text[s:e] for s, e in free])
    for (s, e), sentence_roles in zip(free, found):
        for role in sentence_roles:
            component = roles.COMPONENT_OF_ROLE[role]
            if component in missing and not getattr(f, component):
                setattr(f, component, True)
                if component == "tentative_diagnosis":
                    f.tentative_span = (s, e)
                elif component == "clinical_question":
                    f.question_span = (s, e)


def _rule_components(f: Facts, doc: Doc, mentions: list[Mention], cues: list[Mention], sections, sents,
                     measured: bool, codes: list) -> None:
    text = doc._.tokens.text
    body = {}
    for s in sections:
        content = s.body(text)
        if _ANY_WORD.search(content):
            body.setdefault(s.category, (s.body_start, s.end, content))

    # history: the complaint itself, its course, duration, treatment, risk factors.
    hist_cats = {"symptom", "course", "treatment", "risk_factor", "red_flag"}
    not_hist_sections = {"clinical_findings", "tentative_diagnosis", "clinical_question", "exam_request"}
    f.history = "history" in body or any(
        m.category in hist_cats and m.section not in not_hist_sections
        and (not m.family or m.category == "risk_factor") for m in mentions) \
        or (f.symptom_weeks is not None) or f.trauma

    # clinical findings: any examination or test result.
    f.clinical_findings = "clinical_findings" in body or any(
        m.category == "finding" and not m.hypothetical and m.section not in ("clinical_question",) for m in mentions) \
        or measured or bool(_EXAM.search(text))

    # tentative diagnosis: a condition suspected or known; a diagnosis section; a code.
    cond = [m for m in mentions if m.category == "condition" and not m.negated and not m.family and not m.rule_out]
    flag_susp = [m for m in mentions if m.category == "red_flag" and m.code in ("malignancy", "osteoporosis", "fever_infection")
                 and not m.negated and not m.family and not m.rule_out and _suspected(m, text, sents)]
    names_condition = _question_names_condition(body, text, sents, sections)
    if "tentative_diagnosis" in body:
        s, e, content = body["tentative_diagnosis"]
        f.tentative_diagnosis, f.tentative_text, f.tentative_span = True, content.splitlines()[0][:200], (s, e)
    elif names_condition:
        f.tentative_diagnosis, f.tentative_span = True, names_condition
    elif _BARE_QUERY.search(text):
        m = _BARE_QUERY.search(text)
        f.tentative_diagnosis, f.tentative_span = True, (m.start(), m.end())
    elif cond or flag_susp or codes:
        first = (cond + flag_susp)[0] if (cond or flag_susp) else None
        f.tentative_diagnosis = True
        if first is not None:
            f.tentative_text, f.tentative_span = text[first.start:first.end], (first.start, first.end)
        else:
            code = codes[0]
            f.tentative_text, f.tentative_span = code.value, (code.start, code.end)

    # clinical question: a question section, a question sentence, or a request cue.
    if "clinical_question" in body:
        s, e, content = body["clinical_question"]
        f.clinical_question, f.question_text, f.question_span = True, content.splitlines()[0][:200], (s, e)
        return
    cond_sents = {m.sent for m in cond + flag_susp}
    for i, (s, e) in enumerate(sents):
        sentence = text[s:e].strip()
        if not sentence.endswith("?"):
            continue
        if any(sec.category == "tentative_diagnosis" and sec.start <= s < sec.end for sec in sections):
            continue
        stripped = sentence.rstrip("?").strip()
        bare_prefix = stripped.startswith("?")
        asks = not bare_prefix and not _URGENCY.search(sentence)
        if asks:
            f.clinical_question, f.question_text, f.question_span = True, sentence[:200], (s, e)
            return
    for c in cues:
        if c.code in ("rule_out", "evaluate", "question") and not c.family and c.section not in ("history",) or \
                c.code in ("rule_out",):
            if c.code == "question" and not text[c.start:c.end].lower().startswith(("spør", "spm", "problem")):
                continue
            s, e = _sentence_of(c.start, sents)
            f.clinical_question, f.question_text, f.question_span = True, text[s:e].strip()[:200], (s, e)
            return


def _question_names_condition(body: dict, text: str, sents, sections) -> tuple[int, int] | None:
    """A short question without a question word names a condition ("Spm: Pneumoni?")."""
    spans = []
    if "clinical_question" in body:
        s, e, _ = body["clinical_question"]
        spans.append((s, e))
    for s, e in sents:
        sentence = text[s:e].strip()
        if sentence.endswith("?") and not _URGENCY.search(sentence) \
                and not any(sec.category == "tentative_diagnosis" and sec.start <= s < sec.end for sec in sections):
            spans.append((s, e))
    for s, e in spans:
        for part in re.split(r"(?<=\?)", text[s:e]):
            part = part.strip().split(":")[-1].strip()
            if not part.endswith("?") or _QUESTION_WORD.search(part):
                continue
            words = _LETTERS.findall(part)
            if 1 <= len(words) <= 5:
                start = text.index(part, s)
                return start, start + len(part)
    return None


def _suspected(m: Mention, text: str, sents) -> bool:
    s, e = _sentence_of(m.start, sents)
    sentence = text[s:e]
    before = text[max(s, m.start - 25):m.start].lower()
    return "?" in sentence or bool(_SUSPICION.search(before))


def _sentence_of(pos: int, sents) -> tuple[int, int]:
    for s, e in sents:
        if s <= pos < e:
            return s, e
    return pos, pos
