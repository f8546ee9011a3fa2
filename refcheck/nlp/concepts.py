"""Composed concepts: an anchor word plus required context words within a window.

A phrase list cannot enumerate how people describe saddle numbness or a weak sphincter
("kjennes numment når hun tørker seg", "analsfinktertonus redusert", "slapp sfinkter").
A concept composes them instead, after EDS-NLP's contextual matcher: an *anchor* group,
one or more *required* groups that must each match within ``window`` tokens of the
anchor (either side, same sentence, any order), and optional *exclude* groups that veto
the match. Groups are named word lists shared by the concepts of a language
(``lexicons/<lang>/concepts.json``)::

    {"groups": {"NUMB": ["nummen*", "følelsesløs*"], "SADDLE": ["sete*", "skritt*", "anus"]},
     "concepts": [{"id": "nb.concept.saddle_numbness", "category": "red_flag",
                   "code": "cauda_equina", "anchor": "NUMB", "require": ["SADDLE"],
                   "window": 8, "source": "001 §6.1 OBS"}]}

A group member is one or more words; each word is

- ``word``: the same key as the lexicon's (folded, abbreviations expanded, stemmed);
- ``pre*``: a folded token beginning with ``pre``;
- ``*part*``: a folded token containing ``part`` (compounds: ``*sfinkter*`` in
  "analsfinktertonus");
- ``*end``: a folded token ending with ``end``;
- ``=word``: a token that is ``word`` lowercased, accents kept (Nynorsk "=òg", also,
  which folds to the conjunction "og").

The words of a multi-word member may have up to ``GAP`` tokens between them ("kjenner han
ikke"). A required group may be met by the anchor token itself when a compound holds both
("analsfinktertonus": anchor ``*sfinkter*``, required ``*tonus*``). The mention spans
every matched token, so ConText reads it from its first token as it reads a lexicon term.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..errors import data_error
from ..text.fold import CACHE_WORDS

CONCEPT_KEYS = {"id", "category", "code", "anchor", "require", "exclude", "window", "source", "note", "gap"}
DEFAULT_WINDOW = 6
#: Most tokens allowed between the words of a multi-word group member.
GAP = 2


@dataclass(frozen=True)
class Concept:
    """One composed concept (see the module docstring)."""

    id: str
    category: str
    code: str
    anchor: str
    require: tuple[str, ...]
    exclude: tuple[str, ...]
    window: int
    source: str
    #: most tokens between the words of an anchor member ("ingen følelse" with gap 0: not
    #: "Ingen nedsatt følelse", whose negator denies a reduced sensation)
    gap: int = GAP


def _atom(word: str, key) -> tuple[str, str]:
    """(kind, value) of one pattern word: k = key, p = prefix, i = infix, s = suffix, e = exact."""
    if len(word) > 1 and word.startswith("="):
        return "e", word[1:].lower()
    if len(word) > 2 and word.startswith("*") and word.endswith("*"):
        return "i", _fold(word[1:-1])
    if len(word) > 1 and word.startswith("*"):
        return "s", _fold(word[1:])
    if len(word) > 1 and word.endswith("*"):
        return "p", _fold(word[:-1])
    return "k", key(word)


def _fold(word: str) -> str:
    from ..text.fold import fold
    return fold(word)


class ConceptMatcher:
    """Match composed concepts over a token sequence.

    Args:
        concepts: the concepts, in file order (earlier ones win ties).
        groups: group name → list of member patterns (each one or more words).
        key: the lexicon's key function of one word (fold + abbreviations + stem).
    """

    def __init__(self, concepts: list[Concept], groups: dict[str, list[str]], key):
        self.concepts = concepts
        self._key = key
        atoms: dict[tuple[str, str], int] = {}
        self.groups: dict[str, list[tuple[int, ...]]] = {}
        for name, members in groups.items():
            pats = []
            for member in members:
                ids = []
                for word in member.split():
                    a = _atom(word, key)
                    ids.append(atoms.setdefault(a, len(atoms)))
                if ids:
                    pats.append(tuple(ids))
            self.groups[name] = pats
        for c in concepts:
            for g in (c.anchor, *c.require, *c.exclude):
                if g not in self.groups:
                    raise data_error("RC511", id=c.id, group=g)
        self._by_key: dict[str, list[int]] = {}
        self._exact: dict[str, list[int]] = {}
        prefixes, infixes, suffixes = [], [], []
        for (kind, value), i in atoms.items():
            if kind == "k":
                self._by_key.setdefault(value, []).append(i)
            elif kind == "e":
                self._exact.setdefault(value, []).append(i)
            elif kind == "p":
                prefixes.append((value, i))
            elif kind == "i":
                infixes.append((value, i))
            else:
                suffixes.append((value, i))
        self._prefixes = prefixes
        self._infixes = infixes
        self._suffixes = suffixes
        # One regex pre-check for the substring atoms: most tokens hold none.
        subs = [re.escape(v) for v, _ in prefixes + infixes + suffixes if v]
        self._any_sub = re.compile("|".join(sorted(set(subs), key=len, reverse=True))) if subs else None
        self._cache: dict[str, frozenset[int]] = {}
        self._anchor_atoms = {c.anchor: {p[0] for p in self.groups[c.anchor]} for c in concepts}
        # A concept can match only if its anchor and every required group have a first atom in the text.
        self._needs = [(c, [frozenset(p[0] for p in self.groups[g]) for g in c.require])
                       for c in concepts]
        # anchor first atom → the concepts (by position) it can start
        self._by_anchor: dict[int, list[int]] = {}
        for k, c in enumerate(concepts):
            for atom in {p[0] for p in self.groups[c.anchor]}:
                self._by_anchor.setdefault(atom, []).append(k)
        # group → first atom → its members (in file order), so a text is looked up only for
        # the first atoms it holds
        self._by_first: dict[str, dict[int, list[tuple[int, ...]]]] = {}
        for name, pats in self.groups.items():
            index: dict[int, list[tuple[int, ...]]] = {}
            for pat in pats:
                index.setdefault(pat[0], []).append(pat)
            self._by_first[name] = index

    def atoms_of(self, word: str) -> frozenset[int]:
        """The atom ids one token text matches (cached)."""
        hit = self._cache.get(word)
        if hit is None:
            out = set(self._by_key.get(self._key(word), ()))
            if self._exact:
                out.update(self._exact.get(word.lower(), ()))
            folded = _fold(word)
            if self._any_sub is not None and self._any_sub.search(folded):
                out.update(i for v, i in self._prefixes if folded.startswith(v))
                out.update(i for v, i in self._infixes if v in folded)
                out.update(i for v, i in self._suffixes if folded.endswith(v))
            if len(self._cache) >= CACHE_WORDS:  # bounded over a long audit
                self._cache.clear()
            hit = self._cache[word] = frozenset(out)
        return hit

    @staticmethod
    def positions(atoms: list[frozenset[int]]) -> dict[int, list[int]]:
        """atom id → the token positions holding it (built once per text)."""
        pos: dict[int, list[int]] = {}
        for i, a in enumerate(atoms):
            if a:
                for atom in a:
                    if atom in pos:
                        pos[atom].append(i)
                    else:
                        pos[atom] = [i]
        return pos

    def hits(self, group: str, atoms: list[frozenset[int]], pos: dict[int, list[int]] | None = None,
             gap: int = GAP) -> list[tuple[int, int]]:
        """Where the members of ``group`` match: (first token, end token).

        The words of a member may have up to ``GAP`` other tokens between them, so word
        order with a subject in between still matches ("kjenner *han* ikke").
        """
        if pos is None:
            pos = self.positions(atoms)
        out = []
        n = len(atoms)
        index = self._by_first[group]
        firsts = index.keys() & pos.keys() if len(index) < len(pos) else pos.keys() & index.keys()
        for first in firsts:
            starts = pos[first]
            for pat in index[first]:
                if len(pat) == 1:
                    out.extend((i, i + 1) for i in starts)
                    continue
                self._extend(pat, starts, atoms, n, out, gap)
        out.sort()
        return out

    @staticmethod
    def _extend(pat: tuple[int, ...], starts: list[int], atoms, n: int, out: list, gap: int = GAP) -> None:
        """The hits of a several-word member that begins at each of ``starts``."""
        for i in starts:
            j = i + 1
            for atom in pat[1:]:
                k = None
                for t in range(j, min(n, j + gap + 1)):
                    if atom in atoms[t]:
                        k = t
                        break
                if k is None:
                    break
                j = k + 1
            else:
                out.append((i, j))

    def match(self, words: list[str], sent_of: list[int], skip: dict[str, set[int]] | None = None
              ) -> list[tuple[int, int, Concept, frozenset]]:
        """Every concept match as (first token, end token, concept, its own tokens), by position:
        the own tokens are the anchor's and the required groups' (not the words between).

        ``skip``: code → tokens already read as that code (the lexicon's mentions); an anchor
        on one of them is not tried, since its match would hold a token read already."""
        atoms = list(map(self._cache.get, words))
        if None in atoms:  # words not seen before
            atoms = [a if a is not None else self.atoms_of(w) for a, w in zip(atoms, words)]
        pos = self.positions(atoms)
        if not pos:
            return []
        present = pos.keys()
        hits_cache: dict[tuple[str, int], list[tuple[int, int]]] = {}

        def hits(group: str, gap: int = GAP) -> list[tuple[int, int]]:
            h = hits_cache.get((group, gap))
            if h is None:
                h = hits_cache[(group, gap)] = self.hits(group, atoms, pos, gap)
            return h

        out = []
        n = len(words)
        candidates = sorted({k for atom in present if atom in self._by_anchor for k in self._by_anchor[atom]})
        for c, needs in (self._needs[k] for k in candidates):
            possible = True
            for firsts in needs:
                if firsts.isdisjoint(present):
                    possible = False
                    break
            if not possible:
                continue
            taken = skip.get(c.code) if skip else None
            for a, b in hits(c.anchor, c.gap):
                if taken and not taken.isdisjoint(range(a, b)):
                    continue
                sent = sent_of[a]
                lo, hi = max(0, a - c.window), min(n, b + c.window)
                while sent_of[lo] != sent:
                    lo += 1
                while hi > b and sent_of[hi - 1] != sent:
                    hi -= 1
                start, end = a, b
                parts = set(range(a, b))
                ok = True
                for g in c.require:
                    best, best_gap = None, 0
                    for s, e in hits(g):
                        # the nearest by the words between ("ikke lenger noe overskudd og orker …":
                        # "ikke lenger"); on a tie the one after the anchor ("verre ved aktivitet")
                        gap = a - e if e <= a else max(0, s - b)
                        if s >= lo and e <= hi and (best is None or gap < best_gap
                                                    or (gap == best_gap and s > best[0])):
                            best, best_gap = (s, e), gap
                    if best is None:
                        ok = False
                        break
                    # "klarer ikke": the widest hit holding the nearest one, not its last word.
                    for s, e in hits(g):
                        if s >= lo and e <= hi and s <= best[0] and e >= best[1]:
                            best = (min(s, best[0]), max(e, best[1]))
                    start, end = min(start, best[0]), max(end, best[1])
                    parts.update(range(best[0], best[1]))
                if not ok:
                    continue
                if any(s >= lo and e <= hi for g in c.exclude for s, e in hits(g)):
                    continue
                out.append((start, end, c, frozenset(parts)))
        # by start; among matches at one start the most compact first ("Tiltagende krumning
        # af ryggen, mor har skoliose": the progressing "krumning", not a span over "mor")
        out.sort(key=lambda x: (x[0], x[1]))
        return out


#: Concept-only codes: spans that change how other mentions read, not lexicon concepts.
MODIFIER_CODES = ("positional_relief", "minor_trauma")


def _allowed_codes() -> dict[str, tuple[str, ...]]:
    from .resources import CATEGORY_CODES

    return {**CATEGORY_CODES, "modifier": MODIFIER_CODES}


@lru_cache(maxsize=None)
def load_concepts(lang: str) -> tuple[tuple[Concept, ...], dict[str, list[str]]]:
    """The concepts and groups of ``lang`` (nynorsk adds to bokmål), strictly validated."""
    from .resources import layer_documents

    concepts: list[Concept] = []
    groups: dict[str, list[str]] = {}
    seen: set[str] = set()
    for path, data in layer_documents(lang, "concepts.json", "RC512"):
        for name, members in data.get("groups", {}).items():
            if not isinstance(members, list) or not all(isinstance(m, str) and m.strip() for m in members):
                raise data_error("RC512", path=path, problem=f"group {name!r} must be a list of non-empty strings")
            groups[name] = groups.get(name, []) + members
        for row in data.get("concepts", []):
            unknown = set(row) - CONCEPT_KEYS
            if unknown:
                raise data_error("RC512", path=path, problem=f"concept {row.get('id')!r} has unknown keys {sorted(unknown)}")
            if not row.get("id") or row["id"] in seen:
                raise data_error("RC512", path=path, problem=f"missing or duplicate concept id {row.get('id')!r}")
            seen.add(row["id"])
            allowed = _allowed_codes().get(row.get("category"), ())
            if row.get("code") not in allowed:
                raise data_error("RC516", id=row["id"], category=row.get("category"), code=row.get("code"),
                                 allowed={k: list(v) for k, v in _allowed_codes().items()})
            concepts.append(Concept(row["id"], row["category"], row["code"], row["anchor"],
                                    tuple(row.get("require", ())), tuple(row.get("exclude", ())),
                                    int(row.get("window", DEFAULT_WINDOW)), row.get("source", ""),
                                    int(row.get("gap", GAP))))
    return tuple(concepts), groups
