"""Text normalisation that keeps offsets into the text as given.

refcheck reports evidence as character offsets into the referral *as given* (after
decoding, before any normalisation). Normalisation therefore never edits the text in
place: it produces a normalised copy plus a map from each normalised character back to
the span of original characters it came from.

What is normalised here (whole-text, length-changing edits):
- CRLF / CR line endings → LF;
- Unicode NFC (combining accents composed);
- mojibake of UTF-8 read as Windows-1252/Latin-1 ("Ã¸" → "ø"), detected with ftfy;
- PDF-extraction artefacts: ligatures (ﬁ ﬂ), soft hyphens, zero-width characters, a BOM,
  no-break spaces, words hyphenated across a line break ("smer-\\nter"), and the "ł" that
  Norwegian PDFs yield for "ø";
- typographic dashes and quotes → ASCII.

What is *not* done here: lower-casing, ae/oe/aa → æ/ø/å, and abbreviation expansion.
Those are token-level and live in the matching keys (`refcheck.lexicon`), so the text
keeps its shape and spaCy's tokens keep their offsets.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import ftfy

from . import fastre

# Single-character replacements that do not change length are applied by translate().
_SAME_LENGTH = str.maketrans({
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\t": " ",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u00ab": '"', "\u00bb": '"', "\u0142": "ø", "\u0141": "Ø",
})

# translate() looks up every character: skip it when none of these occurs.
_NEEDS_TRANSLATE = re.compile("[" + re.escape("".join(chr(c) for c in _SAME_LENGTH)) + "]")


def _same_length(text: str) -> str:
    return text.translate(_SAME_LENGTH) if _NEEDS_TRANSLATE.search(text) else text


_LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"}
_DROP = "\u00ad\u200b\u200c\u200d\u2060\ufeff"

# Runs that look like UTF-8 decoded as cp1252/latin-1: a lead byte char Ã/Â/Å followed by
# a continuation-byte char. ftfy decides whether the run is really mojibake.
_MOJIBAKE = re.compile("[\u00c2\u00c3\u00c5\u00e2][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]+")
_EDIT = fastre.compile(
    "\r\n|\r"                                   # line endings
    "|[\ufb00-\ufb04]"                          # ligatures
    f"|[{_DROP}]"                               # invisible characters
    "|(?<=[a-zæøå])-\n(?=[a-zæøå])"             # hyphenation across a line break
)


@dataclass(frozen=True)
class NormalizedText:
    """A normalised copy of a text with the map back to the original.

    Attributes:
        original: the text as given.
        text: the normalised text that the pipeline reads.
        starts: for each character of ``text`` (plus one sentinel), the original offset
            where the source of that character starts.
        ends: for each character of ``text``, the original offset where its source ends.
    """

    original: str
    text: str
    starts: tuple[int, ...] | None  # None: no length-changing edit, offsets are the same
    ends: tuple[int, ...] | None

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the normalised text to the original text."""
        if self.starts is None:
            return start, end
        if start >= end:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


def _fix_mojibake(segment: str) -> str:
    fixed = ftfy.fix_encoding(segment)
    return fixed if len(fixed) < len(segment) else segment


def normalize(text: str) -> NormalizedText:
    """Normalise ``text`` for reading, keeping a map back to the original offsets."""
    edits: list[tuple[int, int, str]] = []
    for m in _EDIT.finditer(text):
        s = m.group()
        if s in ("\r\n", "\r"):
            edits.append((m.start(), m.end(), "\n"))
        elif s in _LIGATURES:
            edits.append((m.start(), m.end(), _LIGATURES[s]))
        else:  # invisible characters and line-break hyphenation are dropped
            edits.append((m.start(), m.end(), ""))
    for m in _MOJIBAKE.finditer(text):
        fixed = _fix_mojibake(m.group())
        if fixed != m.group():
            edits.append((m.start(), m.end(), fixed))
    if not unicodedata.is_normalized("NFC", text):
        for m in re.finditer(r".[\u0300-\u036f]+", text, flags=re.S):
            composed = unicodedata.normalize("NFC", m.group())
            if composed != m.group():
                edits.append((m.start(), m.end(), composed))
    if not edits:
        return NormalizedText(text, _same_length(text), None, None)
    edits.sort()

    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for start, end, repl in edits:
        if start < pos:  # overlapping edit (e.g. mojibake inside an NFC cluster): skip
            continue
        chunk = text[pos:start]
        out.append(chunk)
        starts.extend(range(pos, start))
        ends.extend(range(pos + 1, start + 1))
        out.append(repl)
        starts.extend([start] * len(repl))
        ends.extend([end] * len(repl))
        pos = end
    out.append(text[pos:])
    starts.extend(range(pos, len(text)))
    ends.extend(range(pos + 1, len(text) + 1))
    normalized = _same_length("".join(out))
    starts.append(len(text))
    return NormalizedText(text, normalized, tuple(starts), tuple(ends))
