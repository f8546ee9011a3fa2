"""ConText: negated, hypothetical, family, historical and rule-out context of a target.

After ConText (Harkema et al. 2009) and medspaCy's rule shape, with per-language rule
files (``lexicons/<lang>/context_rules.json``). Each rule has a stable ``id``, a
``literal`` (lexicon term syntax; matched on *folded* words, never stemmed, so "verken"
is not "verk" and "utelukket" is not "utelukke"), a ``category`` and a ``direction``.

A modifier's scope runs from its trigger in its direction, inside the sentence, and
ends at

- a TERMINATE trigger ("men", "dog", ";") or a PSEUDO trigger ("ingen bedring");
- a trigger of a category listed in the rule's ``terminated_by`` (default per category,
  ``TERMINATED_BY``): a negation stops at history and affirmation words ("Ingen traume,
  tidligere brystkreft"; "Ingen feber, har gått ned 6 kg");
- ``max_scope`` tokens;
- for a forward negation, the first comma after which the text is no longer a list of
  bare terms: "Ingen feber, vekttap eller nattesmerter" negates all three, "Ikkje feber,
  vekttap 7 kg" only the fever (a quantity, an affirmation word or more than
  ``LIST_WORDS`` words make a new clause);
- for a backward scope, the nearest comma before the trigger (unless the rule says
  ``across_commas``).

A rule may ``require`` another category in the same sentence: "ved"/"om" are
hypothetical only in a sentence that gives advice ("Ved feber eller vannlatingsproblemer:
øyeblikkelig hjelp"; ADVICE triggers mark it), and ``at_sentence_start`` only as the
first word ("Om smertene blir verre om natten, vurderes MR" but not "smerter om natten").

The component sets ``Mention.modifiers`` and records the triggers that decided on
``Mention.context`` as (trigger text, category). :func:`refcheck.context.annotate`
exposes the same engine for any character spans of any text.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from spacy.language import Language

from ..errors import data_error
from ..paths import lexicon_dir

CATEGORIES = ("NEGATED_EXISTENCE", "HYPOTHETICAL", "FAMILY", "HISTORICAL", "RULE_OUT", "PSEUDO", "TERMINATE",
              "AFFIRMED", "ADVICE")
MODIFIERS = ("NEGATED_EXISTENCE", "HYPOTHETICAL", "FAMILY", "HISTORICAL", "RULE_OUT")
DIRECTIONS = ("FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE")
RULE_KEYS = {"id", "literal", "category", "direction", "max_scope", "pattern", "metadata", "terminated_by",
             "requires", "at_sentence_start", "across_commas"}
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
_COMMAS = frozenset({",", "–", "—"})
_DIGIT = re.compile(r"\d")


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
            rule = ContextRule(rid, row["literal"], row["category"], row["direction"], row.get("max_scope"), term_by,
                               row.get("requires"), bool(row.get("at_sentence_start")),
                               bool(row.get("across_commas")))
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


def literal_key(literal: str, lang: str = "nb") -> str:
    """The words a literal matches: folded, nothing else (triggers are matched exactly)."""
    from ..text.fold import fold

    return " ".join(fold(w) for w in literal.split())


class TriggerMatcher:
    """Exact-word matching of trigger literals: one dict lookup per token.

    A literal is split like the text; each word matches a token whose folded form equals
    it, ``word*`` a folded token beginning with ``word``, ``#num`` a number.
    """

    def __init__(self, tokenize):
        from ..text.fold import NUMBER, fold

        self._fold = fold
        self._number = NUMBER
        self._cache: dict[str, str] = {}
        self._first: dict[str, list] = {}
        self._prefixed: dict[str, list] = {}  # first word a prefix: its first three letters → literals
        self._numbered: list = []  # first word "#num"
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
        entry = (tuple(elems), payload)
        kind, value = elems[0]
        if kind == "k":
            self._first.setdefault(value, []).append(entry)
        elif kind == "p":
            self._prefixed.setdefault(value[:3], []).append(entry)
        else:
            self._numbered.append(entry)

    def _ok(self, kind: str, value: str, word: str, folded: str) -> bool:
        if kind == "k":
            return folded == value
        if kind == "p":
            return folded.startswith(value)
        return bool(self._number.match(word))

    def match(self, words: list[str]) -> list[tuple[int, int, object]]:
        cache, fold = self._cache, self._fold
        folded = [cache.get(w) or cache.setdefault(w, fold(w)) for w in words]
        out = []
        n = len(words)
        first, prefixed, numbered, ok = self._first, self._prefixed, self._numbered, self._ok
        for i, f in enumerate(folded):
            cands = first.get(f)
            pre = prefixed.get(f[:3])
            num = numbered if numbered and f[:1].isdigit() else None
            if pre or num:
                extra = [e for e in (pre or []) + (num or []) if ok(e[0][0][0], e[0][0][1], words[i], f)]
                if extra:
                    cands = (cands or []) + extra
            if not cands:
                continue
            for elems, payload in cands:
                end = i + len(elems)
                if end <= n and all(ok(k, v, words[j], folded[j]) for (k, v), j in zip(elems[1:], range(i + 1, end))):
                    out.append((i, end, payload))
        return out


class ContextEngine:
    """Find triggers in a token sequence and the context of any token span."""

    def __init__(self, lang: str, tokenize):
        self.lang = lang
        self.rules = load_context_rules(lang)
        self.matcher = TriggerMatcher(tokenize)
        for rule in self.rules:
            self.matcher.add(rule.literal, rule)

    def triggers(self, words: list[str]) -> list[tuple[int, int, ContextRule]]:
        """Non-overlapping triggers, longest first where they overlap."""
        found = self.matcher.match(words)
        found.sort(key=lambda x: (x[0], -(x[1] - x[0])))
        out = []
        last_end = -1
        for start, end, rule in found:
            if start < last_end:
                continue
            out.append((start, end, rule))
            last_end = end
        return out

    def scopes(self, words: list[str], sent_of: list[int], sent_bounds: dict, triggers: list,
               covered: list[bool] | None = None) -> list[tuple[int, int, int, int, ContextRule]]:
        """(scope start, scope end, trigger start, trigger end, rule) of every modifier.

        ``covered[i]`` tells whether token ``i`` is part of a lexicon mention (a bare list
        item); without it every word counts as bare.
        """
        stops: dict[int, str] = {}
        for s, e, r in triggers:
            if r.category in ("TERMINATE", "PSEUDO"):
                stops[s] = "TERMINATE"
            elif r.category not in stops.get(s, ""):
                stops[s] = r.category
        present: dict[int, set[str]] = {}
        for s, e, r in triggers:
            cats = present.setdefault(sent_of[s], set())
            cats.add(r.category)
            if r.category == "HYPOTHETICAL" and r.direction == "BIDIRECTIONAL":
                cats.add("ADVICE")  # "ta kontakt", "bedes henvende sig": advice verbs
        out = []
        for start, end, rule in triggers:
            if rule.category not in MODIFIERS:
                continue
            s_lo, s_hi = sent_bounds[sent_of[start]]
            if rule.requires and rule.requires not in present[sent_of[start]]:
                continue
            if rule.at_sentence_start and any(any(ch.isalnum() for ch in w) for w in words[s_lo:start]):
                continue
            if rule.direction in ("FORWARD", "BIDIRECTIONAL"):
                hi = s_hi if rule.max_scope is None else min(s_hi, end + rule.max_scope)
                for t in range(end, hi):
                    cat = stops.get(t)
                    if cat is not None and (cat == "TERMINATE" or cat in rule.terminated_by) and t > end:
                        hi = t
                        break
                    if cat == "TERMINATE" and t == end:
                        hi = t
                        break
                if rule.category == "NEGATED_EXISTENCE":
                    hi = self._list_end(words, end, hi, stops, covered)
                out.append((end, hi, start, end, rule))
            if rule.direction in ("BACKWARD", "BIDIRECTIONAL"):
                lo = s_lo if rule.max_scope is None else max(s_lo, start - rule.max_scope)
                for t in range(start - 1, lo - 1, -1):
                    cat = stops.get(t)
                    if (words[t] in _COMMAS and not rule.across_commas) or (cat is not None and (cat == "TERMINATE" or cat in rule.terminated_by)):
                        lo = t + 1
                        break
                out.append((lo, start, start, end, rule))
        return out

    @staticmethod
    def _list_end(words, begin: int, hi: int, stops: dict, covered) -> int:
        """End of a forward negation: the first comma that starts a new clause."""
        commas = [t for t in range(begin, hi) if words[t] in _COMMAS]
        if not commas:
            return hi
        bounds = commas + [hi]
        for k, comma in enumerate(commas):
            seg = range(comma + 1, bounds[k + 1])
            items = [t for t in seg if words[t] not in _COMMAS]
            alpha = [t for t in items if any(ch.isalpha() for ch in words[t])]
            listy = bool(items) and len(alpha) <= LIST_WORDS and not any(_DIGIT.search(words[t]) for t in items) \
                and not any(stops.get(t) in ("HISTORICAL", "AFFIRMED", "TERMINATE") for t in items)
            if listy and covered is not None:
                listy = any(covered[t] or words[t].lower() in COORDINATORS for t in items)
            if not listy:
                return comma
        return hi


def apply(scopes, words: list[str], tok_start: int, tok_end: int, composed: bool = False
          ) -> tuple[set[str], list[tuple[str, str]]]:
    """The modifiers of the token span [tok_start, tok_end) and the triggers that decided.

    ``composed``: the span is a composed concept, whose own words may include a negation
    ("klarer ikke holde på avføringen", "har ingen kontroll over blæren"): a trigger inside
    the span does not modify it.
    """
    mods: set[str] = set()
    why: list[tuple[str, str]] = []
    for lo, hi, t_start, t_end, rule in scopes:
        if composed and tok_start <= t_start < tok_end:
            continue
        inside = lo <= tok_start < hi
        # A target that begins inside a forward trigger ("ingen [tegn til infeksjon]").
        overlap = rule.direction != "BACKWARD" and t_start <= tok_start < t_end < tok_end
        if inside or overlap:
            mods.add(rule.category)
            why.append((" ".join(words[t_start:t_end]), rule.category))
    return mods, why


def covered_tokens(doc, n: int) -> list[bool]:
    covered = [False] * n
    for m in (doc._.mentions or []):
        for t in range(m.tok_start, min(m.tok_end, n)):
            covered[t] = True
    return covered


class ContextComponent:
    """The pipeline component: context of every mention and question cue."""

    def __init__(self, nlp, name: str, lang: str):
        self.engine = ContextEngine(lang, lambda s: [t.text for t in nlp.tokenizer(s)])

    def __call__(self, doc):
        doc._.context_engine = self.engine
        info = doc._.tokens
        triggers = self.engine.triggers(info.words)
        doc._.triggers = triggers
        mentions = (doc._.mentions or []) + (doc._.cues or [])
        if not mentions or not triggers:
            doc._.scopes = []
            return doc
        covered = covered_tokens(doc, len(info.words))
        scopes = self.engine.scopes(info.words, info.sent_of, info.sent_bounds, triggers, covered)
        doc._.scopes = scopes
        for m in mentions:
            mods, why = apply(scopes, info.words, m.tok_start, m.tok_end, ".concept." in m.entry_id)
            if mods:
                m.modifiers |= mods
                m.context = why
        return doc


@Language.factory("refcheck_context", default_config={"lang": "nb"})
def make_context(nlp: Language, name: str, lang: str) -> ContextComponent:
    return ContextComponent(nlp, name, lang)
