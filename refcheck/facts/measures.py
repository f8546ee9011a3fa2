"""Measured red flags written as numbers: a temperature, two body weights, a T-score,
an inflammation marker with its value (issue 10: "Temperaturen var oppe i 39,2",
"Vekt 58 kg, var 66 kg i fjor", "DXA: T-score -2,8", "CRP har steget fra 4 til 45").

Each reader returns :class:`Measure` hits on the (normalised) referral text. They read
numbers only; whether the sentence states the measure of the patient, hypothetically
("ved temperatur over 38 …"), negated or of a relative is decided afterwards by the
pipeline's ConText (``extract._measured_flags``), as for any lexicon mention.

Thresholds are the guidelines': fever 38.0 °C or more, weight loss over 5 % of the body
weight (003 Tabel 1: "vægttab på > 5 % af kropsvægten over 6-12 mdr."), a T-score of
-2.5 or lower (WHO's osteoporosis), CRP 10 mg/L and SR 30 mm or more (001 §6.1–6.2).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from spacy.tokens import Doc

from ..nlp.context import apply, doc_scopes
from ..nlp.mentions import Mention
from ..text import fastre
from .model import Facts
from .quantities import lab_values as any_lab_value
from ..nlp.extensions import state


@dataclass(frozen=True)
class Measure:
    code: str  # the red-flag code
    kind: str  # temperature | weight | t_score | lab
    value: float
    start: int
    end: int


_DEC = r"\d{1,3}(?:[.,]\d{1,2})?"
_BREAK = re.compile(r"[.;!?\n]\s|\n|$")

# ------------------------------------------------------------------ temperature

#: A word that names the temperature: "temp", "tempen", "temperaturen", "tempraturen",
#: "rektaltemp", "kroppstemperatur", "feber", "febertopp".
_TEMP_WORD = fastre.compile(r"(?i)(?<![\w-])(?:\w*temp\w*\.?|tp\.?|feber\w*|febril\w*)(?!\w)")
#: A measuring verb names a temperature only with a decimal value ("målte 39,1", "Målt 38,7 i øret").
_MEASURED = fastre.compile(r"(?i)(?<![\w-])(?:målt|målte|måler|måles|malt|malte|målinga?)\s+(?:(?:til|på|opp\s+i|hjemme|heime|"
                           r"i\s+går|igår|i\s+dag|i\s+natt|i\s+nat|i\s+morges|i\s+øret|oralt|rektalt)\s+){0,3}"
                           r"(?P<t>3[89][.,]\d{1,2}|4[0-2][.,]\d{1,2})(?!\d)")
#: Words that may stand between the temperature word and its value ("har vært",
#: "lå rundt", "var oppe i", "har ligget omkring", "hjemme", "i går kveld").
_TEMP_FILLER = frozenset("""
har hadde er var vært vore vert ligget lagt lege lå ligg ligger ligge holdt seg hjemme heime hjem
på opp oppe oppi op oppunder rundt omkring kring om lag omlag ca ca. cirka omtrent nesten næsten
helt heilt til i over mellom nå no nu igjen igen målt målte malt stått stod steget steg stige
gått gikk gjekk kom kommet kome i går gaar går natt nat kveld kvelds kvelden kvelda kveldane kveldene
aften aftenen aftner morgen morgenen morgonen morges ved konsultasjonen konsultationen undersøkelsen
undersøgelsen innkomst ankomst oralt rektalt i øret øret i dag daglig dagleg hver kvar hvert kvart
de dei siste sidste seneste flere fleire nogle noen nokre dager dagar dage dagene dagane høy høg høj
""".split())
#: Words after which a value is a limit, not a measure ("temp under 38", "ikke over 38").
_LIMIT_BEFORE = frozenset({"under", "ikke", "ikkje", "ej", "aldri", "aldrig", "mindre", "lavere", "lågare", "lavere",
                           "normal", "normalt", "normaliseret", "normalisert", "<", "≤"})
_TEMP_VALUE = fastre.compile(r"(?<![\d,.\-])(?P<t>3[5-9](?:[.,]\d{1,2})?|4[0-2](?:[.,]\d{1,2})?)(?![\d])")
#: A unit that makes a number a temperature wherever it stands ("38,8 °C", "39 grader celsius").
_TEMP_UNIT = fastre.compile(r"(?i)(?<![\d,.])(?P<t>3[5-9](?:[.,]\d{1,2})?|4[0-2](?:[.,]\d{1,2})?)\s*"
                            r"(?:°\s*C\b|℃|grader\s+celsius|graders\s+feber|grader\s+i\s+feber|i\s+feber|grader\s+feber|"
                            r"gr\.?\s+feber|°\s+feber)")
_NOT_TEMP_UNIT = re.compile(r"(?i)\s*(?:år|aar|dager|dagar|dage|døgn|uker|uger|veker|mnd|mdr|måneder|månader|"
                            r"min\w*|timer|mm|cm|kg|%|prosent|procent)(?!\w)")
_WORD = re.compile(r"[\wæøåÆØÅ.]+|[<≤]")
_GAP = re.compile(r"[\s:=(,]*")


def temperatures(text: str) -> list[Measure]:
    """Body temperatures of 35–42.9 stated with a temperature word or unit (all of them;
    the caller keeps those of 38 or more)."""
    low = text.lower()
    if not any(w in low for w in ("temp", "tp", "feber", "febril", "°", "℃", "celsius", "målt", "måle", "måli", "malt")):
        return []
    out: dict[int, Measure] = {}
    for m in _TEMP_UNIT.finditer(text):
        out[m.start("t")] = Measure("fever_infection", "temperature", _float(m.group("t")), m.start(), m.end())
    for m in _MEASURED.finditer(text):
        if m.start("t") not in out and not _NOT_TEMP_UNIT.match(text, m.end()):
            out[m.start("t")] = Measure("fever_infection", "temperature", _float(m.group("t")), m.start(), m.end())
    for w in _TEMP_WORD.finditer(text):
        pos, prev = w.end(), w.group().lower()
        for _ in range(6):  # the word, then up to five fillers, then the value
            gap = _GAP.match(text, pos)
            pos = gap.end()
            if "\n" in gap.group() or _has_break(gap.group()):
                break
            v = _TEMP_VALUE.match(text, pos)
            if v:
                if prev not in _LIMIT_BEFORE and not _NOT_TEMP_UNIT.match(text, v.end()) and v.start() not in out:
                    out[v.start()] = Measure("fever_infection", "temperature", _float(v.group("t")), w.start(), v.end())
                break
            nxt = _WORD.match(text, pos)
            if nxt is None:
                break
            token = nxt.group().lower().rstrip(".")
            if token not in _TEMP_FILLER and token not in _LIMIT_BEFORE:
                break
            prev, pos = token, nxt.end()
    return sorted(out.values(), key=lambda m: m.start)


def _float(s: str) -> float:
    return float(s.replace("−", "-").replace("–", "-").replace(" ", "").replace(",", "."))


def _has_break(gap: str) -> bool:
    return any(ch in gap for ch in ".;!?")


# ------------------------------------------------------------------ weight

_KG = fastre.compile(r"(?i)(?<![\d,.])(?P<v>\d{2,3}(?:[.,]\d)?)\s*(?P<unit>kg|kilo)?(?=\s*(?:kg|kilo)?\b)")
_WEIGHT_WORD = fastre.compile(r"(?i)\b(?:vekt\w*|vægt\w*|veier|veide|vejer|vejede|veg|veg[ea]r|vog|kroppsvekt\w*|kropsvægt\w*|"
                              r"kg|kilo)\b")
#: Before a weight: it is the earlier one ("var 66 kg", "tidligere 69 kg", "fra 88", "mot 72 kg").
_EARLIER_BEFORE = fastre.compile(r"(?i)(?:\b(?:var|veide|vejede|vog|tidligere|tidlegare|før|fra|frå|mot|mod|imod|"
                                 r"sidan|siden|opprinnelig|oprindeligt?|vanligvis|normalt|vanleg|vanlig|pleide|plejede)"
                                 r"(?:\s+(?:på|ca\.?|cirka|omkring|rundt|omtrent|over|ein|en|et|i|vekt|vægt|å\s+veie|at\s+veje|"
                                 r"stabilt|stabil|stabilt\s+på|jevnt|vanligvis|normalt|"
                                 r"\w+(?:år|mnd|måneder|månader|måneder|uker|uger|veker|siden|sidan)))*\s*[:(]?\s*)$")
#: After a weight: it is the earlier one ("70 kg tidligere", "66 kg for et halvt år siden", "77 kg i fjor").
_EARLIER_AFTER = fastre.compile(r"(?i)^\s*(?:kg|kilo)?\s*\)?\s*,?\s*(?!(?:\w+\s+){0,5}?\d)(?:tidligere|tidlegare|før|i\s+fjor|i\s+fjord|forrige|"
                                r"for\s+(?:\w+\s+){0,3}?(?:siden|sidan)|(?:i|ved)\s+(?:januar|februar|mars|marts|april|mai|maj|"
                                r"juni|juli|august|september|oktober|november|desember|december|våres|vår|sommer\w*|høst\w*|"
                                r"haust\w*|efterår\w*|vinter\w*|jul\w*|nyttår\w*|nytår\w*))\b")
_NOW_BEFORE = fastre.compile(r"(?i)\b(?:nå|no|nu|i\s+dag|aktuelt|aktuell|til|ned\s+til|ned\s+på)\s*[:]?\s*$")
_LOSS_VERB = fastre.compile(r"(?i)\b(?:mist\w*|tap\w*|tab\w*|ned|gått|gået|redu\w*|minsk\w*|fall\w*|faldet|falt|sunket|søkk)\b")
_PERCENT_OF_WEIGHT = fastre.compile(r"(?i)(?<![\d,.])(?P<v>\d{1,2}(?:[.,]\d)?)\s*(?:%|prosent|procent)\s+(?:av|af)\s+"
                                    r"(?:\w+\s+){0,2}?(?:kroppsvekt\w*|kropsvægt\w*|vekt\w*|vægt\w*)")
_MINUS_KG = fastre.compile(r"(?i)(?:(?:^|(?<=[\s:(]))[-−–]\s?(?P<v>\d{1,2}(?:[.,]\d)?)\s*(?:kg|kilo)\b|"
                            r"(?<![\d,.])(?P<v2>\d{1,2}(?:[.,]\d)?)\s*(?:kg|kilo)\s+(?:lettere|lettare|lettere\s+enn|lettere\s+end))")
_GAIN = fastre.compile(r"(?i)\b(?:opp|op|økt|øket|auka|tatt\s+på|taget\s+på|lagt\s+på|vektøkning|vægtøgning)\b")


def weight_drops(text: str, sentences: list[tuple[int, int]]) -> list[Measure]:
    """A weight loss of over 5 % stated as numbers: two weights, the earlier heavier
    ("Vekt 58 kg, var 66 kg i fjor", "fra 88 til 80 kg"), a share of the body weight
    ("mistet 8 % av kroppsvekten") or a signed change ("Vægt: -6 kg siden maj")."""
    low = text.lower()
    if not any(w in low for w in ("kg", "kilo", "%", "prosent", "procent")):
        return []
    out: list[Measure] = []
    for s, e in sentences:
        sent = text[s:e]
        if not _WEIGHT_WORD.search(sent) and "%" not in sent and "pro" not in sent.lower():
            continue
        hit = _two_weights(text, s, e) or _percent(text, s, e) or _minus(text, s, e)
        if hit:
            out.append(hit)
    return out


def _two_weights(text: str, s: int, e: int) -> Measure | None:
    sent = text[s:e]
    if not _WEIGHT_WORD.search(sent):
        return None
    values = [m for m in _KG.finditer(text, s, e)]
    # a number counts as a weight only in kg, or just before "til N kg" ("fra 88 til 80 kg")
    weights = []
    for i, m in enumerate(values):
        unit = m.group("unit") or re.match(r"\s*(kg|kilo)\b", text[m.end():m.end() + 8], re.I)
        before = text[max(s, m.start() - 40):m.start()]
        if not unit and not (i + 1 < len(values) and re.match(r"\s*(?:til|ned\s+til)\s*$", text[m.end():values[i + 1].start()], re.I)
                             and values[i + 1].group("unit")) \
                and not (_EARLIER_BEFORE.search(before) and any(v.group("unit") for v in values)):
            continue  # a number is a weight in kg, before "til N kg", or an earlier weight beside one in kg
        v = float(m.group("v").replace(",", "."))
        if not 25 <= v <= 250:
            continue
        before = text[max(s, m.start() - 40):m.start()]
        after = text[m.end():min(e, m.end() + 40)]
        earlier = bool(_EARLIER_BEFORE.search(before) or _EARLIER_AFTER.match(after)) and not _NOW_BEFORE.search(before)
        weights.append((earlier, v, m))
    earlier = [w for w in weights if w[0]]
    now = [w for w in weights if not w[0]]
    if not earlier or not now:
        return None
    was, is_ = earlier[0][1], now[0][1]
    if was <= is_ or (was - is_) / was <= 0.05:
        return None
    first, last = min(earlier[0][2].start(), now[0][2].start()), max(earlier[0][2].end(), now[0][2].end())
    return Measure("weight_loss", "weight", round(100 * (was - is_) / was, 1), first, last)


def _percent(text: str, s: int, e: int) -> Measure | None:
    m = _PERCENT_OF_WEIGHT.search(text, s, e)
    if not m or not _LOSS_VERB.search(text[s:e]) or _GAIN.search(text[s:e]):
        return None
    v = float(m.group("v").replace(",", "."))
    return Measure("weight_loss", "weight", v, m.start(), m.end()) if v > 5 else None


def _minus(text: str, s: int, e: int) -> Measure | None:
    m = _MINUS_KG.search(text, s, e)
    if not m or not (m.group("v2") or re.search(r"(?i)\b(?:vekt\w*|vægt\w*)", text[s:e])):
        return None  # "Vægt: -6 kg siden maj", "8 kg lettere enn for fire måneder siden"
    v = float((m.group("v") or m.group("v2")).replace(",", "."))
    return Measure("weight_loss", "weight", v, m.start(), m.end()) if v >= 3 else None


# ------------------------------------------------------------------ muscle strength

#: An MRC strength grade: "M4", "M 3", "4/5", "kraft 3".
_GRADE = fastre.compile(r"(?<![\w/])(?:M\s?(?P<m>[0-5])[+-]?|(?P<f>[0-5])\s?/\s?5|(?:kraft|grad)\s(?P<k>[0-5]))(?![\w/])")
_GRADE_EARLIER_BEFORE = fastre.compile(r"(?i)\b(?:var|tidligere|tidlegare|forrige|førre|sist|sidst|sidste|før|fra|frå|"
                                       r"opprinnelig|oprindelig)\b[^.;\d]{0,30}$")
_GRADE_EARLIER_AFTER = fastre.compile(r"(?i)\s*(?:\w+\s+){0,2}?(?:ved\s+(?:forrige|sidste|førre|siste)|i\s+forrige|i\s+sidste|"
                                      r"i\s+førre|forrige|sidste|førre|tidligere|tidlegare|for\s+(?:\w+\s+){0,2}?(?:siden|sidan))\b")
_GRADE_NOW_BEFORE = fastre.compile(r"(?i)\b(?:nå|no|nu|i\s+dag|til|ned\s+til|aktuelt)\s*[:]?\s*$")


def strength_drops(text: str, sentences: list[tuple[int, int]]) -> list[Measure]:
    """A strength grade lower now than before in one sentence ("Dorsalfleksjon M4 ved
    forrige kontroll, nå M2", "kraft 3/5, var 5/5 for en uke siden"): a progressive deficit."""
    if not any(ch.isdigit() for ch in text):
        return []
    out = []
    for s, e in sentences:
        grades = list(_GRADE.finditer(text, s, e))
        if len(grades) < 2:
            continue
        earlier, now = [], []
        for g in grades:
            value = int(g.group("m") or g.group("f") or g.group("k"))
            before = text[max(s, g.start() - 30):g.start()]
            is_earlier = (_GRADE_EARLIER_BEFORE.search(before) or _GRADE_EARLIER_AFTER.match(text, g.end())) \
                and not _GRADE_NOW_BEFORE.search(before)
            (earlier if is_earlier else now).append((value, g))
        if earlier and now and earlier[0][0] > now[0][0]:
            a, b = sorted((earlier[0][1], now[0][1]), key=lambda g: g.start())
            out.append(Measure("progressive_neuro_deficit", "strength", float(now[0][0]), a.start(), b.end()))
    return out


# ------------------------------------------------------------------ recent back surgery

#: "for fem uker siden", "for ein månad sidan": how long ago (the duration is read by quantities.durations).
_AGO_AFTER = fastre.compile(r"(?i)\s*(?:siden|sidan)\b")
#: An operation this recent is a risk of postoperative infection (spondylodiscitis).
RECENT_SURGERY_WEEKS = 12.0


def recent_back_surgery(text: str, mentions, sentences: list[tuple[int, int]]) -> list[Measure]:
    """A back operation stated as done under three months ago ("Operert for prolaps for
    fem uker siden", "Diskusoperation for seks uger siden"): a risk of infection (002
    Anbefaling 1, nylig spinal prosedyre; 003 Tabel 1)."""
    from .quantities import durations

    out = []
    for m in mentions:
        if m.code != "prior_back_surgery" or not m.affirmed:
            continue
        for s, e in sentences:
            if s <= m.start < e:
                for d in durations(text[s:e]):
                    if d.value <= RECENT_SURGERY_WEEKS and _AGO_AFTER.match(text, s + d.end):
                        out.append(Measure("infection_risk", "recent_surgery", d.value, min(m.start, s + d.start),
                                           max(m.end, s + d.end)))
                        break
                break
    return out


def years_ago(text: str, m, sentences: list[tuple[int, int]]) -> bool:
    """A "for N år siden" of a year or more next to mention ``m`` (within 30 characters,
    same sentence) dates it ("Bilulykke for 25 år siden", "For 15 år siden falt han")."""
    return weeks_ago(text, m, sentences, 52.0)


def weeks_ago(text: str, m, sentences: list[tuple[int, int]], at_least: float) -> bool:
    """A "for N … siden" of ``at_least`` weeks or more next to mention ``m`` (within 30
    characters, same sentence)."""
    from .quantities import durations

    for s, e in sentences:
        if s <= m.start < e:
            return any(d.value >= at_least and _AGO_AFTER.match(text, s + d.end)
                       and (s + d.start - m.end <= 30 and m.start - (s + d.end) <= 30)
                       for d in durations(text[s:e]))
    return False


# ------------------------------------------------------------------ bone density

_T_SCORE = fastre.compile(r"(?i)\bT[-\s]?(?:score|skår|skåre|scoren?|værdi|verdi)\w*\s*(?:(?:på|er|var|lå|ligger|:|=|ved|i|"
                          r"hofte\w*|hofta|hoften|lårhals\w*|lumbal\w*|lende\w*|columna\w*|ryggen|L\d(?:\s*-\s*L\d)?|"
                          r"total\w*)\s*){0,4}(?P<v>[-−–]\s?\d(?:[.,]\d{1,2})?)")


def t_scores(text: str) -> list[Measure]:
    """T-scores of -2.5 or lower (osteoporosis by the WHO definition); the lowest stated."""
    if "score" not in text.lower() and "skår" not in text.lower() and "verdi" not in text.lower() \
            and "værdi" not in text.lower():
        return []
    out = []
    for m in _T_SCORE.finditer(text):
        v = float(m.group("v").replace("−", "-").replace("–", "-").replace(" ", "").replace(",", "."))
        # "-3,8 i lendecolumna og -2,9 i hofta": the first value decides unless a lower follows
        if v <= -2.5:
            out.append(Measure("osteoporosis", "t_score", v, m.start(), m.end()))
    return out


# ------------------------------------------------------------------ inflammation markers

_LAB_NAME = (r"CRP|SR|SR-verdi\w*|senkning\w*|senking\w*|senka|sænkning\w*|sænkningsreaktion\w*|sänka")
_LAB_FILLER = (r"(?:på|:|=|er|var|har|hadde|nå|no|nu|ca\.?|cirka|omkring|rundt|over|opp|oppe|op|i|til|ned|"
               r"steget|steg|stege|stige|stigende|økt|øket|auka|aukande|gått|gikk|gjekk|gået|gik|kommet|"
               r"høy|høg|høj|forhøyet|forhøya|forhøjet|målt|målte|malt|ved|kontroll|kontrol|"
               r"siste|sidste|seinaste|seneste|prøve\w*|fra|frå|,)")
_LAB = fastre.compile(r"(?i)(?<![\w-])(?P<name>" + _LAB_NAME + r")(?![\w-])(?P<gap>(?:\s*" + _LAB_FILLER + r"(?!\w)){0,4})\s*"
                      r"(?P<v>\d{1,3}(?:[.,]\d)?)(?![\d,.]*\s*(?:år|aar|dager|dage|dagar|uker|uger|veker|%))"
                      r"(?:\s*(?:mm|mg)?\S*\s*(?:til|→|->)\s*(?P<v2>\d{1,3}(?:[.,]\d)?))?")
_FALLING = re.compile(r"(?i)\b(?:ned|gått ned|gikk ned|gjekk ned|faldet|falt|sunket|normalisert|normaliseret)\b")


def lab_values(text: str) -> list[Measure]:
    """CRP of 10 or more and SR of 30 or more, with their value ("SR på 52 mm",
    "Senkningen var 64", "CRP har steget fra 4 til 45": the later value of a change)."""
    low = text.lower()
    if not any(w in low for w in ("crp", "sr", "senk", "sænk", "sänk")):
        return []
    out = []
    for m in _LAB.finditer(text):
        name = m.group("name").upper()
        value = float(m.group("v").replace(",", "."))
        if m.group("v2"):
            later = float(m.group("v2").replace(",", "."))
            if _FALLING.search(m.group("gap") or "") or later < value:
                continue  # "CRP gikk ned fra 40 til 4": falling to normal
            value = later
        elif _FALLING.search(m.group("gap") or ""):
            continue
        crp = name.startswith("CRP")
        if (crp and value >= 10) or (not crp and value >= 30):
            out.append(Measure("inflammatory_signs", "lab", value, m.start(), m.end()))
    return out


# ------------------------------------------------------------------ the flags

#: Words that make a weight loss intended (dieting, bariatric surgery): not a red flag.
# Bounded at the left: "uønsket vekttap", "utilsiktet vekttap", "utilsigtet vægttab" are the
# red flag itself, not an intended loss; nor is a loss "ikke med vilje".
_INTENDED_LOSS = fastre.compile(r"(?i)\b(?:ønsket|ønskt|ønska|tilsiktet|tilsikta|tilsigtet|planlagt|planlagd)\s+"
                                r"(?:vekttap|vektnedgang|vektreduksjon|vægttab|vægtreduktion)|"
                                r"(?<!ikke )(?<!ikkje )(?<!ikk )\bmed vilje|slank(?:er|ar|ede|et|e|a)\s+s[ei]g|slanke(?:kur|operasjon|operation)|"
                                r"på\s+(?:diett|diæt|kur)|fedmeoperasjon|fedmeoperation|fedmekirurgi|gastric\s+bypass|"
                                r"bariatrisk\w*|sleeve|vektreduserende\s+operasjon|livsstilsendring|livsstilsændring|"
                                r"(?:la|lagt|legge|lagde|lægge)\s+om\s+kost\w*|kostomlegging|kostomlægning|kostholdsendring|"
                                r"wegovy|ozempic|saxenda|mounjaro|semaglutid\w*|liraglutid\w*|tirzepatid\w*|som\s+planlagt|"
                                r"(?:byrja|begynte|startet|begyndte|starta)\s+(?:å|at)\s+tren\w*")
_NOT_BEFORE = re.compile(r"(?i)\b(?:uten|utan|uden|ikke|ikkje|ej|aldri|aldrig|ingen|inga|intet|ingen form for)\b(?:\s+\S+){0,5}\s*$")


def measured_flags(f: Facts, doc: Doc, text: str, sents, seen_flags: set[str], mentions=()) -> bool:
    """Red flags stated as numbers (measures.py: a temperature of 38 or more, a weight
    loss over 5 %, a T-score of -2.5 or lower, a raised CRP or SR), unless ConText reads
    them as negated, hypothetical, a relative's or to be ruled out ("Ved temperatur over
    38 skal hun ta kontakt"). True if anything was measured."""
    temps, labs = temperatures(text), lab_values(text)
    found = ([t for t in temps if t.value >= 38.0] + labs + t_scores(text) + weight_drops(text, sents)
             + strength_drops(text, sents) + recent_back_surgery(text, mentions, sents))
    for hit in sorted(found, key=lambda h: h.start):
        if hit.code in seen_flags:
            continue
        mention = _span_mention(doc, hit)
        if not mention.affirmed:
            continue
        if hit.kind == "weight" and intended_loss(text, mention, sents):
            f.read_away.append((mention.tok_start, mention.tok_end))
            continue
        seen_flags.add(hit.code)
        f.red_flags.append(mention)
    return bool(temps or labs or any_lab_value(text))


def _span_mention(doc: Doc, hit) -> Mention:
    """A red-flag mention for a measure's character span, with ConText's modifiers."""
    info = state(doc).tokens
    a = max(0, bisect_right(info.starts, hit.start) - 1)
    b = max(a + 1, bisect_right(info.starts, max(hit.start, hit.end - 1)))
    m = Mention("red_flag", hit.code, f"measure.{hit.kind}", hit.start, hit.end, a, b,
                info.sent_of[a] if info.sent_of else 0, info.section_of[a] if info.section_of else None)
    scopes = doc_scopes(doc)
    if scopes:
        mods, why = apply(scopes, info.words, a, b)
        m.modifiers |= mods
        m.context = why
    return m


def intended_loss(text: str, m: Mention, sents: list[tuple[int, int]]) -> bool:
    """A weight loss the sentence says was intended (a diet, bariatric surgery)."""
    for s, e in sents:
        if s <= m.start < e:
            # "uten å være på diett", "uden at være på kur", "ikke på diæt": a loss *without* a diet
            return any(not _NOT_BEFORE.search(text[max(s, hit.start() - 40):hit.start()])
                       for hit in _INTENDED_LOSS.finditer(text, s, e))
    return False
