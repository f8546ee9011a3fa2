"""Keys of words: case and spelling folded, inflection stripped (lexicon terms, the role model).

``ae/oe/aa`` fold to ``æ/ø/å`` and accents are dropped (Lasègue → lasegue); a small
suffix stripper removes up to two inflectional endings ("smertene" → "smert").
"""
from __future__ import annotations

import re

_ACCENTS = str.maketrans("éèêëáàâäíìîïóòôúùûüç", "eeeeaaaaiiiiooouuuuc")
_FOLDS = (("aa", "å"), ("ae", "æ"), ("oe", "ø"))
_SUFFIXES = {
    "nb": ("erne", "ene", "ane", "ers", "er", "ar", "en", "et", "a", "e", "s"),
    "nn": ("erne", "ene", "ane", "ers", "er", "ar", "en", "et", "a", "e", "s"),
    "da": ("ernes", "erne", "ene", "ers", "er", "en", "et", "e", "s"),
}
# Per-word caches of the matchers are cleared when they reach this many words, so memory
# stays flat over an audit of millions of referrals (a referral has ~60 distinct words).
CACHE_WORDS = 200_000
NUMBER = re.compile(r"^\d+(?:[.,]\d+)?[.,]?$")
_MIN_STEM = 3
#: Words whose stripped form would be another word's key: "krefter" (strength, energy:
#: "har lite krefter") is not "kreft" (cancer), nor Danish "kræfter" "kræft"; "datteren" is
#: not "datt" (fell).
_KEEP = {
    "nb": {"krefter": "krefter", "kreftene": "krefter", "datter": "datter", "datteren": "datter"},
    "nn": {"krefter": "krefter", "kreftene": "krefter", "kreftane": "krefter", "datter": "datter", "datteren": "datter"},
    "da": {"kræfter": "kræfter", "kræfterne": "kræfter"},
}


def fold(word: str) -> str:
    """Lower-case, drop accents (Lasègue → lasegue), fold ae/oe/aa to æ/ø/å."""
    word = word.lower().translate(_ACCENTS)
    for a, b in _FOLDS:
        if a in word:
            word = word.replace(a, b)
    return word


def stem(word: str, lang: str) -> str:
    """Strip up to two inflectional suffixes, keeping at least three letters."""
    if not word.isalpha():
        return word
    kept = _KEEP[lang].get(word)
    if kept:
        return kept
    suffixes = _SUFFIXES[lang]
    for _ in range(2):
        for suf in suffixes:
            if word.endswith(suf) and len(word) - len(suf) >= _MIN_STEM:
                word = word[: -len(suf)]
                break
        else:
            break
    return word
