"""ConText (Harkema et al. 2009) as in medspaCy: trigger rules and the ``refcheck_context`` component.

The triggers are matched by ``refcheck_lexicon`` in the same pass as the lexicon terms
(:class:`ContextTrigger` payloads); this component applies their scopes.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from ..errors import data_error
from .resources import read_json

CONTEXT_CATEGORIES = ("NEGATED_EXISTENCE", "HYPOTHETICAL", "FAMILY", "HISTORICAL", "RULE_OUT", "PSEUDO", "TERMINATE")
CONTEXT_DIRECTIONS = ("FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE")
CONTEXT_KEYS = {"literal", "category", "direction", "max_scope", "pattern", "metadata"}


@dataclass(frozen=True)
class ContextTrigger:
    category: str
    direction: str
    max_scope: int | None


@lru_cache(maxsize=None)
def load_context_rules(lang: str) -> tuple[dict, ...]:
    """The ConText rules of ``lang``, strictly validated (medspaCy's rule shape)."""
    rules = read_json(lang, "context_rules.json", "context_rules")
    for rule in rules:
        unknown = set(rule) - CONTEXT_KEYS
        if unknown:
            raise data_error("RC509", literal=rule.get("literal"), unknown=sorted(unknown), allowed=sorted(CONTEXT_KEYS))
        if rule.get("category") not in CONTEXT_CATEGORIES or rule.get("direction") not in CONTEXT_DIRECTIONS:
            raise data_error("RC510", literal=rule.get("literal"), categories=CONTEXT_CATEGORIES,
                             directions=CONTEXT_DIRECTIONS)
    return tuple(rules)


class ContextComponent:
    """ConText (Harkema et al. 2009) as in medspaCy, with per-language rule files.

    A modifier's scope runs from the trigger in its direction to the end of the sentence,
    a TERMINATE term, another trigger of the same direction, or ``max_scope`` tokens.
    PSEUDO triggers ("ingen bedring") consume look-alike triggers inside them.
    """

    def __init__(self, nlp: Language, name: str, lang: str):
        self.rules = load_context_rules(lang)  # validated here; matched by refcheck_lexicon

    def __call__(self, doc: Doc) -> Doc:
        mentions = (doc._.mentions or []) + (doc._.cues or [])
        if not mentions:
            return doc
        info = doc._.tokens
        found = [(a, b, (t.category, t.direction, t.max_scope)) for a, b, t in (doc._.triggers or [])]
        if not found:
            return doc
        sent_of = info.sent_of
        # Longest trigger wins where triggers overlap (PSEUDO "ingen bedring" beats "ingen").
        found.sort(key=lambda x: (x[0], -(x[1] - x[0])))
        triggers = []
        last_end = -1
        for start, end, payload in found:
            if start < last_end:
                continue
            triggers.append((start, end, payload))
            last_end = end
        terminators = {s for s, e, p in triggers if p[1] == "TERMINATE" or p[0] == "PSEUDO"}
        sent_bounds = info.sent_bounds
        scopes = []
        overlaps = []  # a match that begins inside a forward trigger ("ingen [tegn til infeksjon]")
        for start, end, (category, direction, max_scope) in triggers:
            if category in ("PSEUDO", "TERMINATE"):
                continue
            s_lo, s_hi = sent_bounds[sent_of[start]]
            if direction in ("FORWARD", "BIDIRECTIONAL"):
                hi = s_hi if max_scope is None else min(s_hi, end + max_scope)
                for t in range(end, hi):
                    if t in terminators:
                        hi = t
                        break
                scopes.append((end, hi, category))
                overlaps.append((start, end, category))
            if direction in ("BACKWARD", "BIDIRECTIONAL"):
                lo = s_lo if max_scope is None else max(s_lo, start - max_scope)
                for t in range(start - 1, lo - 1, -1):
                    if t in terminators:
                        lo = t + 1
                        break
                scopes.append((lo, start, category))
        for m in mentions:
            for lo, hi, category in scopes:
                if lo <= m.tok_start < hi:
                    m.modifiers.add(category)
            for t_start, t_end, category in overlaps:
                if t_start <= m.tok_start < t_end < m.tok_end:
                    m.modifiers.add(category)
        return doc


@Language.factory("refcheck_context", default_config={"lang": "nb"})
def make_context(nlp: Language, name: str, lang: str) -> ContextComponent:
    return ContextComponent(nlp, name, lang)
