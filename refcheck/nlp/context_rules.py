"""ConText rule data: the rule shape, its validation at load, and the trigger matcher.

The rule files are ``lexicons/<lang>/context_rules.json`` (nynorsk adds to bokmål); the
engine that turns triggers into scopes is :mod:`refcheck.nlp.context`.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from ..errors import data_error
from ..paths import lexicon_dir
from ..text.fold import CACHE_WORDS

CATEGORIES = ("NEGATED_EXISTENCE", "HYPOTHETICAL", "FAMILY", "HISTORICAL", "RULE_OUT", "PSEUDO", "TERMINATE",
              "AFFIRMED", "ADVICE", "PROXY", "VERB", "PREP")
MODIFIERS = ("NEGATED_EXISTENCE", "HYPOTHETICAL", "FAMILY", "HISTORICAL", "RULE_OUT")
DIRECTIONS = ("FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE")
RULE_KEYS = {"id", "literal", "category", "direction", "max_scope", "pattern", "metadata", "terminated_by",
             "requires", "at_sentence_start", "across_commas", "spares"}
#: Words before a family noun that make it point back at what precedes ("psoriasis hos to
#: søsken", "astma blant brødrene"): the family word then also scopes backward.
FAMILY_PREPOSITIONS = frozenset({"hos", "blant", "blandt"})
FAMILY_QUANTIFIERS = frozenset({"begge", "to", "tre", "fire", "flere", "alle", "en", "ei", "et", "ein", "eit", "min",
                                "mi", "mitt", "mine", "sin", "si", "sitt", "sine", "hans", "hennes", "hendes", "hennar",
                                "pasientens", "patientens", "pas.", "pt.", "pt", "nære", "nær", "nærmeste", "andre",
                                "flera", "mange", "noen", "nokre", "nogle", "yngre", "eldre", "ældre", "yngste",
                                "eldste", "ældste", "biologiske", "biologisk"})
#: The last word of a PROXY literal that is a preposition ("sammen med", "ifølge"): its
#: object, not its subject, is the relative who is not the patient's history.
PROXY_PREPOSITIONS = frozenset({"med", "av", "af", "ifølge", "ifølgje", "iflg", "iflg.", "hos"})
#: Words that begin what describes a negated population ("Ingen av pasientene *med* X …").
#: Words whose preposition introduces what a negation denies, so the preposition does not
#: end the scope of "ikke" ("ikke var holdepunkter for metastaser", "ikke vært utsatt for
#: traume"; but "trengte ikke sykemelding for ryggsmertene").
PREP_GOVERNORS = frozenset({"tegn", "teikn", "holdepunkt", "holdepunkter", "holdepunkta", "mistanke", "spor",
                            "indikasjon", "indikasjoner", "utsatt", "utsett", "udsat"})
DESCRIBERS = frozenset({"med", "som", "uten", "utan", "uden", "etter", "efter", "operert", "opereret", "behandlet"})
#: "X kunne (dermed) utelukkes": a rule-out word after these reports that X was excluded.
RESULT_VERBS = frozenset({"kunne", "kan", "ble", "blei", "vart", "blev", "er", "var", "blir", "bliver", "vert"})
RESULT_ADVERBS = frozenset({"dermed", "derfor", "også", "trygt", "sikkert", "dog", "dessuten", "endelig",
                            "deretter", "herved", "således", "altså", "nu", "nå", "no", "raskt", "hurtigt"})
#: Maximum tokens of a backward family scope made by a preposition.
FAMILY_BACK = 6
#: A modifier that is only likely, not read for sure: a family scope carried to the next
#: sentence by a pronoun. ``annotate`` reports it as family; the referral reading keeps a
#: red flag under it as the patient's (safety: an unsure reading never removes a flag).
FAMILY_UNSURE = "FAMILY_UNSURE"
#: Categories whose triggers end a scope of the given category (a rule may override).
TERMINATED_BY = {
    "NEGATED_EXISTENCE": ("HISTORICAL", "AFFIRMED", "FAMILY"),
    "HYPOTHETICAL": ("AFFIRMED",),
    "FAMILY": (),
    "HISTORICAL": ("NEGATED_EXISTENCE",),
    "RULE_OUT": ("NEGATED_EXISTENCE", "AFFIRMED"),
}
#: Most words a comma-separated list item may have and still continue a negation.
LIST_WORDS = 4
COORDINATORS = frozenset({"eller", "og", "el", "el.", "samt", "heller", "/", "&", "verken", "hverken", "korkje",
                          "elle", "ell", "og/eller"})
COMMAS = frozenset({",", "–", "—", "-"})  # "-" as a token: a dash between words ("Ingen feber - men vekttap")
DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class ContextRule:
    """One ConText rule (medspaCy shape, plus a stable id and ``terminated_by``)."""

    id: str
    literal: str
    category: str
    direction: str
    max_scope: int | None
    terminated_by: tuple[str, ...]
    requires: str | None = None  # a category that must also occur in the sentence ("ADVICE")
    at_sentence_start: bool = False  # only as the sentence's first word ("Om …, vurderes MR")
    across_commas: bool = False  # a backward scope that runs over commas ("(blære, tarm, feber) – ingen av disse")
    spares: tuple[str, ...] = ()  # TERMINATE only: categories whose scopes it does not end ("men" and family)
    unsure: bool = False  # made by the engine (pronoun carry-over): the scope gives FAMILY_UNSURE


@dataclass(frozen=True)
class TargetContext:
    """What :func:`annotate` says of one target span."""

    start: int
    end: int
    negated: bool
    hypothetical: bool
    family: bool
    historical: bool
    rule_out: bool
    triggers: tuple[tuple[str, str], ...]  # (trigger text, category)

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "negated": self.negated, "hypothetical": self.hypothetical,
                "family": self.family, "historical": self.historical, "rule_out": self.rule_out,
                "triggers": [{"text": t, "category": c} for t, c in self.triggers]}


def _rule_id(lang: str, row: dict, n: int) -> str:
    return row.get("id") or f"{lang}.context.{n}"


@lru_cache(maxsize=None)
def load_context_rules(lang: str) -> tuple[ContextRule, ...]:
    """The ConText rules of ``lang`` (nynorsk adds to bokmål), strictly validated.

    Raises DataError for unknown keys, categories or directions, and for two rules whose
    literals fold to the same words but disagree on category or direction (both ids are
    named). The same literal with the same meaning in two layers is kept once.
    """
    from .resources import layers

    out: list[ContextRule] = []
    by_key: dict[str, ContextRule] = {}
    for layer in layers(lang):
        path = lexicon_dir() / layer / "context_rules.json"
        if not path.exists():
            continue
        try:
            rows = json.loads(path.read_text(encoding="utf-8"))["context_rules"]
        except (json.JSONDecodeError, KeyError) as exc:
            raise data_error("RC507", path=path, key="context_rules", problem=exc) from exc
        for n, row in enumerate(rows, start=1):
            rid = _rule_id(layer, row, n)
            unknown = set(row) - RULE_KEYS
            if unknown:
                raise data_error("RC509", literal=rid, unknown=sorted(unknown), allowed=sorted(RULE_KEYS))
            if row.get("category") not in CATEGORIES or row.get("direction") not in DIRECTIONS:
                raise data_error("RC510", literal=rid, categories=CATEGORIES, directions=DIRECTIONS)
            term_by = tuple(row.get("terminated_by") or TERMINATED_BY.get(row["category"], ()))
            bad = set(term_by) - set(CATEGORIES)
            if bad:
                raise data_error("RC515", id=rid, unknown=sorted(bad))
            if row.get("requires") not in (None, *CATEGORIES):
                raise data_error("RC515", id=rid, unknown=[row["requires"]])
            spares = tuple(row.get("spares") or ())
            if set(spares) - set(MODIFIERS) or (spares and row["category"] != "TERMINATE"):
                raise data_error("RC517", id=rid, spares=list(spares))
            rule = ContextRule(rid, row["literal"], row["category"], row["direction"], row.get("max_scope"), term_by,
                               row.get("requires"), bool(row.get("at_sentence_start")),
                               bool(row.get("across_commas")), spares)
            key = literal_key(row["literal"], lang)
            prior = by_key.get(key)
            if prior is not None:
                if (prior.category, prior.direction) != (rule.category, rule.direction):
                    raise data_error("RC513", first=prior.id, first_kind=f"{prior.category} {prior.direction}",
                                     second=rid, second_kind=f"{rule.category} {rule.direction}",
                                     literal=row["literal"])
                continue
            by_key[key] = rule
            out.append(rule)
    return tuple(out)


@lru_cache(maxsize=None)
def load_pronouns(lang: str) -> frozenset[str]:
    """Third-person pronouns that can carry a family scope to their sentence ("Mor fikk
    brystkreft. Hun ble senere operert for tarmkreft."): ``pronouns`` of the rule files."""
    from ..text.fold import fold
    from .resources import layers

    out: set[str] = set()
    for layer in layers(lang):
        path = lexicon_dir() / layer / "context_rules.json"
        if not path.exists():
            continue
        words = json.loads(path.read_text(encoding="utf-8")).get("pronouns", [])
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise data_error("RC518", path=path)
        out.update(fold(w) for w in words)
    return frozenset(out)


def literal_key(literal: str, lang: str = "nb") -> str:
    """The words a literal matches: folded, nothing else (triggers are matched exactly)."""
    from ..text.fold import fold

    return " ".join(fold(w) for w in literal.split())


_ENDS = 0  # trie node key: payloads of the literals that end here
_MORE = 1  # trie node key: (remaining elements, payload) of literals with a prefix or number further on


class TriggerMatcher:
    """Exact-word matching of trigger literals: a word trie, one dict lookup per token.

    A literal is split like the text; each word matches a token whose folded form equals
    it, ``word*`` a folded token beginning with ``word``, ``#num`` a number. Literals are
    stored in a trie below their first word, so a token that begins many literals ("ikke",
    "i") costs one lookup per following word, not one comparison per literal.
    """

    def __init__(self, tokenize):
        from ..text.fold import NUMBER, fold

        self._fold = fold
        self._number = NUMBER
        self._cache: dict[str, tuple[str, list]] = {}
        self._first: dict[str, dict] = {}  # first word → trie node
        self._prefixed: dict[str, list] = {}  # first word a prefix: its first three letters → [(prefix, node)]
        self._numbered: dict | None = None  # first word "#num": its node
        self._tokenize = tokenize

    def add(self, literal: str, payload) -> None:
        elems = []
        for word in literal.split():
            if word == "#num":
                elems.append(("n", ""))
            elif word.endswith("*") and len(word) > 1:
                elems.append(("p", self._fold(word[:-1])))
            elif word.isalnum():
                elems.append(("k", self._fold(word)))
            else:
                elems += [("k", self._fold(t)) for t in self._tokenize(word)]
        if not elems:
            return
        self._cache.clear()
        kind, value = elems[0]
        if kind == "k":
            node = self._first.setdefault(value, {})
        elif kind == "p":
            bucket = self._prefixed.setdefault(value[:3], [])
            node = next((nd for v, nd in bucket if v == value), None)
            if node is None:
                node = {}
                bucket.append((value, node))
        else:
            if self._numbered is None:
                self._numbered = {}
            node = self._numbered
        rest = elems[1:]
        while rest and rest[0][0] == "k":
            node = node.setdefault(rest[0][1], {})
            rest = rest[1:]
        if rest:
            node.setdefault(_MORE, []).append((tuple(rest), payload))
        else:
            node.setdefault(_ENDS, []).append(payload)

    def _ok(self, kind: str, value: str, word: str, folded: str) -> bool:
        if kind == "k":
            return folded == value
        if kind == "p":
            return folded.startswith(value)
        return bool(self._number.match(word))

    def _start(self, word: str) -> tuple[str, list]:
        """A word's folded form and the trie nodes of the literals it can begin (cached per word)."""
        f = self._fold(word)
        starts = []
        node = self._first.get(f)
        if node is not None:
            starts.append(node)
        for value, nd in self._prefixed.get(f[:3], ()):
            if f.startswith(value):
                starts.append(nd)
        if self._numbered is not None and f[:1].isdigit() and self._number.match(word):
            starts.append(self._numbered)
        if len(self._cache) >= CACHE_WORDS:  # bounded: an audit of millions sees new words forever
            self._cache.clear()
        hit = self._cache[word] = (f, starts)
        return hit

    def match(self, words: list[str]) -> list[tuple[int, int, object]]:
        """Every literal match as (start, end, payload), end exclusive, by start."""
        start, ok = self._start, self._ok
        seen = list(map(self._cache.get, words))
        if None in seen:  # words not seen before
            get = self._cache.get
            seen = [h if h is not None else (get(w) or start(w)) for h, w in zip(seen, words)]
        out = []
        n = len(words)
        for i, (_, starts) in enumerate(seen):
            if not starts:
                continue
            for node in starts:
                j = i + 1
                while True:
                    ends = node.get(_ENDS)
                    if ends:
                        out.extend((i, j, p) for p in ends)
                    more = node.get(_MORE)
                    if more:
                        for rest, payload in more:
                            end = j + len(rest)
                            if end <= n and all(ok(k, v, words[t], seen[t][0])
                                                for (k, v), t in zip(rest, range(j, end))):
                                out.append((i, end, payload))
                    if j >= n:
                        break
                    node = node.get(seen[j][0])
                    if node is None:
                        break
                    j += 1
        return out
