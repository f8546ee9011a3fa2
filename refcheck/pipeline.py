"""The spaCy pipeline: blank ``nb``/``da`` language classes plus refcheck's components.

    tokenizer (+ clinicians' abbreviations as special cases)
    → refcheck_sentences   sentence starts at line breaks and sentence punctuation
    → refcheck_sections    header-detected sections (Anamnese:, Klinisk us.:, Spm: …)
    → refcheck_lexicon     lexicon matches → Doc._.mentions / Doc._.cues
    → refcheck_context     ConText: negated / hypothetical / family / historical / rule-out

Nynorsk uses the ``nb`` language class with the nynorsk lexicons layered over the
bokmål ones. All factories are registered here; nothing is loaded at import time.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.attrs import IDX, LENGTH
from spacy.attrs import ORTH as ORTH_ATTR
from spacy.attrs import SPACY
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

from . import extensions, fastre
from .errors import DataError
from .lexicon import TermMatcher, abbreviations, load_entries
from .mentions import Mention
from .paths import lexicon_dir

extensions.register()

SPACY_LANG = {"nb": "nb", "nn": "nb", "da": "da"}
_MERGE_ATTRS = [ORTH_ATTR, SPACY, IDX, LENGTH]
CONTEXT_CATEGORIES = ("NEGATED_EXISTENCE", "HYPOTHETICAL", "FAMILY", "HISTORICAL", "RULE_OUT", "PSEUDO", "TERMINATE")
CONTEXT_DIRECTIONS = ("FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE")
CONTEXT_KEYS = {"literal", "category", "direction", "max_scope", "pattern", "metadata"}
SECTION_CATEGORIES = ("history", "clinical_findings", "tentative_diagnosis", "clinical_question", "exam_request", "other")


def _layers(lang: str) -> tuple[str, ...]:
    """Lexicon folders read for ``lang``: nynorsk builds on bokmål."""
    return ("nb", "nn") if lang == "nn" else (lang,)


def _read_json(lang: str, name: str, key: str) -> list[dict]:
    rows: list[dict] = []
    for layer in _layers(lang):
        path = lexicon_dir() / layer / name
        if path.exists():
            try:
                rows += json.loads(path.read_text(encoding="utf-8"))[key]
            except (json.JSONDecodeError, KeyError) as exc:
                raise DataError(f"[RC507] {path}: expected a JSON object with a '{key}' list ({exc})") from exc
    return rows


# --- tokenizer -----------------------------------------------------------------------

def _tokenizer_parts(defaults, lang: str) -> tuple:
    """(suffix_search, infix_finditer, refcheck's own special cases) for ``lang``.

    Numbers directly followed by sentence punctuation ("CRP 45.") and slashes between
    words ("ve./hø.", "nakke/skulder") are split; clinicians' abbreviations stay one token.
    """
    suffix_search = compile_suffix_regex(list(defaults.suffixes) + [r"(?<=[0-9])\.", r"(?<=[0-9])°"]).search
    infix_finditer = compile_infix_regex(
        list(defaults.infixes) + [r"(?<=[a-zA-ZæøåÆØÅ.])/(?=[a-zA-ZæøåÆØÅ])"]).finditer
    abbr: dict[str, str] = {}
    for layer in _layers(lang):
        abbr.update(abbreviations(layer))
    own = [variant for form in abbr if form.endswith(".") or "/" in form or "-" in form
           for variant in sorted({form, form.capitalize(), form.upper()})]
    return suffix_search, infix_finditer, own


@spacy.registry.tokenizers("refcheck.tokenizer.v1")
def create_tokenizer(lang: str = "nb"):
    """spaCy's registered tokenizer factory for refcheck's pipelines (see ``build``).

    Builds the :class:`SpecialCaseTokenizer` straight from the language defaults, without
    first building spaCy's default tokenizer (saves about 0.15 s of start-up per language).
    """

    def make(nlp: Language) -> SpecialCaseTokenizer:
        defaults = nlp.Defaults
        suffix_search, infix_finditer, own = _tokenizer_parts(defaults, lang)
        rules = {chunk: tuple(sub.get(ORTH_ATTR, sub.get("ORTH")) for sub in substrings)
                 for chunk, substrings in (defaults.tokenizer_exceptions or {}).items()}
        rules.update({variant: (variant,) for variant in own})
        prefix_search = compile_prefix_regex(defaults.prefixes).search if defaults.prefixes else None
        return SpecialCaseTokenizer(nlp.vocab, rules, prefix_search=prefix_search, suffix_search=suffix_search,
                                    infix_finditer=infix_finditer, token_match=defaults.token_match,
                                    url_match=defaults.url_match)

    return make


def _customise_tokenizer(nlp: Language, lang: str) -> None:
    """Give a blank ``nlp`` spaCy's own ``Tokenizer`` with refcheck's rules.

    The reference the tests compare :class:`SpecialCaseTokenizer` with: same tokens,
    spaCy's way of applying special cases.
    """
    suffix_search, infix_finditer, own = _tokenizer_parts(nlp.Defaults, lang)
    tokenizer = nlp.tokenizer
    tokenizer.suffix_search = suffix_search
    tokenizer.infix_finditer = infix_finditer
    for variant in own:
        tokenizer.add_special_case(variant, [{"ORTH": variant}])


def _split_each(tokenizer, chunks: list[str]) -> dict[str, tuple[str, ...]]:
    """Each chunk's tokens, tokenising the chunks without white space in one call."""
    from bisect import bisect_right

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
        plain_split = _split_each(plain, list(rules))
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
        inner_split = _split_each(self.inner, multi) if own_match else {c: plain_split[c] for c in multi}
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


@dataclass(frozen=True)
class ContextTrigger:
    category: str
    direction: str
    max_scope: int | None


@lru_cache(maxsize=None)
def load_context_rules(lang: str) -> tuple[dict, ...]:
    """The ConText rules of ``lang``, strictly validated (medspaCy's rule shape)."""
    rules = _read_json(lang, "context_rules.json", "context_rules")
    for rule in rules:
        unknown = set(rule) - CONTEXT_KEYS
        if unknown:
            raise DataError(f"[RC509] context rule {rule.get('literal')!r}: unknown keys {sorted(unknown)}; "
                            f"allowed: {sorted(CONTEXT_KEYS)}")
        if rule.get("category") not in CONTEXT_CATEGORIES or rule.get("direction") not in CONTEXT_DIRECTIONS:
            raise DataError(f"[RC510] context rule {rule.get('literal')!r}: category must be one of "
                            f"{CONTEXT_CATEGORIES} and direction one of {CONTEXT_DIRECTIONS}")
    return tuple(rules)


# --- components ----------------------------------------------------------------------

_SENT_END = {".", "?", "!"}
_BREAK = re.compile(r"[.!?\n]")


class TokenInfo:
    """Plain-Python views of a Doc's tokens, computed once per Doc.

    Components read these lists instead of iterating spaCy Token objects again and again
    (Token creation dominates the cost of Python loops over a Doc).
    """

    __slots__ = ("text", "words", "starts", "ends", "sent_of", "sent_bounds", "section_of")

    def __init__(self, doc: Doc):
        arr = doc.to_array([IDX, LENGTH])
        # Doc.text re-joins every token on each access: use the text the Doc was made
        # from when run() left it in user_data, else join once.
        text = self.text = doc.user_data.get("refcheck.text") or doc.text
        pairs = arr.tolist()
        self.starts = [a for a, _ in pairs]
        self.ends = [a + n for a, n in pairs]
        self.words = [text[a:b] for a, b in zip(self.starts, self.ends)]
        # spaCy makes every line break part of a whitespace token, so a sentence ends
        # after . ? ! or a token holding a line break.
        sent_of: list[int] = []
        bounds: dict[int, tuple[int, int]] = {}
        k = 0
        first = 0
        for i, w in enumerate(self.words):
            sent_of.append(k)
            if w in _SENT_END or "\n" in w:
                bounds[k] = (first, i + 1)
                k += 1
                first = i + 1
        if first < len(self.words):
            bounds[k] = (first, len(self.words))
        self.sent_of = sent_of
        self.sent_bounds = bounds
        self.section_of: list[str | None] = [None] * len(self.words)

    def sentences(self) -> list[tuple[int, int]]:
        """Character spans of the sentences."""
        return [(self.starts[a], self.ends[b - 1]) for a, b in self.sent_bounds.values()]


@Language.component("refcheck_sentences")
def sentences(doc: Doc) -> Doc:
    """Sentence starts after a line break and after . ? ! (in ``Doc._.tokens``).

    The sentences are kept in :class:`TokenInfo` rather than in ``Token.is_sent_start``:
    spaCy checks the whole Doc for parse annotation on every ``is_sent_start`` write,
    which made sentence marking the most expensive step of the pipeline.
    """
    info = TokenInfo(doc)
    doc._.tokens = info
    return doc


class SectionDetector:
    """Find section headers (medspaCy Sectionizer shape) and label every token's section."""

    def __init__(self, nlp: Language, name: str, lang: str):
        rules = _read_json(lang, "section_rules.json", "section_rules")
        by_literal: dict[str, str] = {}
        for rule in rules:
            if rule.get("category") not in SECTION_CATEGORIES:
                raise DataError(f"[RC508] section rule {rule!r}: category must be one of {SECTION_CATEGORIES}")
            lit = rule["literal"].lower()
            by_literal[lit] = rule["category"]
            # Texts typed without æøå write "Spoersmaal:", "Undersoekelse:".
            ascii_lit = lit.replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
            by_literal.setdefault(ascii_lit, rule["category"])
        self.by_literal = by_literal
        alts = fastre.trie_alternation(by_literal)
        # A header starts a line or follows a sentence end ('.', '!', '?', optionally one
        # whitespace), may be indented, and is followed by ':' / '-', or ends with '.'
        # itself (an abbreviation such as "Spm." or "Obj."), or ends the line. Only those
        # start positions are tried (found by a character scan), not every position.
        self.pattern = re.compile(
            rf"[ \t]*(?P<h>{alts})(?:[ \t]*[:\-](?!\d)|(?<=\.)(?=\s)|[ \t]*(?=\n|$))",
            re.IGNORECASE | re.MULTILINE)

    def starts(self, text: str) -> list[int]:
        """Positions where a header may begin: line starts and sentence ends."""
        out = [0]
        n = len(text)
        for m in _BREAK.finditer(text):
            i = m.start()
            out.append(i + 1)
            if text[i] != "\n" and i + 2 <= n and text[i + 1:i + 2].isspace():
                out.append(i + 2)
        return sorted(set(out))

    def headers(self, text: str) -> list[tuple[int, int, str]]:
        """(header start, body start, category) of every header, left to right."""
        heads = []
        last_end = 0
        match = self.pattern.match
        for pos in self.starts(text):
            if pos < last_end or pos > len(text):
                continue
            m = match(text, pos)
            if m is None:
                continue
            heads.append((m.start("h"), m.end(), self.by_literal[m.group("h").lower()]))
            last_end = m.end() if m.end() > pos else pos + 1
        return heads

    def __call__(self, doc: Doc) -> Doc:
        from .sections import Section

        text = doc._.tokens.text
        heads = self.headers(text)
        sections: list[Section] = []
        for i, (start, body_start, category) in enumerate(heads):
            end = heads[i + 1][0] if i + 1 < len(heads) else len(text)
            sections.append(Section(category, start, body_start, end))
        doc._.sections = sections
        if sections:
            info = doc._.tokens
            k = 0
            for i, start in enumerate(info.starts):
                while k < len(sections) and start >= sections[k].end:
                    k += 1
                if k < len(sections) and start >= sections[k].start:
                    info.section_of[i] = sections[k].category
        return doc


class LexiconComponent:
    """Match the language's lexicons; results go to ``Doc._.mentions`` and ``Doc._.cues``."""

    def __init__(self, nlp: Language, name: str, lang: str):
        self.lang = lang
        tokenizer = nlp.tokenizer
        self.matcher = TermMatcher(lang, lambda s: [t.text for t in tokenizer(s)])
        entries = []
        for layer in _layers(lang):
            entries += load_entries(layer)
        for entry in entries:
            for term in entry.terms:
                self.matcher.add(term, entry)
        self.size = len(entries)
        # ConText triggers are matched in the same pass (one walk over the tokens);
        # refcheck_context applies their scopes.
        for rule in load_context_rules(lang):
            self.matcher.add(rule["literal"], ContextTrigger(rule["category"], rule["direction"], rule.get("max_scope")))

    def __call__(self, doc: Doc) -> Doc:
        info = doc._.tokens
        starts, ends, sent_of, section_of = info.starts, info.ends, info.sent_of, info.section_of
        triggers = []
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
            if type(entry) is ContextTrigger:
                triggers.append((start, end, entry))
                continue
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
        doc._.mentions = mentions
        doc._.cues = cues
        doc._.triggers = triggers
        return doc


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


@Language.factory("refcheck_sections", default_config={"lang": "nb"})
def make_sections(nlp: Language, name: str, lang: str) -> SectionDetector:
    return SectionDetector(nlp, name, lang)


@Language.factory("refcheck_lexicon", default_config={"lang": "nb"})
def make_lexicon(nlp: Language, name: str, lang: str) -> LexiconComponent:
    return LexiconComponent(nlp, name, lang)


@Language.factory("refcheck_context", default_config={"lang": "nb"})
def make_context(nlp: Language, name: str, lang: str) -> ContextComponent:
    return ContextComponent(nlp, name, lang)


def run(nlp: Language, text: str) -> Doc:
    """Process ``text`` like ``nlp(text)``, keeping the text for the components."""
    doc = nlp.make_doc(text)
    doc.user_data["refcheck.text"] = text
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    return doc


@lru_cache(maxsize=None)
def build(lang: str) -> Language:
    """The pipeline for ``lang`` (nb, nn or da), built once per process."""
    if lang not in SPACY_LANG:
        raise ValueError(f"[RC001] unsupported language {lang!r}; expected nb, nn or da")
    nlp = spacy.blank(SPACY_LANG[lang],
                      config={"nlp": {"tokenizer": {"@tokenizers": "refcheck.tokenizer.v1", "lang": lang}}})
    nlp.add_pipe("refcheck_sentences")
    nlp.add_pipe("refcheck_sections", config={"lang": lang})
    nlp.add_pipe("refcheck_lexicon", config={"lang": lang})
    nlp.add_pipe("refcheck_context", config={"lang": lang})
    return nlp
