"""Language identification for referrals: bokmål, nynorsk or Danish (or none of them).

Referrals are short and full of Latin and abbreviations, where general-purpose detectors
guess. refcheck combines two signals:

1. marker words typical of each language in referrals (``lexicons/<lang>/language.json``):
   words only one of the three uses ("ikkje", "uger", "høyre") count double;
2. lingua-language-detector restricted to the three languages, for longer texts where
   the markers tie.

With no evidence at all (e.g. "MR columna.") the answer is bokmål, the commonest. A text
whose words are mostly English, German or Swedish is reported as unsupported.
"""
from __future__ import annotations

import json
import re
from functools import cache

from ..contract import LANGUAGES as LANGS
from ..paths import lexicon_dir

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# (no word that is also Norwegian or Danish: "for", "at", "to", "no", "by", "have", "ein", "den" …)
_ENGLISH = frozenset("the of and with has is was patient check disease pain in on from this "
                     "that which please request left right history not weeks days since".split())
_NORDIC_HINT = re.compile(r"[æøåÆØÅ]")
#: Function words of the languages a referral to a Nordic department may also come in
#: (none of them a Norwegian or Danish word): a text mostly in one is unsupported.
_FOREIGN = {
    "en": _ENGLISH,
    "de": frozenset("der die das und mit seit nicht ist sind bitte eine einer einem von zu auf bei "
                    "schmerzen links rechts wochen tagen keine kein ich sie wir auch nach wegen beim zum zur seit "
                    "patientin patienten ausstrahlung untersuchung verdacht".split()),
    "sv": frozenset("och inte är smärta smärtor smärtan vänster höger också sjukdom besvär undersökning "
                    "sedan veckor dagar".split()),
}
_FOREIGN_LETTERS = re.compile(r"[äöüßÄÖÜ]")
#: each foreign function word → the languages (of _FOREIGN) that have it, for one pass over a text's words
_FOREIGN_OF: dict[str, tuple[str, ...]] = {}
for _lang, _vocabulary in _FOREIGN.items():
    for _w in _vocabulary:
        _FOREIGN_OF[_w] = _FOREIGN_OF.get(_w, ()) + (_lang,)


@cache
def _markers() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    out = {}
    for lang in LANGS:
        data = json.loads((lexicon_dir() / lang / "language.json").read_text(encoding="utf-8"))
        out[lang] = (frozenset(data["strong"]), frozenset(data["weak"]))
    return out


@cache
def _weights() -> dict[str, tuple[float, ...]]:
    """Each marker word's weight per language (in LANGS order): strong 2.0, weak 0.5."""
    out: dict[str, list[float]] = {}
    for k, lang in enumerate(LANGS):
        strong, weak = _markers()[lang]
        for w in weak | strong:
            out.setdefault(w, [0.0] * len(LANGS))[k] = 2.0 if w in strong else 0.5
    return {w: tuple(v) for w, v in out.items()}


def words_of(text: str) -> list[str]:
    """The lower-cased words (letters only) that both detectors read."""
    return _WORD.findall(text.lower())


@cache
def _lingua():
    from lingua import Language, LanguageDetectorBuilder

    detector = (LanguageDetectorBuilder.from_languages(Language.BOKMAL, Language.NYNORSK, Language.DANISH)
                .with_low_accuracy_mode().build())
    return detector, {Language.BOKMAL: "nb", Language.NYNORSK: "nn", Language.DANISH: "da"}


def marker_scores(words: list[str]) -> dict[str, float]:
    totals = [0.0] * len(LANGS)
    weights = _weights()
    for w in words:
        wt = weights.get(w)
        if wt is not None:
            for k, x in enumerate(wt):
                totals[k] += x
    return dict(zip(LANGS, totals))


def foreign_language(text: str, words: list[str] | None = None) -> str | None:
    """'en', 'de' or 'sv' when the text is mostly in that language, else None (Nordic or unknown)."""
    words = words_of(text) if words is None else words
    if len(words) < 3:
        return None
    nordic_letters = bool(_NORDIC_HINT.search(text))
    counts = dict.fromkeys(_FOREIGN, 0)
    for w in words:
        for lang in _FOREIGN_OF.get(w, ()):
            counts[lang] += 1
    umlauts = not nordic_letters and _FOREIGN_LETTERS.search(text) is not None
    best, count = None, 0
    for lang, n in counts.items():
        if lang != "en" and umlauts:
            n += 2  # ä/ö/ü/ß without æ/ø/å
        if n > count:
            best, count = lang, n
    if best is None or count < 3 or (nordic_letters and best == "en"):
        return None
    # the Nordic marker words' weight, read only when a foreign language leads
    return best if count > sum(marker_scores(words).values()) else None


def is_english(text: str, words: list[str] | None = None) -> bool:
    return foreign_language(text, words) == "en"


def detect(text: str, use_lingua: bool = True, words: list[str] | None = None) -> str:
    """The referral's language: 'nb', 'nn' or 'da' (bokmål when there is no evidence)."""
    words = words_of(text) if words is None else words
    scores = marker_scores(words)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    (top, top_score), (_, second) = ranked[0], ranked[1]
    if top_score >= 2.0 and top_score >= 1.5 * second + 1.0:
        return top
    if use_lingua and len(words) >= 8:
        detector, names = _lingua()
        values = detector.compute_language_confidence_values(text)
        conf = {names[v.language]: v.value for v in values}
        # lingua's evidence joins the markers'; ties go to bokmål.
        combined = {lang: scores[lang] + 4.0 * conf.get(lang, 0.0) for lang in LANGS}
        best = max(LANGS, key=lambda lang: (combined[lang], lang == "nb"))
        return best
    return top if top_score > second else "nb"
