"""Context as a public layer: negation, hypothetical, family, historical and rule-out.

``annotate(text, targets, language)`` runs refcheck's own ConText engine (the component
the pipeline uses, :mod:`refcheck.nlp.context`, not a copy) over any text and tells, for
each target character span, whether it is negated, hypothetical, a family member's,
historical or to be ruled out, and which triggers decided::

    >>> from refcheck.context import annotate
    >>> text = "Ingen feber, men vekttap 6 kg."
    >>> [t.negated for t in annotate(text, [(6, 11), (17, 24)], "nb")]
    [True, False]

There are no other public ConText rules for Norwegian or Danish; the rule files are
``lexicons/<lang>/context_rules.json``.
"""
from __future__ import annotations

from bisect import bisect_right

from .errors import message
from .nlp import build, run
from .nlp.context import FAMILY_UNSURE, apply, covered_tokens
from .nlp.context_rules import TargetContext
from .nlp.extensions import state

__all__ = ["annotate", "TargetContext"]


def annotate(text: str, targets: list[tuple[int, int]], language: str = "nb") -> list[TargetContext]:
    """ConText for character spans of ``text``: one :class:`TargetContext` per target.

    The same tokenizer, sentence splitter, lexicon (for list items) and rules as the
    pipeline; ``text`` is used as given (not normalised), so offsets are the caller's.
    """
    if language not in ("nb", "nn", "da"):
        raise ValueError(message("RC001", lang=language))
    doc = run(build(language), text)
    info = state(doc).tokens
    engine = state(doc).context_engine
    triggers = engine.triggers(info.words)
    covered = covered_tokens(doc, len(info.words))
    spans = [_tokens_of(info, start, end) for start, end in targets]
    for a, b in spans:  # the caller's targets are concepts too: list items for the scopes
        for t in range(a, min(b, len(covered))):
            covered[t] = True
    scopes = engine.scopes(info.words, info.sent_of, info.sent_bounds, triggers, covered)
    out = []
    for (start, end), (a, b) in zip(targets, spans):
        mods, why = apply(scopes, info.words, a, b) if info.words else (set(), [])
        out.append(TargetContext(start, end, "NEGATED_EXISTENCE" in mods, "HYPOTHETICAL" in mods,
                                 "FAMILY" in mods or FAMILY_UNSURE in mods, "HISTORICAL" in mods, "RULE_OUT" in mods, tuple(why)))
    return out


def _tokens_of(info, start: int, end: int) -> tuple[int, int]:
    a = _token_at(info, start)
    return a, max(a + 1, _token_at(info, max(start, end - 1)) + 1)


def _token_at(info, pos: int) -> int:
    i = bisect_right(info.starts, pos) - 1
    return max(0, i)
