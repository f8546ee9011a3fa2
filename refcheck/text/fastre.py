"""Regular expressions with a first-character filter, for patterns run over whole referrals.

Python's ``re`` tries a pattern at every position of the text. When a pattern begins with a
lookbehind, a case-insensitive alternation or an optional group, it cannot skip ahead
cheaply, and each of refcheck's full-text patterns cost 10-60 microseconds per referral.
Prefixing the pattern with a lookahead over the characters a match can begin with,
``(?=[...])``, lets ``re`` scan for those characters first (measured: about 3x faster on
the benchmark batch for patterns such as "siste døgn|i går|i dag").

The character set is derived from the parsed pattern and is always a superset of the
characters a match can start with, so the filtered pattern finds exactly the same matches
(``tests/test_pipeline.py`` compares both on every sample). Where no useful set can be
derived (a pattern that can match the empty string, or starts with ``.`` or ``[^...]``),
the pattern is compiled unchanged.
"""
from __future__ import annotations

import re
from re import _parser as sre_parse  # the parser behind re.compile (Python >= 3.11)

try:  # characters that IGNORECASE folds together beyond lower()/upper() ("k" and KELVIN SIGN)
    from re._casefix import _EXTRA_CASES
except ImportError:  # pragma: no cover - older layouts
    _EXTRA_CASES = {}

_C = sre_parse  # opcodes are exposed on the parser module
_CATEGORIES = {_C.CATEGORY_DIGIT: r"\d", _C.CATEGORY_SPACE: r"\s", _C.CATEGORY_WORD: r"\w"}
_GLOBAL_FLAGS = re.compile(r"^\(\?[aiLmsux]+\)")
_REPEATS = {_C.MAX_REPEAT, _C.MIN_REPEAT, getattr(_C, "POSSESSIVE_REPEAT", _C.MAX_REPEAT)}
_ZERO_WIDTH = {_C.AT, _C.ASSERT, _C.ASSERT_NOT}

#: (pattern, flags, filtered) of every pattern compiled here, for the equivalence test.
COMPILED: list[tuple[str, int, re.Pattern]] = []


class _GiveUp(Exception):
    pass


# Characters outside Latin that IGNORECASE lower-cases into it (from _sre.unicode_tolower
# over every code point): KELVIN SIGN, ANGSTROM SIGN, CAPITAL SHARP S.
_FOLDS_INTO_LATIN = {"k": "\u212a", "å": "\u212b", "ß": "\u1e9e"}


def _chars(code: int, fold: bool) -> set[str]:
    ch = chr(code)
    if not fold:
        return {re.escape(ch)}
    if code >= 0x250:
        raise _GiveUp  # only Latin letters are folded here
    out = {ch, ch.lower(), ch.upper()}
    for c in list(out):
        if c.lower() in _FOLDS_INTO_LATIN:
            out.add(_FOLDS_INTO_LATIN[c.lower()])
    for c in list(out):
        out |= {chr(x) for x in _EXTRA_CASES.get(ord(c), ())}
    return {re.escape(c) for c in out}


def _first(seq, fold: bool) -> tuple[set[str], bool]:
    """(class atoms a match of ``seq`` can start with, whether ``seq`` can match empty)."""
    atoms: set[str] = set()
    for op, av in seq:
        nullable = False
        if op is _C.LITERAL:
            atoms |= _chars(av, fold)
        elif op is _C.IN:
            if av and av[0][0] is _C.NEGATE:
                raise _GiveUp
            for item_op, item in av:
                if item_op is _C.LITERAL:
                    atoms |= _chars(item, fold)
                elif item_op is _C.RANGE:
                    lo, hi = item
                    if fold and hi - lo > 300:
                        raise _GiveUp
                    if fold:
                        for code in range(lo, hi + 1):
                            atoms |= _chars(code, True)
                    else:
                        atoms.add(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}")
                elif item_op is _C.CATEGORY and item in _CATEGORIES:
                    atoms.add(_CATEGORIES[item])
                else:
                    raise _GiveUp
        elif op is _C.BRANCH:
            for branch in av[1]:
                sub, empty = _first(branch, fold)
                atoms |= sub
                nullable = nullable or empty
        elif op is _C.SUBPATTERN:
            _group, add_flags, del_flags, sub_seq = av
            # A scoped (?-i:...) only narrows what can match: keep folding for a superset.
            sub_fold = fold or bool(add_flags & re.IGNORECASE)
            sub, nullable = _first(sub_seq, sub_fold)
            atoms |= sub
        elif op in _REPEATS:
            lo, _hi, sub_seq = av
            sub, empty = _first(sub_seq, fold)
            atoms |= sub
            nullable = lo == 0 or empty
        elif op is getattr(_C, "ATOMIC_GROUP", None):
            sub, nullable = _first(av, fold)
            atoms |= sub
        elif op in _ZERO_WIDTH:
            nullable = True
        else:  # ANY, NOT_LITERAL, GROUPREF, ...: no useful set
            raise _GiveUp
        if not nullable:
            return atoms, False
    return atoms, True


def first_chars(pattern: str, flags: int = 0) -> str | None:
    """A character class matching every character a match of ``pattern`` can begin with."""
    try:
        parsed = sre_parse.parse(pattern, flags)
        # Folding is needed only where a scoped (?i:...) turns it on: a global IGNORECASE
        # applies to the lookahead class as well.
        atoms, nullable = _first(list(parsed), False)
    except _GiveUp:
        return None
    if nullable or not atoms or r"\w" in atoms:
        return None
    return "[" + "".join(sorted(atoms)) + "]"


def compile(pattern: str, flags: int = 0) -> re.Pattern:  # noqa: A001 - mirrors re.compile
    """``re.compile`` with a first-character lookahead where one can be derived."""
    head = _GLOBAL_FLAGS.match(pattern)
    prefix, body = (head.group(), pattern[head.end():]) if head else ("", pattern)
    cls = first_chars(pattern, flags)
    if cls is None:
        compiled = re.compile(pattern, flags)
    else:
        tail = "\n)" if (flags & re.VERBOSE or "x" in prefix) else ")"
        compiled = re.compile(f"{prefix}(?={cls})(?:{body}{tail}", flags)
    COMPILED.append((pattern, flags, compiled))
    return compiled


def trie_alternation(literals) -> str:
    """A regex matching any of ``literals``, factored by common prefixes.

    ``re`` tries the branches of ``a|b|c`` one after another; a factored alternation
    branches on one character at each step. Longer literals are tried first, as in an
    alternation sorted by length (each optional tail is greedy).
    """
    root: dict = {}
    for lit in literals:
        node = root
        for ch in lit:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        children = [(ch, child) for ch, child in node.items() if ch]
        if not children:
            return ""
        parts = [re.escape(ch) + emit(child) for ch, child in sorted(children)]
        body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
        if "" in node:  # a literal ends here: the longer ones are optional
            body = (body if len(parts) == 1 and len(children[0][0]) == 1 and not emit(children[0][1]) else
                    "(?:" + body + ")") + "?"
        return body

    return emit(root)
