"""The four components of a referral (history, clinical findings, tentative diagnosis,
clinical question): found by rules, then completed by the learned sentence-role model."""
from __future__ import annotations

import re
from bisect import bisect_right

from spacy.tokens import Doc

from ..learned import roles
from ..nlp.mentions import Mention
from ..text import fastre
from .model import Facts
from ..nlp.extensions import state

# A plea for urgency is not a clinical question ("Øyeblikkelig hjelp?", "Haster?").
_URGENCY = fastre.compile(r"(?i)øyeblikkeli|øyeblikkeleg|ø-hjelp|ø\.hj|akut|haster|hastar|snarest|cito|asap")
# "?artrose", "? menisk hø. kne": a condition marked with a bare question mark.
_BARE_QUERY = fastre.compile(r"(?:^|(?<=[\s(:,]))\?\s?[^\W\d_]{3,}")
# Examination phrasing that reports a result.
_EXAM = fastre.compile(r"(?i)\bved\s+(?:us\.|undersøkelse|undersøking|undersøgelse|palpasjon|palpation|inspeksjon|klinisk)"
                   r"|\b(?:us\.?|undersøkelse[n]?|undersøkinga|undersøking|undersøgelse[n]?|klinisk)\s+(?:viser|viste|syner|synte|avdekker|finner|fandt|fann|ua\b)")
_ANY_WORD = fastre.compile(r"\w")
_LETTERS = fastre.compile(r"[^\W\d_]+")
_SUSPICION = fastre.compile(r"(mistanke|mistenk|susp|obs\.?|spm|mulig|trolig|sannsynlig|forenlig|kjent|kendt)")
_QUESTION_WORD = fastre.compile(r"(?i)\b(hva|hvorfor|hvordan|hvilken|hvilke|kva|kvifor|korleis|kven|hvad|årsak|årsag|forklaring)\b")


def find_components(f: Facts, doc: Doc, mentions: list[Mention], cues: list[Mention], sections, sents,
                measured: bool, codes: list) -> None:
    _rule_components(f, doc, mentions, cues, sections, sents, measured, codes)
    _learned_components(f, state(doc).tokens.text, sections, sents, mentions)


_REQUEST_CATEGORIES = {"modality", "region", "laterality"}


def _request_line(text: str, span: tuple[int, int], mentions: list[Mention]) -> bool:
    """A short line that only names the exam ("Rtg. LS-col.", "MR kne hø.")."""
    s, e = span
    inside = [m for m in mentions if s <= m.start < e]
    return bool(inside) and any(m.category == "modality" for m in inside) \
        and all(m.category in _REQUEST_CATEGORIES for m in inside) and len(_LETTERS.findall(text[s:e])) <= 6


def _span_test(spans):
    """pos → whether some span (``.start``/``.end``) holds it: bisect over the starts with the
    running maximum of the ends, so a text with thousands of headers stays linear."""
    secs = sorted((sp.start, sp.end) for sp in spans)
    starts = [a for a, _ in secs]
    reach, top = [], -1
    for _, b in secs:
        top = max(top, b)
        reach.append(top)

    def inside(pos: int) -> bool:
        k = bisect_right(starts, pos) - 1
        return k >= 0 and pos < reach[k]
    return inside


def _learned_components(f: Facts, text: str, sections, sents, mentions: list[Mention]) -> None:
    """Let the sentence-role model add components the rules missed, in headerless text only."""
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
    in_section = _span_test(sections)
    free = [(s, e) for k, (s, e) in enumerate(sents)
            if not in_section(s) and len(text[s:e].strip()) >= 3
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
    text = state(doc).tokens.text
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
    in_diagnosis = _span_test([sec for sec in sections if sec.category == "tentative_diagnosis"])
    for s, e in sents:
        sentence = text[s:e].strip()
        if sentence.endswith("?") and not _URGENCY.search(sentence) and not in_diagnosis(s):
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
