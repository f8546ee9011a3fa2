"""The safety net: alarm words that no reading resolved.

refcheck may propose ``decline`` only when the referral holds no unresolved alarm content
(contract, "action" 2). An *alarm word* is any word of a broad, high-recall vocabulary
(``lexicons/<lang>/alarms.json``: bladder, bowel, anus, saddle, sphincter, fever, cancer,
weight, night, trauma, steroids, immunosuppression, IV drugs …). It is *resolved* when

- its code does not count in the exam's region (trauma, osteoporosis and deformity count
  for the spine and an unknown region only);
- it lies in a benign phrase ("i alle fall", "nattevakt", "afebril");
- it lies in a lexicon or concept mention that ConText found negated, hypothetical, a
  family member's or to be ruled out (but not when the rule-out is the referrer's own
  open question, a negated one: "malignitet kan ikke utelukkes", "brudd er ikke
  utelukket", "kan ikkje utelukke infeksjon" — an alarm the desk must see; nor when what
  is to be ruled out is an emergency, "for å utelukke cauda equina");
- it lies in a red-flag mention whose code is one of the referral's red flags, or one the
  facts read and set aside for a stated reason (a morning stiffness of 10 minutes);
- ConText, applied to the word itself, finds it negated, hypothetical, a family
  member's or to be ruled out.

Anything else is *unresolved*: the judge turns a decline into ``manual`` with a warning
finding that quotes the words (rule SAFE-001). So is an alarm word whose only negation is
a guess: the second part of a two-part list without a coordinator ("Ingen utstråling,
nattesmerter"), unless it is one of the referral's red flags.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..errors import data_error
from ..nlp.extensions import state
from ..nlp.context_rules import COMMAS, COORDINATORS
from ..nlp.negation_owners import NEGATORS

NOT_PRESENT = {"NEGATED_EXISTENCE", "HYPOTHETICAL", "FAMILY", "RULE_OUT"}


#: Codes of the emergency pathway: a request to rule one out ("for å utelukke cauda
#: equina") tells a suspicion the desk must see, so it never resolves the words.
URGENT_CODES = frozenset({"cauda_equina", "progressive_neuro_deficit"})


def _resolves(mods: set[str], why, code: str | None = None) -> bool:
    """Whether modifiers ``mods`` (decided by triggers ``why``: (text, category)) put a word
    of alarm code ``code`` out of the patient's present: a rule-out alone does not when it
    is a negated one ("kan ikke utelukkes", "ikke avkreftet": the finding stays open), nor
    when the code is an emergency one (:data:`URGENT_CODES`)."""
    hidden = mods & NOT_PRESENT
    if hidden == {"RULE_OUT"}:
        if code in URGENT_CODES:
            return False
        return not any(cat == "RULE_OUT" and any(w.lower() in NEGATORS for w in text.split()) for text, cat in why)
    return bool(hidden)


@dataclass(frozen=True)
class Alarm:
    """One unresolved alarm word: character span (normalised text), code family, words."""

    start: int
    end: int
    code: str
    text: str


@lru_cache(maxsize=None)
def _data(lang: str):
    from ..nlp.resources import layer_documents

    groups: dict[str, list[str]] = {}
    regions: dict[str, tuple] = {}
    benign: list[str] = []
    for path, data in layer_documents(lang, "alarms.json", "RC514"):
        for row in data.get("alarms", []):
            if set(row) - {"id", "code", "terms", "note", "regions"} or not isinstance(row.get("terms"), list):
                raise data_error("RC514", path=path, problem=f"alarm entry {row.get('id')!r} needs id, code and a list of terms")
            groups.setdefault(row["code"], []).extend(row["terms"])
            if "regions" in row:
                regions[row["code"]] = tuple(row["regions"])
        benign += data.get("benign", [])
    return groups, benign, regions


@lru_cache(maxsize=None)
def matcher(lang: str):
    """A ConceptMatcher whose groups are the alarm codes plus BENIGN (lexicon keys of ``lang``)."""
    from ..nlp.concepts import ConceptMatcher
    from ..nlp.lexicon import TermMatcher

    keys = TermMatcher(lang, str.split)
    groups, benign, _ = _data(lang)
    return ConceptMatcher([], {**groups, "BENIGN": benign or ["\x00"]}, lambda w: keys.features(w)[0]), tuple(groups)


def unresolved(doc, lang: str, flag_codes: set[str], region: str | None = None,
               read_away: list[tuple[int, int]] | None = None) -> list[Alarm]:
    """The alarm words of ``doc`` that nothing resolved (see the module docstring).
    ``read_away``: token spans of red-flag mentions the facts set aside for a stated reason
    (a morning stiffness of minutes, relief at rest), which resolve their words too."""
    info = state(doc).tokens
    words = info.words
    if not words:
        return []
    m, codes = matcher(lang)
    atoms = [m.atoms_of(w) for w in words]
    pos = m.positions(atoms)
    if not pos:
        return []
    hits: list[tuple[int, int, str]] = []
    regions = _data(lang)[2]
    for code in codes:
        if code in regions and region not in regions[code]:
            continue  # e.g. a trauma in a joint referral: the region's own rules read it
        hits += [(s, e, code) for s, e in m.hits(code, atoms, pos)]
    if not hits:
        return []
    benign = m.hits("BENIGN", atoms, pos)
    spans = []  # (tok start, tok end, resolved?) of the mentions
    flag_spans = []  # (tok start, tok end, True) of the mentions that are the referral's red flags
    for mention in (state(doc).mentions or []):
        flag = mention.category == "red_flag" and mention.code in flag_codes
        code = mention.code if mention.category == "red_flag" else None
        spans.append((mention.tok_start, mention.tok_end, _resolves(mention.modifiers, mention.context, code) or flag))
        if flag:
            flag_spans.append((mention.tok_start, mention.tok_end, True))
    spans += [(s, e, True) for s, e in read_away or ()]
    scopes = state(doc).scopes or []
    unsure = _unsure_items(scopes, words)
    from ..nlp.context import apply

    out: list[Alarm] = []
    seen: set[int] = set()
    for s, e, code in sorted(hits):
        if s in seen:
            continue
        seen.add(s)
        if any(bs <= s and e <= be for bs, be in benign):
            continue
        if not any(a <= s < b for a, b in unsure):
            inside = [r for ms, me, r in spans if ms <= s and e <= me]
            if inside and any(inside):
                continue
            mods, why = apply(scopes, words, s, e)
            if _resolves(mods, why, code):
                continue
        elif any(ms <= s and e <= me and r for ms, me, r in flag_spans):
            continue
        out.append(Alarm(info.starts[s], info.ends[e - 1], code, info.text[info.starts[s]:info.ends[e - 1]]))
    return out


def _unsure_items(scopes, words: list[str]) -> list[tuple[int, int]]:
    """Token ranges whose negation is only a guess: the second part of a two-part list
    without a coordinator that a forward negation runs over ("Ingen utstråling, natlige
    smerter", "Ikke traume, vekttap"). Whether the negator reaches past the comma is the
    writer's secret, so an alarm word there stays unresolved (manual, never decline). A
    list of three or more parts ("Ingen feber, nattesvette, vekttap") or one with its
    coordinator ("Ingen feber, vekttap eller nattesmerter") reads as a negated list."""
    out = []
    for lo, hi, t_start, t_end, rule in scopes:
        if rule.category != "NEGATED_EXISTENCE" or lo != t_end or hi - lo < 3:
            continue
        inside = words[lo:hi]
        commas = [lo + k for k, w in enumerate(inside) if w in COMMAS]
        if len(commas) == 1 and not any(w.lower() in COORDINATORS for w in inside):
            out.append((commas[0] + 1, hi))
    return out


def counts_in_region(lang: str, code: str, region: str | None) -> bool:
    """Whether a red flag of ``code`` counts for an exam of ``region`` (trauma, osteoporosis
    and deformity count for the spine and an unknown region only)."""
    regions = _data(lang)[2]
    return code not in regions or region in regions[code]
