"""Lexicon matching: :class:`TermMatcher` (a token trie) and the ``refcheck_lexicon`` component.

The entries are loaded by :mod:`refcheck.nlp.resources`. A lexicon entry is one concept with a stable id, a code, its terms and its source::

    {"id": "nb.red_flag.night_pain", "code": "night_rest_pain",
     "terms": ["nattesmert*", "smerter om natten"], "source": "001 §6.1"}

Terms are matched on *keys*, not on raw text: a token's key is its lower-cased form with
``ae/oe/aa`` folded to ``æ/ø/å`` and accents dropped, clinicians' abbreviations expanded
(``hø.`` → ``høyre``), then stemmed by a small suffix stripper. The same function makes
the keys of lexicon terms, so "smerte" matches "smertene" and "Smerter". A term word
ending in ``*`` matches any token whose folded form begins with it (compounds:
``nattesmert*``), and ``#num`` matches a number.

Matching walks a token trie from every start position; it is linear in the number of
tokens, and per-token work is cached per vocabulary entry.
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from ..text.fold import CACHE_WORDS, NUMBER, fold, stem
from .concepts import ConceptMatcher, load_concepts
from .mentions import Mention
from .resources import abbreviations_for, entries
from .extensions import state

# --- matching ------------------------------------------------------------------------

# Trie nodes map a word key (a str) to the next node; these non-str keys hold the rest.
_END = 0  # payload indices of the terms ending here
_NUMBER = 1  # the node after a "#num" element
_PREFIXES = 2  # "word*" elements: first three letters → prefix → node


class TermMatcher:
    """Match lexicon terms (and context/section literals) against a token sequence.

    Args:
        lang: language whose stemmer and abbreviations make the keys.
        tokenize: a function splitting a term into words the way the pipeline's
            tokenizer splits text (so "L5/S1" or "us." key the same on both sides).
    """

    def __init__(self, lang: str, tokenize):
        self.lang = lang
        self._tokenize = tokenize
        self._abbr = abbreviations_for(lang)
        self._root: dict = {}
        self._cache: dict[str, tuple[str, str, bool]] = {}
        self.payloads: list[object] = []
        self._complex: set[int] | None = None
        self._begins: dict = {}  # token text → how a match starts there (see _begin)

    def features(self, text: str) -> tuple[str, str, bool]:
        """(key, folded form, is-number) of one token text; cached."""
        hit = self._cache.get(text)
        if hit is None:
            folded = fold(text)
            expanded = self._abbr.get(folded)
            if expanded:
                folded = fold(expanded)
            key = stem(folded, self.lang)
            hit = (key, folded, bool(NUMBER.match(text)))
            if len(self._cache) >= CACHE_WORDS:  # bounded over a long audit
                self._cache.clear()
            self._cache[text] = hit
        return hit

    def _compile(self, term: str) -> list[tuple[str, str]]:
        elems: list[tuple[str, str]] = []
        for word in term.split():
            if word == "#num":
                elems.append(("n", ""))
            elif word.endswith("*") and len(word) > 1:
                elems.append(("p", fold(word[:-1])))
            elif word.isalnum():
                elems.append(("k", self.features(word)[0]))  # nothing for the tokenizer to split
            else:
                for tok in self._tokenize(word):
                    elems.append(("k", self.features(tok)[0]))
        return elems

    def add(self, term: str, payload: object) -> None:
        """Register ``term``; a match returns ``payload``."""
        elems = self._compile(term)
        if not elems:
            return
        node = self._root
        for kind, value in elems:
            if kind == "k":
                node = node.setdefault(value, {})
            elif kind == "n":
                node = node.setdefault(_NUMBER, {})
            else:
                bucket = node.setdefault(_PREFIXES, {}).setdefault(value[:3], {})
                node = bucket.setdefault(value, {})
        node.setdefault(_END, []).append(len(self.payloads))
        self.payloads.append(payload)
        self._complex = None
        self._begins.clear()

    def _complex_nodes(self) -> set[int]:
        """ids of the trie nodes with "#num" or "word*" children (walked the general way)."""
        if self._complex is None:
            out, stack = set(), [self._root]
            while stack:
                node = stack.pop()
                if _PREFIXES in node or _NUMBER in node:
                    out.add(id(node))
                for key, child in node.items():
                    if key == _PREFIXES:
                        stack.extend(c for bucket in child.values() for c in bucket.values())
                    elif key != _END:
                        stack.append(child)
            self._complex = out
        return self._complex

    def match(self, words: list[str]) -> list[tuple[int, int, object]]:
        """All matches in ``words`` as (start, end, payload), end exclusive.

        Matches are listed by start, then by end, then in the order the terms were added.
        """
        feats = list(map(self._cache.get, words))
        if None in feats:  # words not seen before
            feats = [f if f is not None else self.features(w) for f, w in zip(feats, words)]
        begins = list(map(self._begins.get, words))
        if None in begins:
            begins = [b if b is not None else self._begin(w) for b, w in zip(begins, words)]
        out: list[tuple[int, int, object]] = []
        n = len(feats)
        payloads = self.payloads
        complex_nodes = self._complex_nodes()
        for i, node in enumerate(begins):
            if node is False:
                continue  # nothing can start here
            if node is True:
                self._walk(feats, i, out)
                continue
            # Fast path: a chain of plain word keys (most terms).
            j = i + 1
            while True:
                ends = node.get(_END)
                if ends:
                    for idx in ends:
                        out.append((i, j, payloads[idx]))
                if id(node) in complex_nodes:
                    # "#num" or "word*" below: continue this start the general way.
                    self._walk(feats, i, out, [node], j)
                    break
                if j >= n:
                    break
                node = node.get(feats[j][0])
                if node is None:
                    break
                j += 1
        return out

    def _begin(self, word: str):
        """How a match can start at a token ``word`` (cached per word): False when none can,
        True when only the general walk knows (a number or a ``word*`` prefix at the root),
        else the root's child for the word's key (the plain fast path)."""
        key, folded, is_num = self.features(word)
        root = self._root
        bucket = root.get(_PREFIXES, {}).get(folded[:3])
        if (is_num and _NUMBER in root) or (bucket and any(folded.startswith(p) for p in bucket)):
            hit = True
        else:
            hit = root.get(key, False)
        if len(self._begins) >= CACHE_WORDS:
            self._begins.clear()
        self._begins[word] = hit
        return hit

    def _walk(self, feats, i: int, out: list, frontier: list | None = None, j: int | None = None) -> None:
        """The general walk from start ``i``: several nodes may be live at once.

        Without ``frontier``, starts at the root at token ``i``; otherwise continues from
        the given nodes (already matched up to token ``j``; their own ends are emitted).
        """
        n = len(feats)
        payloads = self.payloads
        if frontier is None:
            frontier, j = [self._root], i
        while j < n:
            key, folded, is_num = feats[j]
            nxt = []
            for node in frontier:
                child = node.get(key)
                if child is not None:
                    nxt.append(child)
                if is_num:
                    child = node.get(_NUMBER)
                    if child is not None:
                        nxt.append(child)
                pref = node.get(_PREFIXES)
                if pref:
                    bucket = pref.get(folded[:3])
                    if bucket:
                        for p, child in bucket.items():
                            if folded.startswith(p):
                                nxt.append(child)
            if not nxt:
                break
            j += 1
            for node in nxt:
                ends = node.get(_END)
                if ends:
                    for idx in ends:
                        out.append((i, j, payloads[idx]))
            frontier = nxt


class LexiconComponent:
    """Match the language's lexicons; results go to ``Doc._.mentions`` and ``Doc._.cues``."""

    def __init__(self, nlp: Language, name: str, lang: str):
        self.lang = lang
        tokenizer = nlp.tokenizer
        self.matcher = TermMatcher(lang, lambda s: [t.text for t in tokenizer(s)])
        found = entries(lang)
        for entry in found:
            for term in entry.terms:
                self.matcher.add(term, entry)
        self.size = len(found)
        concepts, groups = load_concepts(lang)
        self.key = lambda word: self.matcher.features(word)[0]
        self.concepts = ConceptMatcher(list(concepts), groups, self.key)

    def __call__(self, doc: Doc) -> Doc:
        info = state(doc).tokens
        starts, ends, sent_of, section_of = info.starts, info.ends, info.sent_of, info.section_of
        mentions: list[Mention] = []
        cues: list[Mention] = []
        covered: dict[str, int] = {}
        # Matches come by start: per start, keep the longest match of each category (the
        # first one added among equals), then drop those inside a longer match of the same
        # category that began earlier.
        group_start = -1
        group: dict[str, list] = {}

        def flush() -> None:
            entries = sorted(group.items(), key=lambda kv: -kv[1][0]) if len(group) > 1 else group.items()
            for category, (end, entry) in entries:
                if covered.get(category, -1) > group_start:
                    continue
                covered[category] = end
                m = Mention(category, entry.code, entry.id, starts[group_start], ends[end - 1], group_start, end,
                            sent_of[group_start], section_of[group_start])
                (cues if category == "question_cue" else mentions).append(m)

        for start, end, entry in self.matcher.match(info.words):
            if start != group_start:
                if group:
                    flush()
                    group = {}
                group_start = start
            best = group.get(entry.category)
            if best is None:
                group[entry.category] = [end, entry]
            elif best[0] < end:
                best[0], best[1] = end, entry
        if group:
            flush()
        mentions = self._with_concepts(info, mentions)
        state(doc).mentions = mentions
        state(doc).cues = cues
        return doc

    def _with_concepts(self, info, mentions: list[Mention]) -> list[Mention]:
        """The lexicon mentions plus the composed concepts (concepts.py) that no lexicon
        mention of the same code already covers. A concept that begins with its own words
        before a same-code lexicon term and holds it is the fuller reading and replaces the
        term ("Ingen følelse i ridebukseområdet": the concept owns "Ingen"; the term
        "ridebukse*" alone read as negated)."""
        out = self._concept_mentions(info, mentions)
        if not out:
            return mentions
        dropped: set[int] = set()
        for c in out:
            if c.parts and c.tok_start in c.parts:
                dropped.update(id(m) for m in mentions if m.code == c.code and m is not c
                               and c.tok_start < m.tok_start and m.tok_end <= c.tok_end)
        kept = [m for m in mentions if id(m) not in dropped] if dropped else mentions
        return kept + out

    def _concept_mentions(self, info, mentions: list[Mention]) -> list[Mention]:
        """Composed concepts (concepts.py) that no lexicon mention of the same code already
        covers (unless the concept begins with its own words before that mention)."""
        out: list[Mention] = []
        taken: dict[str, set[int]] = {}  # code → the tokens its mentions cover
        for m in mentions:
            taken.setdefault(m.code, set()).update(range(m.tok_start, m.tok_end))
        for a, b, c, parts in self.concepts.match(info.words, info.sent_of, taken):
            covered = taken.setdefault(c.code, set())
            if a in covered or (a not in parts and any(t in covered for t in range(a, b))):
                continue
            covered.update(range(a, b))
            out.append(Mention(c.category, c.code, c.id, info.starts[a], info.ends[b - 1], a, b,
                               info.sent_of[a], info.section_of[a], parts=parts))
        return out


@Language.factory("refcheck_lexicon", default_config={"lang": "nb"})
def make_lexicon(nlp: Language, name: str, lang: str) -> LexiconComponent:
    return LexiconComponent(nlp, name, lang)
