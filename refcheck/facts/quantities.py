"""Quantities read from referral text: age, sex, symptom duration, WAD grade, lab values.

Pure functions over the normalised text, so they are easy to test in tables. Each returns
its value and the character span it came from (normalised offsets).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import fastre

_NUMBER_WORDS = {
    "en": 1, "ett": 1, "ei": 1, "et": 1, "én": 1, "eitt": 1, "ein": 1, "eín": 1, "to": 2, "tre": 3, "fire": 4,
    "fem": 5, "seks": 6, "sju": 7, "syv": 7, "åtte": 8, "otte": 8, "ni": 9, "ti": 10, "elleve": 11, "tolv": 12,
    "par": 2, "halvt": 0.5, "halv": 0.5, "halvanden": 1.5, "halvannen": 1.5, "atten": 18,
}
_UNIT_WEEKS = {"d": 1 / 7, "w": 1.0, "m": 4.35, "y": 52.0}
_UNITS = (
    r"(?P<unit>dager|dagar|dage|dagen|dag|dgr\.?|dg\.?|døgn|døgnet|d\b|uker|ukene|uka|uke|veker|vekene|veka|veke|uger|ugerne|ugers|uge|"
    r"ukers|vekers|u\b|måneder|månedene|måneders|måned|månader|månadene|månad|mnd\.?|mndr\.?|mdr\.?|md\.|"
    r"halvår|år|års|aar|åra)"
)
# Word alternations are factored into tries (fastre.trie_alternation): re tries the
# branches of a plain alternation one by one at every candidate position.
_NUM = r"(?P<n1>\d+(?:[.,]\d+)?|" + fastre.trie_alternation(_NUMBER_WORDS) + r")"
_RANGE = _NUM + r"(?:\s*(?:-|–|til|à|a|eller)\s*(?P<n2>\d+(?:[.,]\d+)?))?"
DURATION = fastre.compile(r"(?<![\w/])(?:" + fastre.trie_alternation(["et ", "ett ", "eit ", "ei ", "en "]) + ")?" + _RANGE + r"\s*-?\s*" + _UNITS + r"(?!\w)", re.IGNORECASE)
_RECENT = fastre.compile(
    r"(?P<w>(?:siste|sidste)\s+d(?:ø|oe)gn(?:et)?"
    r"|(?:(?:siden|sidan)\s+)?i\s+(?:g(?:å|aa)r|forg(?:å|aa)rs|natt?|morges)(?:\s+kveld)?"
    r"|i\s?dag)(?!\w)", re.IGNORECASE)

_RECENT_WORDS = ("døgn", "doegn", "går", "gaar", "nat", "morges", "dag")
_LAST_YEAR = fastre.compile(r"(?:siste|sidste|det siste|det sidste)\s+(?:år|aar|året|aaret)\b", re.IGNORECASE)
LAST_YEAR_EVENT = fastre.compile(r"\b(?:i fjor|i fjol|sidste år|sist år|forrige år)\b", re.IGNORECASE)

# Words before a number that make it something other than the complaint's duration.
_NOT_DURATION_BEFORE = fastre.compile(r"(?:\bved|\bfra|\bfrå|\bsom|\bfødt|\bf\.|\balder|\bi alder av|\bpå|\b[Kk]|\bM|\baged?|"
                                  r"(?i:\bkvinne|\bkvinde|\bmann|\bmand|\bgutt|\bgut|\bjente|\bpige|\bdreng|\bdame|\bherre|\bpasient|\bpas\.|\bpt\.|\bkv\.)(?:\s+på)?)\s*,?\s*\(?$")
_AGE_AFTER = fastre.compile(r"^\s*(?:gammel|gammal|gml\.?|gl\.?|g\.|gamal|gamle|kvinne|mann|kvinde|mand|dame|herre|gutt|gut|jente|pige|dreng|pasient|pas\.|pt\.|,\s*(?:kvinne|mann|kvinde|mand))", re.IGNORECASE)


_AGE_WORD = fastre.compile(r"(?:årig|år gl)", re.I)
_SINCE = fastre.compile(r"^\s*(?:siden|sidan)\b", re.I)
_YEAR_NUMBER = fastre.compile(r"\d{4}")
_SEX_WORD = fastre.compile(r"(?<!\w)(?P<f>kvinne|kvinner|kvinde|kvinna|kv\.|dame|jente|pige|frue)(?!\w)"
                       r"|(?<!\w)(?P<m>mann|mand|herre|gutt|gut|dreng)(?!\w)", re.I)


@dataclass(frozen=True)
class Quantity:
    value: object
    start: int
    end: int


def _num(s: str | None) -> float | None:
    if s is None:
        return None
    s = s.lower()
    if s in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[s])
    try:
        return float(s.replace(",", "."))
    except ValueError:
        return None


def _unit(u: str) -> str:
    u = u.lower().rstrip(".")
    if u.startswith(("d", "døgn")):
        return "d"
    if u.startswith(("u", "v")):
        return "w"
    if u.startswith("halvår"):
        return "h"
    if u.startswith("m"):
        return "m"
    return "y"


_last_folded: tuple = (None, "")


def _folded(text: str) -> str:
    """``text`` case-folded the way re's IGNORECASE compares (casefold(), plus the dotless
    and dotted i), for cheap "does any of these words occur" checks before a full-text
    scan. The last result is kept (as one tuple, so that threads never see a text paired
    with another text's folding): the extractors run one after another on one text."""
    global _last_folded
    last = _last_folded
    if last[0] is text:
        return last[1]
    folded = text.casefold().replace("ı", "i").replace("i\u0307", "i")
    _last_folded = (text, folded)
    return folded


def _mentions_any(text: str, words) -> bool:
    folded = _folded(text)
    return any(w in folded for w in words)


def durations(text: str) -> list[Quantity]:
    """Every duration-like phrase, in weeks, with its span; ages are excluded."""
    out: list[Quantity] = []
    for m in DURATION.finditer(text):
        before = text[max(0, m.start() - 12):m.start()]
        after = text[m.end():m.end() + 12]
        unit = _unit(m.group("unit"))
        if unit == "y" and (_AGE_AFTER.match(after) or _AGE_WORD.search(m.group())):
            continue
        if _NOT_DURATION_BEFORE.search(before):
            continue
        if unit == "y" and _SINCE.match(after) is None and _YEAR_NUMBER.search(m.group()):
            continue
        n1, n2 = _num(m.group("n1")), _num(m.group("n2"))
        if n1 is None:
            continue
        if not m.group("n1")[-1].isdigit() and m.end("n1") == m.start("unit"):
            continue  # a number word glued to a unit letter is a word: "tid" is not "ti d"
        n = (n1 + n2) / 2 if n2 is not None and n2 > n1 else n1
        weeks = 26.0 * n if unit == "h" else n * _UNIT_WEEKS[unit]
        if unit == "y" and n > 60:
            continue  # a year or an age, not a duration
        out.append(Quantity(round(weeks, 1), m.start(), m.end()))
    # _RECENT and _LAST_YEAR need one of these words: skip their scans when none occurs.
    recent = _mentions_any(text, _RECENT_WORDS)
    last_year = _mentions_any(text, ("siste", "sidste"))
    for m in (_RECENT.finditer(text) if recent else ()):
        if m.start() and text[m.start() - 1].isalnum():
            continue
        w = m.group("w").lower()
        out.append(Quantity(0.0 if w.endswith("dag") else 0.1, m.start(), m.end()))
    for m in (_LAST_YEAR.finditer(text) if last_year else ()):
        out.append(Quantity(52.0, m.start(), m.end()))
    out.sort(key=lambda q: q.start)
    return out


_FEMALE_WORDS = ("kvinne", "kvinner", "kvinde", "kv.", "kv", "dame", "jente", "pige", "frue", "hun", "ho", "kvinna")
_MALE_WORDS = ("mann", "menn", "mand", "herre", "gutt", "gut", "dreng", "han", "hr.")
_PERSON_2 = fastre.trie_alternation(_FEMALE_WORDS + _MALE_WORDS + ("pasient", "pas.", "pt.", "patient", "alder", "alder:",
                                                                    "age", "age:"))
_PERSON_3 = fastre.trie_alternation(_FEMALE_WORDS + _MALE_WORDS + ("pasient", "pas.", "pt."))
_PERSON_4 = fastre.trie_alternation(_FEMALE_WORDS + _MALE_WORDS + ("pasient", "pasienten", "patient"))
_PERSON_5 = fastre.trie_alternation(_FEMALE_WORDS + _MALE_WORDS + ("pasient", "patient"))
_AGE_PATTERNS = [
    fastre.compile(r"(?<!\w)(?P<age>\d{1,3})\s*-?\s*(?:årig|årige|åring|år\s+gammel|år\s+gml\.?|år\s+gl\.?|år\s+gamal|års?\s+gamle|yo\b)", re.I),
    fastre.compile(r"(?<!\w)(?:(?i:" + _PERSON_2 + r")|K|M)\s*,?\s*(?P<age>\d{1,3})(?!\s*(?:kg|cm|mm|%|uker|dager|mnd|mdr|måneder|uger|dage|gr|°|[.,]\d))(?:\s*(?i:år))?(?!\w)"),
    fastre.compile(r"(?<!\w)(?P<age>\d{1,3})\s*(?:år|å\.)\s*,?\s*(?:gammel\s+|gml\.?\s+|gl\.?\s+)?(?:" + _PERSON_3 + r")(?!\w)", re.I),
    fastre.compile(r"(?<![\w,.])(?P<age>\d{1,3})\s*(?i:år|aar)\s*,?\s*[KM](?!\w)"),  # "35 år M", "61 år K"
    fastre.compile(r"(?i:" + _PERSON_4 + r")\s+(?:på|paa)\s+(?P<age>\d{1,3})\s*(?:år|aar)(?!\w)", re.I),
    # "Han er 44 år.", "Pasienten er 67 år": not "det er 5 år siden"
    fastre.compile(r"(?<!\w)(?i:" + _PERSON_4 + r")\s+(?:er|var)\s+(?P<age>\d{1,3})\s*(?:år|aar)(?!\w)(?!\s+(?:siden|sidan|etter|efter))", re.I),
    fastre.compile(r"(?i:" + _PERSON_5 + r")\s*\((?P<age>\d{1,3})(?:\s*år)?\)", re.I),
    fastre.compile(r"^[ \t]*(?P<age>\d{1,3})[ \t]*(?:år|aar)\b", re.I | re.M),  # [ \t]: \s would rescan every line break
    # a sentence that is only an age, at the end of a line: "Lumbago 5 veker. 48 år."
    fastre.compile(r"(?<=[.!?] )(?P<age>\d{1,3}) ?(?:år|aar)\.?[ \t]*$", re.I | re.M),
]


def age(text: str) -> Quantity | None:
    """The patient's age in years ("52 år kvinne", "K 45", "41-årig kvinde", "Mann 34 år")."""
    best: Quantity | None = None
    for pat in _AGE_PATTERNS:
        for m in pat.finditer(text):
            value = int(m.group("age"))
            if 0 < value <= 110:
                q = Quantity(value, m.start("age"), m.end("age"))
                if best is None or q.start < best.start:
                    best = q
                break
        if best is not None:
            break
    return best


_SEX = fastre.compile(r"(?<!\w)(?P<f>kvinne|kvinner|kvinde|kvinna|kv\.|dame|jente|pige|frue)(?!\w)|(?<!\w)(?P<m>mann|mand|herre|gutt|gut|dreng)(?!\w)"
                  r"|(?<![\w/])(?P<fk>K)(?=\s*,?\s*\d)|(?<![\w/])(?P<mk>M)(?=\s*,?\s*\d{1,3}\s*(?:år|,|\.|$))", re.IGNORECASE)
_SEX_CASE = fastre.compile(r"(?<![\w/])(?P<fk>K)(?=\s*,?\s*\d)|(?<![\w/])(?P<mk>M)(?=\s*,?\s*\d{1,3}\s*(?:år|,|\.|\s|$))")
_PRONOUN = fastre.compile(r"(?<!\w)(?P<f>hun|ho|henne|hende|hennes|hennar)(?!\w)|(?<!\w)(?P<m>han|ham|hans)(?!\w)", re.IGNORECASE)
_FAMILY_BEFORE = fastre.compile(r"(?:mor|far|søster|bror|datter|sønn|søn|moder|fader|mormor|farmor|bestemor|bedstemor|ektemann|ægtemand)\W*$", re.I)


def sex(text: str) -> Quantity | None:
    """female / male from the words for the patient, else from pronouns."""
    for m in _SEX_WORD.finditer(text):
        if _FAMILY_BEFORE.search(text[max(0, m.start() - 15):m.start()]):
            continue
        return Quantity("female" if m.group("f") else "male", m.start(), m.end())
    m = _SEX_CASE.search(text)
    if m:
        return Quantity("female" if m.group("fk") else "male", m.start(), m.end())
    m = _PRONOUN.search(text)
    if m:
        return Quantity("female" if m.group("f") else "male", m.start(), m.end())
    return None


_WAD = fastre.compile(r"\bWAD\s*(?:grad|gr\.?|type|grade)?\s*(?P<g>[0-4])(?:\s*[-/–]\s*(?P<g2>[0-4]))?|\bgrad\s*(?P<g3>[0-4])\s*WAD", re.I)


def wad_grade(text: str) -> Quantity | None:
    """The whiplash (WAD) grade when the text states one; a range gives its upper end."""
    m = _WAD.search(text) if _mentions_any(text, ("wad",)) else None
    if not m:
        return None
    g = m.group("g2") or m.group("g") or m.group("g3")
    return Quantity(int(g), m.start(), m.end())


# Words one of which every match of _LAB contains (case-folded).
_LAB_WORDS = ("crp", "sr", "senkning", "sänka", "leuk", "lpk", "hvite", "alp", "psa")
_LAB = fastre.compile(r"(?<!\w)(?P<name>CRP|SR|senkning|SR-verdi|sänka|leukocytter|leuk\.?|LPK|hvite|ALP|PSA)\s*(?:på|:|=|er|var|ca\.?)?\s*(?P<v>\d+(?:[.,]\d+)?)", re.I)
_CODE = fastre.compile(r"(?<![\w/])(?:L\d{2}|M\d{2}(?:\.\d{1,2})?|S\d{2}(?:\.\d{1,2})?|DM\d{2}(?:\.\d)?)(?![\w/])")


def lab_values(text: str) -> list[Quantity]:
    """(name, value) pairs such as CRP 45 or SR 60."""
    if not _mentions_any(text, _LAB_WORDS):
        return []
    return [Quantity((m.group("name").upper(), float(m.group("v").replace(",", "."))), m.start(), m.end())
            for m in _LAB.finditer(text)]


def diagnosis_codes(text: str) -> list[Quantity]:
    """ICPC-2 (L86) and ICD-10 (M54.5) codes."""
    return [Quantity(m.group(), m.start(), m.end()) for m in _CODE.finditer(text)]
