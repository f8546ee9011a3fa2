"""Citations as clinicians name the guidelines, beside the machine-readable source id.

The catalogue cites by source file number and section ("000 Skulder", "001 §6.3.3 (g)",
"002 Anbefaling 1", "003 PICO 4"): that is the source id, stable and greppable. A
radiologist knows the documents by name: "IS-1899 Skulder", "Korsryggsmerter 2007
§6.3.3 (g)", "Vælg Klogt, anbefaling 1", "NKR lænderyg, PICO 4". :func:`display` turns
the one into the other; the report carries both (``citation`` and ``source``).
"""
from __future__ import annotations

import re

#: Source file number → the name clinicians use (the document's own language).
NAMES = {
    "000": "IS-1899",  # Nasjonal faglig retningslinje for bildediagnostikk ved ikke-traumatiske muskel- og skjelettlidelser
    "001": "Korsryggsmerter 2007",  # Korsryggsmerter – med og uten nerverotaffeksjon (FORMI 2007)
    "002": "Vælg Klogt, anbefaling 1",  # Vælg Klogt: lænderyg
    "003": "NKR lænderyg",  # National klinisk retningslinje for nyopståede lænderygsmerter
}
_PART = re.compile(r"^(000|001|002|003)\s+(.*)$")

#: The note a Danish referral's citation gets when a Norwegian rule judged it, and why.
FALLBACK = {
    "da": "dansk henvisning vurderet efter den norske anbefaling: {why}",
    "nb": "dansk henvisning vurdert etter den norske anbefalingen: {why}",
    "nn": "dansk tilvising vurdert etter den norske tilrådinga: {why}",
    "en": "Danish referral judged by the Norwegian recommendation: {why}",
}
WHY = {
    "radicular": {"da": "nerverodspåvirkning (NKR lumbalt rodtryk er ikke blandt kilderne)",
                  "nb": "nerverotaffeksjon (den danske NKR lumbalt rodtryk er ikke blant kildene)",
                  "nn": "nerverotaffeksjon (den danske NKR lumbalt rodtryk er ikkje mellom kjeldene)",
                  "en": "nerve-root pain (the Danish NKR lumbalt rodtryk is not among the sources)"},
    "long": {"da": "smerter i over 12 uger (NKR lænderyg gælder nyopståede smerter)",
             "nb": "smerter i over 12 uker (NKR lænderyg gjelder nyoppståtte smerter)",
             "nn": "smerter i over 12 veker (NKR lænderyg gjeld nyoppståtte smerter)",
             "en": "pain for over 12 weeks (NKR lænderyg covers new pain)"},
    "postoperative": {"da": "tidligere rygoperation (uden for NKR lænderyg, PICO 4)",
                      "nb": "tidligere ryggoperert (utenfor NKR lænderyg, PICO 4)",
                      "nn": "tidlegare ryggoperert (utanfor NKR lænderyg, PICO 4)",
                      "en": "earlier back surgery (outside NKR lænderyg, PICO 4)"},
    "modality": {"da": "røde flag; NKR lænderyg og Vælg Klogt angiver ikke modaliteten, den norske anbefaling gør",
                 "nb": "røde flagg; NKR lænderyg og Vælg Klogt angir ikke modaliteten, den norske anbefalingen gjør",
                 "nn": "raude flagg; NKR lænderyg og Vælg Klogt gjev ikkje modaliteten, den norske tilrådinga gjer",
                 "en": "red flags; NKR lænderyg and Vælg Klogt do not name the modality, the Norwegian recommendation does"},
    "region": {"da": "regionen er ikke dækket af de danske kilder",
               "nb": "regionen er ikke dekket av de danske kildene",
               "nn": "regionen er ikkje dekt av dei danske kjeldene",
               "en": "region not covered by the Danish sources"},
}


def display(source: str) -> str:
    """The clinicians' name for a catalogue citation: "000 Skulder (AC-leddet); 001 §6.3"
    → "IS-1899 Skulder (AC-leddet); Korsryggsmerter 2007 §6.3". Parts already named
    (e.g. "IS-1899 Rygg") stay as they are."""
    parts = []
    for part in source.split("; "):
        m = _PART.match(part.strip())
        if m is None:
            parts.append(part)
            continue
        name, rest = NAMES[m.group(1)], m.group(2)
        sep = ", " if m.group(1) == "003" or (m.group(1) == "002" and not rest.lower().startswith("anbefaling")) else " "
        if m.group(1) == "002" and rest.lower().startswith("anbefaling 1"):
            rest = rest[len("anbefaling 1"):].strip()  # "Vælg Klogt, anbefaling 1" already says it
        parts.append(f"{name}{sep}{rest}".rstrip(", ") if rest else name)
    return "; ".join(parts)


def fallback(why: str, lang: str) -> str:
    """The note for a Danish referral judged by a Norwegian rule, in the referral's language."""
    lang = lang if lang in FALLBACK else "en"
    return FALLBACK[lang].format(why=WHY[why].get(lang, WHY[why]["en"]))
