"""Negation words that belong to a term, not to its context.

A lexicon term may hold a negator ("ikke lindret av hvile", "klarer ikke holde på
avføringen"): that negator is the term's own and must not negate the term itself
(:func:`own_negations`). A PSEUDO trigger that begins with a negator ("ingen forverring")
negates nothing after it, but denies a red flag whose first words it holds
(:func:`denied_heads`). A negator right before another negation cancels it
(:func:`double_negations`); a lone minus after an exam item marks it absent
(:func:`minus_marks`). All are used by the ConText engine (context.py).
"""
from __future__ import annotations

from .context_rules import MODIFIERS, ContextRule


#: Words that negate what follows them (nb/nn/da), folded.
NEGATORS = frozenset({"ingen", "inga", "intet", "ikke", "ikkje", "ej", "aldri", "aldrig", "uten", "utan", "uden",
                      "manglende", "manglande", "mangler", "manglar", "hverken", "verken", "nei", "nej"})


def own_negations(triggers: list, mentions: list, words: list[str], negation_words: frozenset[str],
                  fold) -> dict[int, tuple[int, int]]:
    """Triggers whose negation word belongs to a lexicon term: trigger start → the term's
    token span.

    Some terms carry their own negation: course phrases ("ingen betring", "manglende
    effekt", "har ikke hjulpet", "uden at hjælpe": ``not_improving``), red flags ("ikke
    vært seg selv") and intents ("ingen plager"). There the negation word is part of the
    concept — also when a longer trigger shares it ("[har [ikkje] vorte betre]") — so it
    modifies neither the term (it would flip it into its opposite) nor what follows the
    term ("ingen betring på paracet": the painkiller was tried). Words inside the term
    stay in scope ("ingen plager": no complaints). A trigger that only shares another word
    with a term ("ikke noe" and "noe bedre") is not the term's own; nor is a "term" of
    negators alone (a misreading: "Verken" is not "verk").
    """
    out: dict[int, tuple[int, int]] = {}
    if not mentions:
        return out
    negator_at: dict[int, bool] = {}

    def is_negator(i: int) -> bool:
        hit = negator_at.get(i)
        if hit is None:
            hit = negator_at[i] = fold(words[i]) in negation_words
        return hit

    for start, end, rule in triggers:
        if rule.category not in MODIFIERS:
            continue
        negators = [i for i in range(start, end) if is_negator(i)]
        if not negators:
            continue
        first, last = negators[0], negators[-1]
        for m in mentions:
            lo, hi = m.tok_start, m.tok_end
            if hi <= first or lo > last:
                continue  # holds none of the negators
            # a composed concept owns a negator only among its own words, not between them
            if (any(lo <= i < hi and (not m.parts or i in m.parts) for i in negators)
                    and not all(is_negator(t) for t in range(lo, hi))):
                prior = out.get(start)
                if prior is None or hi - lo > prior[1] - prior[0]:
                    out[start] = (lo, hi)  # the longest term that holds the trigger owns it
    return out


def denied_heads(triggers, words: list[str], negation_words, fold) -> list[tuple[int, int]]:
    """PSEUDO triggers that begin with a negator ("ingen forverring", "ikke tegn til"): a
    red flag whose first words they hold ("Ingen forverring av pareser") is denied by
    them, although as pseudo triggers they negate nothing after them."""
    return [(s, e) for s, e, r in triggers
            if r.category == "PSEUDO" and e - s > 1 and fold(words[s]) in negation_words]


#: Negators that flip the negation right after them: "ikke utelukket", "ikkje utan smerter",
#: "ikke negativ". ("ingen" and "uten" before another negator are left alone.)
FLIPPING = frozenset({"ikke", "ikkje", "ej", "inte"})
#: "without": a negator a verb or two before it flips it too ("kan ikke gå uten smerter").
WITHOUT = frozenset({"uten", "utan", "uden"})
#: What a negator before a negation becomes: neither negates, and the pair ends scopes.
DOUBLE_NEGATION = ContextRule("engine.double_negation", "ikke + negation", "PSEUDO", "TERMINATE", 0, ())


def double_negations(triggers: list, words: list[str], fold) -> list:
    """Litotes and double negation, for the pairs the rule files do not list ("Fraktur er
    ikke utelukket" has its own RULE_OUT rule): a one-word negator of FLIPPING directly
    before a NEGATED_EXISTENCE trigger makes one PSEUDO trigger over both ("ikke uten
    smerter", "ikke fraværende"); before a RULE_OUT trigger it joins that trigger, so "kan
    ikke utelukke brudd" reads like "brudd kan ikke utelukkes" (to be ruled out, and left
    open: the safety net reads a negated rule-out as unresolved)."""
    out = []
    k, n = 0, len(triggers)
    while k < n:
        s, e, r = triggers[k]
        if (k + 1 < n and e - s == 1 and r.category == "NEGATED_EXISTENCE" and fold(words[s]) in FLIPPING
                and _pairs(triggers[k + 1], e, words, fold)):
            s2, e2, r2 = triggers[k + 1]
            if r2.category == "NEGATED_EXISTENCE":
                out.append((s, e2, DOUBLE_NEGATION))
                k += 2
                continue
            if r2.category == "RULE_OUT":
                out.append((s, e2, r2))
                k += 2
                continue
        out.append((s, e, r))
        k += 1
    return out


def _pairs(nxt, end: int, words: list[str], fold) -> bool:
    """Whether trigger ``nxt`` follows a negator ending at ``end`` closely enough to pair
    with it: right after it, or "uten" after at most two words that are not punctuation."""
    s2 = nxt[0]
    if s2 == end:
        return True
    return (s2 - end <= 2 and nxt[1] - s2 == 1 and fold(words[s2]) in WITHOUT
            and all(any(ch.isalpha() for ch in w) for w in words[end:s2]))


#: A finding marked absent with a minus in exam notation ("instabilitet -, hydrops +").
MINUS = ContextRule("engine.minus_mark", "-", "NEGATED_EXISTENCE", "BACKWARD", 3, ())
_MARK_ENDS = frozenset({",", ".", ";", ":"})


def minus_marks(words: list[str], sent_bounds: dict) -> list:
    """Scopes over the words before a lone "-" that ends an exam item ("låsing -,",
    "Feber -."): back to the item's start (a comma, colon or the sentence start), at most
    three words."""
    out: list = []
    if "-" not in words:
        if not any(len(w) > 2 and w[-1] == "-" for w in words):
            return out
        return _marked_words(words, sent_bounds)
    out += _marked_words(words, sent_bounds)
    for a, b in sent_bounds.values():
        for t in range(a + 1, b):
            if words[t] == "-" and any(ch.isalpha() for ch in words[t - 1]) \
                    and (t + 1 >= b or words[t + 1] in _MARK_ENDS or words[t + 1] == "/" or "\n" in words[t + 1]):
                lo = t
                while lo > a and lo > t - 3 and words[lo - 1] not in _MARK_ENDS and words[lo - 1] != "/":
                    lo -= 1
                out.append((lo, t, t, t + 1, MINUS))
    return out


def _marked_words(words: list[str], sent_bounds: dict) -> list:
    """A word that carries its own minus in a slashed list ("feber-/vekttap-/traume-"):
    the word is denied."""
    out: list = []
    for a, b in sent_bounds.values():
        for t in range(a, b):
            w = words[t]
            if len(w) > 2 and w[-1] == "-" and w[-2].isalpha() and (
                    t + 1 >= b or words[t + 1] in ("/", *_MARK_ENDS) or "\n" in words[t + 1]) and (
                    t + 1 < b and words[t + 1] == "/" or t > a and words[t - 1] == "/"):
                out.append((t, t + 1, t, t + 1, MINUS))
    return out
