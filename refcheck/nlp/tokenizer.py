"""refcheck's tokenizer: spaCy's rules plus clinicians' abbreviations, registered as
``refcheck.tokenizer.v1``; :class:`SpecialCaseTokenizer` applies the special cases
without defeating spaCy's chunk cache."""
from __future__ import annotations

import re
from bisect import bisect_right

import spacy
from spacy.attrs import IDX, LENGTH
from spacy.attrs import ORTH as ORTH_ATTR
from spacy.attrs import SPACY
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

from ..text import fastre
from .resources import abbreviations_for

_MERGE_ATTRS = [ORTH_ATTR, SPACY, IDX, LENGTH]


def tokenizer_parts(defaults, lang: str) -> tuple:
    """(suffix_search, infix_finditer, refcheck's own special cases) for ``lang``.

    Numbers directly followed by sentence punctuation ("CRP 45.") and slashes between
    words ("ve./hø.", "nakke/skulder", "feber-/vekttap-") are split; clinicians' abbreviations stay one token.
    """
    suffix_search = compile_suffix_regex(list(defaults.suffixes) + [r"(?<=[0-9])\.", r"(?<=[0-9])°"]).search
    infix_finditer = compile_infix_regex(
        list(defaults.infixes) + [r"(?<=[a-zA-ZæøåÆØÅ.\-])/(?=[a-zA-ZæøåÆØÅ])", r"(?<=[a-zA-ZæøåÆØÅ])[-+](?=/[a-zA-ZæøåÆØÅ])"]).finditer
    abbr = abbreviations_for(lang)
    own = [variant for form in abbr if form.endswith(".") or "/" in form or "-" in form
           for variant in sorted({form, form.capitalize(), form.upper()})]
    return suffix_search, infix_finditer, own


#: SI unit symbols that spaCy's Danish exceptions keep together with a full stop ("kg.",
#: "cm."). A unit symbol takes no abbreviation point, so "Har tabt 6 kg." ends a sentence
#: with a unit: kept as one token, "kg." hid the unit from every quantity pattern.
UNIT_SYMBOLS = frozenset({"kg.", "cm.", "mm.", "km.", "dl.", "ml.", "mg."})


def _not_unit(chunk: str) -> bool:
    return chunk.lower() not in UNIT_SYMBOLS


@spacy.registry.tokenizers("refcheck.tokenizer.v1")
def create_tokenizer(lang: str = "nb"):
    """spaCy's registered tokenizer factory for refcheck's pipelines (see ``build``).

    Builds the :class:`SpecialCaseTokenizer` straight from the language defaults, without
    first building spaCy's default tokenizer (saves about 0.15 s of start-up per language).
    """

    def make(nlp: Language) -> SpecialCaseTokenizer:
        defaults = nlp.Defaults
        suffix_search, infix_finditer, own = tokenizer_parts(defaults, lang)
        rules = {chunk: tuple(sub.get(ORTH_ATTR, sub.get("ORTH")) for sub in substrings)
                 for chunk, substrings in (defaults.tokenizer_exceptions or {}).items() if _not_unit(chunk)}
        rules.update({variant: (variant,) for variant in own})
        prefix_search = compile_prefix_regex(defaults.prefixes).search if defaults.prefixes else None
        return SpecialCaseTokenizer(nlp.vocab, rules, prefix_search=prefix_search, suffix_search=suffix_search,
                                    infix_finditer=infix_finditer, token_match=defaults.token_match,
                                    url_match=defaults.url_match)

    return make


def customise_tokenizer(nlp: Language, lang: str) -> None:
    """Give a blank ``nlp`` spaCy's own ``Tokenizer`` with refcheck's rules.

    The reference the tests compare :class:`SpecialCaseTokenizer` with: same tokens,
    spaCy's way of applying special cases.
    """
    suffix_search, infix_finditer, own = tokenizer_parts(nlp.Defaults, lang)
    tokenizer = nlp.tokenizer
    tokenizer.rules = {chunk: subs for chunk, subs in tokenizer.rules.items() if _not_unit(chunk)}
    tokenizer.suffix_search = suffix_search
    tokenizer.infix_finditer = infix_finditer
    for variant in own:
        tokenizer.add_special_case(variant, [{"ORTH": variant}])


def split_each(tokenizer, chunks: list[str]) -> dict[str, tuple[str, ...]]:
    """Each chunk's tokens, tokenising the chunks without white space in one call."""
    out = {c: tuple(t.text for t in tokenizer(c)) for c in chunks if not c or any(ch.isspace() for ch in c)}
    plain = [c for c in chunks if c not in out]
    starts, pos = [], 0
    for c in plain:
        starts.append(pos)
        pos += len(c) + 1
    groups: list[list[str]] = [[] for _ in plain]
    for t in tokenizer(" ".join(plain)):
        if not t.is_space:
            groups[bisect_right(starts, t.idx) - 1].append(t.text)
    out.update({c: tuple(g) for c, g in zip(plain, groups)})
    return out


#: Chunks without whitespace longer than this are cut before spaCy sees them.
LONG_CHUNK = 200
_LONG_CHUNK = re.compile(r"[^\s]{%d,}" % LONG_CHUNK)
_PIECE = re.compile(r"\w{1,50}|[^\w\s]")


class SpecialCaseTokenizer:
    """spaCy's tokenizer, with its special cases applied without defeating its cache.

    spaCy's ``Tokenizer`` applies special cases in two ways: whole whitespace-delimited
    chunks are looked up directly, and special cases that contain affix characters
    ("pas.", "f.eks.", "ve./hø.") are found by a PhraseMatcher over the affix-split tokens.
    Once any special case is met in a text (the defaults include the whitespace chunks
    "\\n" and " "), spaCy stops caching chunk tokenisations for the rest of that text
    (spaCy issue #1250), so almost every chunk of a multi-line referral is split with the
    affix regexes again. Measured on the generated benchmark batch: 0.18 ms per referral
    with special cases, 0.02 ms without.

    This wrapper runs the same tokenizer (same prefix, suffix and infix rules) without
    special cases, so the chunk cache works. Special cases that are one token ("pas.",
    "f.eks.") become a ``token_match`` (which stops affix splitting, as a special case
    does); the few that are several tokens ("°C." → "°", "C", ".") are merged back from
    the affix-split pieces after tokenising. The tokens are the same as the original
    tokenizer's (``tests/test_pipeline.py`` compares them on every sample).
    """

    def __init__(self, vocab, rules: dict[str, tuple[str, ...]], *, prefix_search, suffix_search, infix_finditer,
                 token_match=None, url_match=None):
        """``rules``: special case → its tokens (as spaCy's ``Tokenizer.rules``, ORTH only)."""
        from spacy.tokenizer import Tokenizer

        self.vocab = vocab

        def make(match):
            return Tokenizer(vocab, rules={}, prefix_search=prefix_search, suffix_search=suffix_search,
                             infix_finditer=infix_finditer, token_match=match, url_match=url_match)

        plain = make(token_match)
        plain_split = split_each(plain, list(rules))
        whole = [chunk for chunk, pieces in rules.items() if len(pieces) == 1 and plain_split[chunk] != pieces]
        own_match = re.compile(fastre.trie_alternation(whole)).fullmatch if whole else None
        other = token_match
        combined = own_match if other is None else (lambda s: own_match(s) or other(s))
        self.inner = make(combined) if own_match else plain
        strings = self.vocab.strings
        # Special cases the token_match cannot keep whole: several tokens ("°C."), or one
        # whose pieces come apart by an infix ("hø./ve." → "hø.", "/", "ve", "."). spaCy
        # finds these by their affix-split pieces anywhere in the text, and so does this
        # merge trie over orth ids (the value under the key None: the special's tokens).
        self.trie: dict = {}
        pairs: set[tuple[int, int]] = set()
        singles: set[int] = set()
        # A one-token special case is whole under the token_match; only special cases of
        # several tokens need the new tokenizer's split.
        multi = [chunk for chunk, pieces in rules.items() if len(pieces) > 1]
        inner_split = split_each(self.inner, multi) if own_match else {c: plain_split[c] for c in multi}
        for chunk, pieces in rules.items():
            for split in {inner_split.get(chunk, (chunk,)), plain_split[chunk]}:
                if split == pieces or not split:
                    continue
                key = [strings.add(word) for word in split]
                node = self.trie
                for orth in key:
                    node = node.setdefault(orth, {})
                node[None] = pieces
                if len(key) > 1:
                    pairs.add((key[0], key[1]))
                else:
                    singles.add(key[0])
        # A text needs the merge pass only when a key's first two pieces follow each other
        # (or a one-piece key occurs).
        self._pairs = frozenset(pairs)
        self._singles = frozenset(singles)

    def __call__(self, text: str) -> Doc:
        if _LONG_CHUNK.search(text):
            return self._with_long_chunks(text)
        return self._call(text)

    def _with_long_chunks(self, text: str) -> Doc:
        """A text with a chunk of over ``LONG_CHUNK`` characters without whitespace (a run
        of brackets, a pasted string): spaCy's suffix search is quadratic in the length of
        a chunk, so such a chunk is cut into words of at most 50 letters and single marks;
        the rest of the text is tokenised as usual. Linear in the text."""
        words: list[str] = []
        spaces: list[bool] = []
        pos = 0
        for m in _LONG_CHUNK.finditer(text):
            if m.start() > pos:
                part = self._call(text[pos:m.start()])
                words += [t.text for t in part]
                spaces += [bool(t.whitespace_) for t in part]
            pieces = _PIECE.findall(m.group())
            words += pieces
            spaces += [False] * len(pieces)
            pos = m.end()
            if pos < len(text) and text[pos] == " ":
                spaces[-1] = True
                pos += 1
        if pos < len(text):
            part = self._call(text[pos:])
            words += [t.text for t in part]
            spaces += [bool(t.whitespace_) for t in part]
        return Doc(self.vocab, words=words, spaces=spaces)

    def _call(self, text: str) -> Doc:
        doc = self.inner(text)
        if not self.trie or not len(doc):
            return doc
        orths = doc.to_array(ORTH_ATTR).tolist()
        if self._pairs.isdisjoint(zip(orths, orths[1:])) and self._singles.isdisjoint(orths):
            return doc
        arr = doc.to_array(_MERGE_ATTRS).tolist()  # orth, trailing space, idx, length
        trie = self.trie
        n = len(arr)
        words: list[str] | None = None
        spaces: list[bool] = []
        i = 0
        while i < n:
            node = trie.get(arr[i][0])
            hit = None
            if node is not None:
                j = i
                while True:
                    if None in node:
                        hit = (j + 1, node[None])  # longest match wins: keep walking
                    if j + 1 >= n or arr[j][1]:
                        break  # a special case never spans whitespace
                    node = node.get(arr[j + 1][0])
                    if node is None:
                        break
                    j += 1
            if hit is None:
                if words is not None:
                    _, space, idx, length = arr[i]
                    words.append(text[idx:idx + length])
                    spaces.append(bool(space))
                i += 1
                continue
            if words is None:
                words = [text[r[2]:r[2] + r[3]] for r in arr[:i]]
                spaces = [bool(r[1]) for r in arr[:i]]
            end, pieces = hit
            words.extend(pieces)
            spaces.extend([False] * (len(pieces) - 1) + [bool(arr[end - 1][1])])
            i = end
        if words is None:
            return doc
        return Doc(self.vocab, words=words, spaces=spaces)
