"""Where a negation's scope runs over a list at commas: forward (:func:`list_end`, "Ingen
feber, vekttap eller nattesmerter") and backward (:func:`list_start`, "Feber, vekttap og
nattesmerter benektes"). Used by the ConText engine (context.py)."""
from __future__ import annotations

from .context_rules import COMMAS, COORDINATORS, DIGIT, LIST_WORDS

#: Trigger categories that end a list: a part with a new negation starts its own scope.
LIST_STOPS = frozenset({"HISTORICAL", "AFFIRMED", "TERMINATE", "VERB", "NEGATED_EXISTENCE"})
#: A negation's list runs over at most this many commas (linear time on any input).
MAX_ITEMS = 40
#: Coordinators that close a list ("A, B eller C"); not "/" ("feber/frysninger, vekttap").
CLOSERS = frozenset({"og", "eller", "samt", "el", "el.", "og/eller"})
#: Words of an onset or a course (nb/nn/da). A comma part with one before its coordinator
#: tells what happened, so it is a new statement, not an item of the negated list: "Ingen
#: parestesier, urinretensjon siden i natt", "Ingen utstråling, økende smerter om natten".
#: (After the coordinator they are the list's time frame: "Ingen feber, vekttap eller
#: nattesmerter siste måneder".)
ONSET_WORDS = frozenset({
    "siden", "sidan", "igår", "går", "morges", "aftes", "nat", "natt", "inatt", "inat",
    "økende", "økte", "tiltakende", "tiltagende", "aukande", "aukar", "tiltar", "tiltager",
    "forverret", "forverra", "forværret",
    "nyoppstått", "nyoppståtte", "nyopstået", "nyopståede", "nytilkommen", "nytilkomne", "nytilkommet",
    "debuterte", "debuterede", "progredierende", "progressiv", "progressive", "stadig", "plutselig",
    "pludselig", "brått", "akutt", "akut"})


def _bare_item(words, part: list[int], stops: dict, covered) -> bool:
    """A comma part that is a list item: a few words (or a coordinator early), no number,
    no history, affirmation, verb or terminator word, and (when known) a lexicon term."""
    coord = next((i for i, t in enumerate(part) if words[t].lower() in COORDINATORS), None)
    head = part if coord is None else part[:coord + 2]  # up to the item after the coordinator
    alpha = [t for t in head if any(ch.isalpha() for ch in words[t]) and words[t].lower() not in COORDINATORS]
    listy = (len(alpha) <= LIST_WORDS or (coord is not None and coord <= LIST_WORDS)) \
        and not any(DIGIT.search(words[t]) or words[t].lower() in ONSET_WORDS for t in head) \
        and not any(stops.get(t) in LIST_STOPS for t in head)
    if listy and covered is not None:
        listy = any(covered[t] or words[t].lower() in COORDINATORS for t in head)
    return listy


def list_end(words, begin: int, hi: int, s_hi: int, stops: dict, covered, ends, rule) -> int:
    """End of a forward negation at commas: it runs on over a list of findings and stops
    at the first comma that starts a new clause.

    A comma part continues the list when it does not begin with a coordinator (", og
    pasienten ble …" is a clause), holds no number before its coordinator ("vekttap 7
    kg") and no history, affirmation or terminator word, and is short or joined by a
    coordinator ("fri luft, væske i bukhulen eller fortykket tarmvegg"). A list ends at the
    comma after the part that holds its coordinator ("Ingen feber, vekttap eller
    nattesmerter, nummen i setet"). A list carries a short scope (``uten``: six tokens) to
    its last item.
    """
    commas = []
    for t in range(begin, s_hi):  # the commas of this scope's list, at most MAX_ITEMS
        if words[t] in COMMAS:
            commas.append(t)
            if len(commas) > MAX_ITEMS:
                break
    if not commas or commas[0] >= hi:
        return hi
    end = hi
    prev = begin  # start of the part before this comma
    for k, comma in enumerate(commas):
        if comma >= end:
            return end
        if any(words[t].lower() in CLOSERS for t in range(prev, comma)):
            return comma  # the list was closed by its coordinator ("Ingen A, B eller C, nummen i setet")
        prev = comma + 1
        nxt = commas[k + 1] if k + 1 < len(commas) else s_hi
        part = [t for t in range(comma + 1, nxt) if words[t] not in COMMAS]
        if not part or words[part[0]].lower() in COORDINATORS:
            return comma
        if not _bare_item(words, part, stops, covered):
            return comma
        coord = next((i for i, t in enumerate(part) if words[t].lower() in COORDINATORS), None)
        head = part if coord is None else part[:coord + 2]
        if end < nxt:  # carry a short scope over the list, up to its last item
            stop = next((t for t in range(comma + 1, nxt) if ends(t, rule)), nxt)
            end = max(end, head[-1] + 1 if coord is not None else stop)
            end = min(end, stop)
    return end


def list_start(words, lo: int, start: int, s_lo: int, stops: dict, covered, blocked: set[int]) -> int:
    """Start of a backward negation over a list: when the words between the scope's start
    and the trigger end a list ("…, vekttap og nattesmerter benektes": they hold a
    coordinator), a scope cut short by its length runs back to the list's first item
    ("Postoperativ kvalme og oppkast ble ikke rapportert"), and one that stopped at a comma
    runs back over every comma part before it that is a bare list item; without a
    coordinator the comma ends it ("Han har vondt i ryggen, feber forelå ikke").
    ``blocked``: the tokens of history, affirmation, verb, terminator and negation
    triggers ("Pasienten har ryggsmerter og nattesmerter benektes"), which end the list."""
    if lo > s_lo and words[lo - 1] not in COMMAS and lo - 1 not in blocked \
            and any(words[t].lower() in COORDINATORS for t in range(lo, start)):
        first = lo
        while first > s_lo and words[first - 1] not in COMMAS and first - 1 not in blocked:
            first -= 1
        extra = [t for t in range(first, lo) if any(ch.isalpha() for ch in words[t])]
        if len(extra) <= LIST_WORDS and not any(DIGIT.search(words[t]) for t in extra):
            lo = first
    if lo <= s_lo or words[lo - 1] not in COMMAS:
        return lo
    if not any(words[t].lower() in COORDINATORS for t in range(lo, start)):
        return lo
    items = 0
    while lo > s_lo and words[lo - 1] in COMMAS and items < MAX_ITEMS:
        comma = lo - 1
        first = comma
        while first > s_lo and words[first - 1] not in COMMAS:
            first -= 1
        part = [t for t in range(first, comma) if not words[t].isspace()]
        if not part or not _bare_item(words, part, stops, covered):
            break
        lo, items = first, items + 1
    return lo
