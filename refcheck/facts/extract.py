"""From a processed Doc to the facts a referral states.

This is where the pipeline's mentions, sections, question cues and quantities become
the contract's extraction fields (patient, exam, history, the four components, red
flags) and the extra facts the guideline rules read (conditions, signs, intents …).
:func:`extract` reads like the data path: patient, exam, structured fields, what the
mentions say, measured and derived red flags, course, derived facts, then the components.
"""
from __future__ import annotations

import re
from bisect import bisect_right

from spacy.tokens import Doc

from ..nlp.context import denied_heads
from ..nlp.mentions import Mention
from ..text import fastre
from . import measures, phrasing
from . import quantities as q
from ..learned import red_flags as learned_flags
from .alarms import counts_in_region, unresolved
from .components import find_components
from .model import Facts
from ..nlp.extensions import state

BACK_REGIONS = {"lumbar_spine", "thoracic_spine", "sacroiliac"}
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
#: A weakness followed within this many characters (same sentence) by a word of increase is progressive.
WORSENING_REACH = 60
_INCREASING = fastre.compile(r"(?i)\b(?:økt|øker|økende|tiltatt|tiltar|tiltakende|tiltagende|tiltaget|forverr\w*|forværr\w*|"
                             r"verre|værre|progred\w*|progressiv\w*|auka|aukar|aukande|tiltek|tiltok)\b")
# Course words that say "getting worse" (not merely "unchanged" or "no better").
_WORSENING = fastre.compile(r"(?i)tilta|tiltak|progred|økend|auk|forverr|forværr|verre|værre|tiltag|dårlig")
# "Rtg ankel ua.", "røntgen av kneet var normalt": a previous X-ray without findings.
_XRAY_NEGATIVE = fastre.compile(r"(?i)\b(?:rtg\.?|røntgen|roentgen|røntgenbilde\w*)\s+(?:[\wæøå.]+\s+){0,4}?"
                            r"(?:ua\.?|u\.a\.|normal\w*|uten\s+(?:funn|patologi)|uden\s+fund|negativ\w*|upåfaldende|var\s+normal\w*)")
_MENOPAUSE_AGE = fastre.compile(r"(\d{2})")
_PAST_EVENT = fastre.compile(r"\b(operert|opereret|målt|malt|tidligere|tidlegare|sist|forrige|menopause|behandlet|"
                         r"røntgen tatt|mr tatt|rtg tatt)\b")
CLAUSE_REACH = 100
_COMPLAINT_WORD = fastre.compile(r"smert|vondt|plage|gener|ondt|isjias|ischias|utstrål|udstrål|nummen|verk")
_RECENT_BEFORE = fastre.compile(r"(?i)(?<!\w)(?:siste|sidste|seneste|dei siste|de siste|de sidste)\s+$")
_CONTRAST = fastre.compile(r"(?i)(?<!\w)(?:men|dog|derimod|derimot|nå|no|nu)(?!\w)")
_MINUTES = fastre.compile(r"(\d+)\s*(?:min|minutt|minutter|minutes)\b", re.I)
#: Under an hour in words: "et kvarter", "en halvtime", "noen minutter", "nokre minutt".
_SHORT_SPELLED = fastre.compile(r"(?i)\b(?:kvarter|halvtime|halv\s+time|(?:noen|nokre|nogle|et\s+par|eit\s+par|få)\s+minut\w*)\b")
_IN_QUESTION = {"clinical_question"}
_NOT_COURSE_SECTIONS = {"clinical_question", "clinical_findings"}  # the course is history, not the exam
#: Course words that say the complaint is still there, not that it failed to improve.
_PERSISTING = re.compile(r"(?i)(?:fortsatt|fortsat|framleis|fremdeles|stadig|stadigvæk|vedvarende|vedvarande|"
                         r"persisterende|persisterande)\b")


def extract(doc: Doc, lang: str, guideline: str, meta: dict) -> Facts:
    """Read the facts of one referral from its processed Doc and structured fields."""
    text = state(doc).tokens.text
    f = Facts(language=lang, guideline=guideline)
    mentions: list[Mention] = state(doc).mentions or []
    sents = state(doc).tokens.sentences()
    _patient(f, text)
    _exam(f, mentions, text)
    _structured_fields(f, meta)
    seen_flags = _mentioned(f, text, mentions, sents)
    measured = measures.measured_flags(f, doc, text, sents, seen_flags, mentions)
    _worsening_paresis(f, doc, text, mentions, seen_flags)
    _minor_trauma(f, mentions, seen_flags)
    f.trauma = "trauma" in seen_flags
    if _XRAY_NEGATIVE.search(text):
        f.intents.add("xray_negative")
    f.red_flags.sort(key=lambda m: m.start)
    _course(f, text, mentions, sents)
    _derived(f, text)
    find_components(f, doc, mentions, state(doc).cues or [], state(doc).sections or [], sents, measured,
                    q.diagnosis_codes(text))
    f.alarm_reader = lambda: unresolved(doc, lang, f.flag_codes, f.region, f.read_away)
    f.learned_reader = lambda: learned_flags.learned_alarms(
        doc, sents, f.flag_codes,
        lambda code: counts_in_region(lang, code, f.region) and not (code == "trauma" and f.whiplash),
        [(doc[a].idx, doc[b - 1].idx + len(doc[b - 1])) for a, b in f.read_away])
    return f


def _first(mentions: list[Mention], category: str, pred=lambda m: True) -> Mention | None:
    for m in mentions:
        if m.category == category and pred(m):
            return m
    return None


def _patient(f: Facts, text: str) -> None:
    a = q.age(text)
    if a:
        f.age, f.evidence["age"] = a.value, (a.start, a.end)
    s = q.sex(text)
    if s:
        f.sex = s.value


def _exam(f: Facts, mentions: list[Mention], text: str) -> None:
    """Modality, region and laterality of the exam asked for."""
    mod = _first(mentions, "modality")
    if mod:
        f.modality = mod.code
        f.evidence["modality"] = (mod.start, mod.end)
    f.region = _region(mentions, mod, text)
    f.laterality = _laterality(mentions, mod)


def _structured_fields(f: Facts, meta: dict) -> None:
    """Structured fields win over what the text says."""
    for key in ("age", "sex", "modality", "region", "replaced_characters"):
        if meta.get(key) is not None:
            setattr(f, key, meta[key])


def _mentioned(f: Facts, text: str, mentions: list[Mention], sents) -> set[str]:
    """Red flags, conditions, signs, intents, risk factors and treatment from the mentions.

    Returns the red-flag codes found (the later steps add to it).
    """
    seen_flags: set[str] = set()
    relief = [m for m in mentions if m.code == "positional_relief"]
    # "snubler i dørstokker" read as weakness is a symptom, not a fall ("snublet og falt")
    weak = {(m.tok_start, m.tok_end) for m in mentions if m.code == "weakness_reported" and m.affirmed}
    for m in mentions:
        if m.code == "night_rest_pain" and phrasing.rest_read_away(m, relief, text):
            f.read_away.append((m.tok_start, m.tok_end))
            continue  # "bedre i hvile" is relief at rest; "verre ved aktivitet enn i hvile" compares with rest
        if m.code == "trauma" and (m.tok_start, m.tok_end) in weak:
            continue
        if (m.code == "trauma" and "whiplash" not in m.entry_id or m.entry_id.endswith(".spinal_procedure")) \
                and measures.years_ago(text, m, sents):
            f.read_away.append((m.tok_start, m.tok_end))
            continue  # "Bilulykke for 25 år siden", "Lumbalpunksjon for 15 år sidan": not a current trauma or procedure
        if m.code == "general_malaise" and phrasing.local_tiredness(m, text):
            f.read_away.append((m.tok_start, m.tok_end))
            continue  # "træthed i benene efter 200 m gang"
        if m.code == "trauma" and phrasing.value_fell(m, text):
            continue  # "Vekten har falt fra 88 til 80 kg", "CRP er faldet": a value, not a fall
        if m.code == "weight_loss" and measures.intended_loss(text, m, sents):
            f.read_away.append((m.tok_start, m.tok_end))  # "gått ned 12 kg etter fedmeoperasjon, ønsket vekttap"
            continue
        if m.entry_id.endswith(".systemic_infection") and m.affirmed and "infection_risk" not in seen_flags \
                and measures.weeks_ago(text, m, sents, 1.0):
            # "innlagt med urosepsis for 5 uker siden": an earlier bacterial infection (003 Tabel 1)
            seen_flags.add("infection_risk")
            f.red_flags.append(Mention("red_flag", "infection_risk", m.entry_id, m.start, m.end, m.tok_start,
                                       m.tok_end, m.sent, m.section, set(m.modifiers), list(m.context)))
            continue
        if m.category == "red_flag" and m.affirmed and m.code not in seen_flags:
            if (m.section in _IN_QUESTION or _in_question_sentence(m, text, sents)) and m.code not in SUSPECTED_FLAGS:
                continue
            if m.code == "inflammatory_signs" and _short_stiffness(text, m):
                f.read_away.append((m.tok_start, m.tok_end))  # "morgenstivhet 10 min": not the flag, and not unsure
                continue
            seen_flags.add(m.code)
            f.red_flags.append(m)
        elif m.category == "condition" and not m.negated and not m.family:
            f.conditions.add(m.code)
            f.condition_mentions.setdefault(m.code, m)
        elif m.category in ("finding", "symptom") and m.affirmed and m.section not in _IN_QUESTION:
            f.signs.add(_sign_code(m, text, sents))
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
    return seen_flags


#: "SLR 80 gr.", "Lasègue 90° bilat.": a straight-leg raise to 70° or more is normal.
_SLR_ANGLE = re.compile(r"^\D{0,12}?(\d{2,3})\s*(?:°|gr\b|gr\.|grader|graders|grad\b|deg)", re.I)
_SLR_POSITIVE = re.compile(r"(?i)\b(?:pos|positiv\w*|\+)")
#: "aktiv SLR", "ASLR": the active straight-leg raise is a pelvic girdle test, not a root sign.
_ACTIVE_SLR = re.compile(r"(?i)(?:aktiv\w*\s+|a)$")
#: Radiation that stops above the knee is not nerve-root pain ("udstråling til balden,
#: ikke distalt for knæet"; 001 §6.3.2: smerter som stråler ned i benet, nedenfor kneet).
_ABOVE_KNEE = re.compile(r"(?i)\b(?:ikke|ikkje|ej|aldri|aldrig)\s+(?:\w+\s+){0,2}?(?:distalt\s+for|nedenfor|neden\s+for|"
                         r"under|forbi|nedom|længere\s+end|lenger\s+enn|lengre\s+enn|ned\s+under|ned\s+forbi)\s+kn(?:e|æ)")


def _sign_code(m: Mention, text: str, sents) -> str:
    """The sign a finding mention stands for: a normal or pelvic straight-leg raise and
    radiation that stops above the knee keep their own codes, so they are findings but
    not nerve-root signs."""
    if m.code == "lasegue":
        if _ACTIVE_SLR.search(text[max(0, m.start - 8):m.start]):
            return "active_slr"
        after = text[m.end:m.end + 24]
        angle = _SLR_ANGLE.match(after)
        if angle and int(angle.group(1)) >= 70 and not _SLR_POSITIVE.search(after[:angle.start(1)]):
            return "slr_normal"
    elif m.code == "radiating_pain":
        for a, b in sents:
            if a <= m.start < b:
                if _ABOVE_KNEE.search(text[m.start:b]):
                    return "radiating_pain_above_knee"
                break
    return m.code


def _minor_trauma(f: Facts, mentions: list[Mention], seen_flags: set[str]) -> None:
    """A minor trauma (a slip, a lift, a cough) with known or suspected osteoporosis is a
    trauma flag (003 Tabel 1: "Mindre traume (host, nys, tunge løft) hos patienter med
    mistanke om eller kendt osteoporose"; contract: "minor trauma with osteoporosis").
    Systemic steroids are a flag of their own, not a reason to count a cough as trauma."""
    if "trauma" in seen_flags or "osteoporosis" not in seen_flags:
        return
    for m in mentions:
        if m.code == "minor_trauma" and m.affirmed:
            seen_flags.add("trauma")
            f.minor_trauma = True
            f.red_flags.append(Mention("red_flag", "trauma", m.entry_id, m.start, m.end, m.tok_start, m.tok_end,
                                       m.sent, m.section))
            return


def _worsening_paresis(f: Facts, doc: Doc, text: str, mentions: list[Mention], seen_flags: set[str]) -> None:
    """A paresis described as worsening in the same sentence is a progressive deficit
    ("Nedsatt kraft dorsalfleksjon ve fot, tiltagende."): derived like age_onset."""
    if "progressive_neuro_deficit" in seen_flags:
        return
    engine = state(doc).context_engine
    denied = denied_heads(state(doc).triggers or [], state(doc).tokens.words, engine.negation_words, engine._fold) if engine else []
    worsening = {m.sent: m for m in mentions if m.category == "course" and m.code == "not_improving"
                 and m.affirmed and _WORSENING.search(text[m.start:m.end])
                 and not any(a < m.tok_start < b for a, b in denied)}  # "Ingen forverring av pareser"
    for m in mentions:
        if m.code in ("paresis", "weakness_reported") and m.affirmed and m.sent not in worsening:
            # "Svakhet i begge beina som har økt på over tre dager": the word after the weakness
            near = _INCREASING.search(text, m.end, min(len(text), m.end + WORSENING_REACH))
            if near and "\n" not in text[m.end:near.start()] and "." not in text[m.end:near.start()]:
                worsening[m.sent] = Mention("course", "not_improving", "derived.increasing", near.start(), near.end(),
                                            m.tok_start, m.tok_end, m.sent)
        if m.code in ("paresis", "weakness_reported") and m.affirmed and m.sent in worsening:
            w = worsening[m.sent]
            seen_flags.add("progressive_neuro_deficit")
            f.red_flags.append(Mention("red_flag", "progressive_neuro_deficit", "derived.worsening_paresis",
                                       min(m.start, w.start), max(m.end, w.end), m.tok_start, m.tok_end, m.sent))
            return


def _course(f: Facts, text: str, mentions: list[Mention], sents) -> None:
    """Duration, improving or not, and the WAD grade of a whiplash injury."""
    f.symptom_weeks, span = _duration(text, mentions, sents, f.evidence.get("age"))
    if span:
        f.evidence["weeks"] = span
    relief = [(m.tok_start, m.tok_end) for m in mentions if m.code == "positional_relief"]
    # "bedre når han ligger", "betre ved foroverbøying": relief by posture is not improvement.
    # The question and the exam findings do not tell the course ("Spørsmål: årsak til
    # vedvarende smerter?").
    course = [m for m in mentions if m.category == "course" and not m.hypothetical and not m.family
              and not any(s <= m.tok_start < e for s, e in relief)
              and m.section not in _NOT_COURSE_SECTIONS and not _in_question_sentence(m, text, sents)]
    if course:
        last = course[-1]
        improving = last.code == "improving"
        f.improving = (not improving) if last.negated else improving
        # "en del bedre, men fortsatt vondt når hun sitter": a residual complaint after an
        # improvement is a partial improvement, not a failed one.
        if not improving and not last.negated and _PERSISTING.match(text[last.start:last.end]) and any(
                m.code == "improving" and not m.negated for m in course[:-1]):
            f.improving = True
    wad = q.wad_grade(text)
    if wad:
        f.wad_grade = wad.value
        f.conditions.add("whiplash")


#: A back complaint that began long before this episode ("kjent tilbakevendende lumbago
#: siden 30-årene", "residiverende", "rygproblemer gennem mange år"): the age at onset is
#: not the present age.
_LONGSTANDING = re.compile(
    r"(?i)\b(?:tilbakevendende|tilbakevendande|tilbagevendende|residiverende|recidiverende|residiverande|"
    r"gjentatte\s+episoder|gjentekne\s+episodar|gentagne\s+episoder|flere\s+episoder|fleire\s+episodar|"
    r"episoder\s+(?:i\s+året|årlig)|siden\s+(?:\d0-årene|ungdommen|tenårene|ungdomstiden|barndommen)|"
    r"sidan\s+(?:\d0-åra|ungdomen|tenåra)|i\s+mange\s+år|gennem\s+mange\s+år|i\s+flere\s+år|"
    r"i\s+årevis|kjente?\s+ryggplager|kendte?\s+rygproblemer|kjende?\s+ryggplager)")


#: ... unless the present complaint is a different one ("kjente ryggplager i 20 år, men
#: siste 3 uker annerledes"): then its onset is now.
_CHANGED = re.compile(r"(?i)\b(?:annerledes|anderledes|annleis|ny\s+type|nye?\s+type|nye\s+smerter|nye\s+smertar|"
                      r"(?:endret|ændret|endra|forandret)\s+karakter|ny\s+karakter|av\s+annen\s+karakter|"
                      r"af\s+anden\s+karakter|andre\s+smerter)")


def _derived(f: Facts, text: str) -> None:
    """Facts derived from the others: radicular, recent injury, region, age_onset, repeat."""
    f.radicular = bool(f.conditions & RADICULAR_CONDITIONS and any(
        m.affirmed for c, m in f.condition_mentions.items() if c in RADICULAR_CONDITIONS)) \
        or "radiating_pain" in f.signs or bool(f.signs & RADICULAR_FINDINGS)
    f.recent_injury = f.trauma and not f.minor_trauma and (f.symptom_weeks is not None and f.symptom_weeks <= 2.0)
    if f.region is None:
        for code in f.conditions:
            if code in CONDITION_REGION:
                f.region = CONDITION_REGION[code]
                break
    # age_onset: back pain beginning before 20 or after 55.
    if f.age is not None and f.region in BACK_REGIONS:
        # children too: onset before 20; a recurrent or long-known complaint began earlier
        onset = f.age - (f.symptom_weeks or 0) / 52.0
        if (f.symptom_weeks is not None or f.age > 55) and (onset > 55 or onset < 20):
            f.age_onset = not (_LONGSTANDING.search(text) and not _CHANGED.search(text))
    if f.intents & {"repeat_measurement", "follow_up"}:
        # "målt for 1 år siden", "måling i fjor": a repeat within two years.
        f.repeat_recent = any(d.value < 104 for d in q.durations(text)) or bool(q.LAST_YEAR_EVENT.search(text))


def _short_stiffness(text: str, m: Mention) -> bool:
    """Morning stiffness is a red flag only when it lasts over an hour (001 §6.1)."""
    window = text[m.start:m.end + 40].split("\n")[0]
    found = _MINUTES.search(window)
    return bool(found and int(found.group(1)) < 60) or bool(_SHORT_SPELLED.search(window))


def _in_question_sentence(m: Mention, text: str, sents: list[tuple[int, int]]) -> bool:
    """A flag named in a question ("Spm. metastaser?") is suspected, not documented."""
    for s, e in sents:
        if s <= m.start < e:
            sentence = text[s:e].strip()
            return sentence.endswith("?") and sentence.lower().startswith(("spm", "spørsmål", "spørgsmål", "?"))
    return False


#: words before a limb that make it where a spinal pain radiates to ("ned i venstre ben til
#: ydersiden af foden"), not the exam's region
_RADIATES = re.compile(r"(?i)(?:\bned\s+(?:i|til|mot|langs)|stråler|strålar|stråling|stråle)\b[^.;:\n]{0,40}$")
_SPINE = frozenset({"cervical_spine", "thoracic_spine", "lumbar_spine", "sacroiliac", "coccyx"})


def _region(mentions: list[Mention], modality: Mention | None, text: str = "") -> str | None:
    """The exam's region: the one named in the modality's sentence, else the first named
    (not a limb that a pain radiates to: then a diagnosis may name the region)."""
    regions = [m for m in mentions if m.category == "region" and not m.negated]
    if modality is None or all(m.sent != modality.sent for m in regions):
        regions = [m for m in regions if m.code in _SPINE or not _RADIATES.search(text[max(0, m.start - 45):m.start])]
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
    # a head, lung or abdomen word elsewhere in the text ("kjent lungekreft") is history
    # when a musculoskeletal region is named too
    specific = [m for m in specific if m.code != "other"] or specific
    first = specific[0]
    if first.code == "bone_density" and len(codes) > 1 and (modality is None or modality.code != "DXA"):
        return next((m.code for m in specific if m.code != "bone_density"), first.code)
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
    starts = [s for s, _ in sents]
    past: dict[int, bool] = {}  # sentence → dates a past event (each sentence read once: linear)
    first_end = min(c.end for c in cands)
    contrasts = [m.start() for m in _CONTRAST.finditer(text, first_end)] if len(cands) > 1 else []
    for c in cands:
        k = bisect_right(starts, c.start) - 1
        i = k if k >= 0 and c.start < sents[k][1] else -1
        if i >= 0:
            if i not in past:  # a sentence that dates a past event and names no complaint
                low = text[sents[i][0]:sents[i][1]].lower()
                past[i] = bool(_PAST_EVENT.search(low) and not _COMPLAINT_WORD.search(low))
            if past[i]:
                continue
            # the duration's own clause (between commas, at most CLAUSE_REACH characters each
            # way: bounded work per duration) dates a past event: "operert for 2 år siden, nå …"
            lo = max(sents[i][0], c.start - CLAUSE_REACH)
            hi = min(sents[i][1], c.end + CLAUSE_REACH)
            a = max(text.rfind(",", lo, c.start), text.rfind(";", lo, c.start), lo - 1) + 1
            found = [x for x in (text.find(",", c.end, hi), text.find(";", c.end, hi)) if x >= 0]
            clause = text[a:min(found) if found else hi].lower()
            if _PAST_EVENT.search(clause) and not _COMPLAINT_WORD.search(clause):
                continue
        score = 0 if by_sent.get(i, set()) & complaint else 1
        # "ryggplager i 20 år, men siste 3 uker annerledes": the duration after a contrast
        # (after some earlier duration) is the current complaint's.
        if _RECENT_BEFORE.search(text, max(0, c.start - 16), c.start) and first_end <= c.start and (
                bisect_right(contrasts, c.start - 1) > 0):
            score = -1
        ranked.append((score, c.start, c.value, (c.start, c.end)))
    if not ranked:
        return None, None
    ranked.sort()
    return ranked[0][2], ranked[0][3]
