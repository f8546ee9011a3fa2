"""Phrasing around a mention that changes what it says (issue 10): the rest a pain is
compared with or relieved by, a patient pain-free at rest, a value that falls.

Each function takes the mention and the normalised text and answers whether the mention
is to be read away (kept out of the flags, listed in ``Facts.read_away`` so that the
learned net leaves the words to these readings too).
"""
from __future__ import annotations

import re

from ..nlp.mentions import Mention
from ..text import fastre

#: A value that falls ("Vekten har falt", "CRP er faldet til 12"): the fall verb is not a trauma.
_MEASURE_FELL = fastre.compile(r"(?i)\b(?:vekt\w*|vægt\w*|verdi\w*|værdi\w*|crp|sr|hb|senkning\w*|sænkning\w*|temp\w*|"
                               r"feber\w*|blodtrykk\w*|blodtryk\w*|tall\w*|tal(?:let|lene)?|kg|kilo)\s+(?:har|hadde|er|var|har\s+nå|"
                               r"er\s+nu|har\s+no|er\s+no)?\s*(?:gradvis|jevnt|jamt|jævnt|litt|lidt|noe|noget|mykje|mye|meget)?\s*$")
_FALL_VERB = fastre.compile(r"(?i)falt|faldet|fallet|datt|fall|fald")

#: Before a rest mention: the patient is free of pain then ("Smertefri i hvile, VAS 6 ved løft").
_PAIN_FREE_BEFORE = fastre.compile(r"(?i)\b(?:smertefri\w*|smertefrie|ingen\s+smerter|uten\s+smerter|utan\s+smerter|uden\s+smerter|"
                                   r"ikke\s+vondt|ikkje\s+vondt|ikke\s+ondt|ingen\s+plager|ingen\s+gener|ingen\s+vondt)\s*,?\s*$")
#: Before a rest mention: it is what the pain is compared with ("verre ved aktivitet enn i hvile").
_COMPARED_WITH = fastre.compile(r"(?i)\b(?:enn|end)\s+(?:når\s+|naar\s+)?$")
#: A posture phrase that makes the pain worse ("verre i hvile", "værre når hun ligger").
_AGGRAVATING = re.compile(r"(?i)\s*(?:verre|værre|verst|værst|vondere|mer\s+vondt|mere\s+ondt|mest\s+vondt|forverres|forværres)\b")


def _rest_relieves(m: Mention, relief: list[Mention], text: str) -> bool:
    """A rest mention inside a posture phrase of relief ("bedre i hvile"); not one of
    aggravation ("verre i hvile enn i aktivitet" is rest pain)."""
    cover = [r for r in relief if r.tok_start <= m.tok_start < r.tok_end]
    return bool(cover) and not any(_AGGRAVATING.match(text, r.start) for r in cover)


def rest_read_away(m: Mention, relief: list[Mention], text: str) -> bool:
    """A rest mention that is not rest pain: relief at rest ("bedre i hvile"), the rest the
    pain is compared with ("verre ved aktivitet enn i hvile"), pain-free at rest."""
    return (_rest_relieves(m, relief, text) or bool(_COMPARED_WITH.search(text, max(0, m.start - 16), m.start))
            or bool(_PAIN_FREE_BEFORE.search(text, max(0, m.start - 24), m.start)))


def value_fell(m: Mention, text: str) -> bool:
    """A bare fall verb after a measure ("Vekten har falt", "CRP er faldet"): not a fall."""
    return bool(_MEASURE_FELL.search(text, max(0, m.start - 40), m.start)) and bool(_FALL_VERB.fullmatch(text[m.start:m.end]))


#: After a tiredness word: a body part, so it is local, not malaise ("Træthed i benene efter
#: 200 meters gang" is claudication; "trett i hodet etter skjermarbeid").
_LOCAL_AFTER = fastre.compile(r"(?i)\s*(?:i|kring|omkring|rundt)\s+(?:begge\s+)?(?:bena|beina|benene|beinet|benet|låra|lårene|"
                              r"lårene|leggene|leggane|armene|armane|armen|nakken|ryggen|musklene|musklane|musklerne|hodet|hovudet|"
                              r"hovedet|øynene|auga|øjnene|skuldrene|skuldrane|skuldrene|hendene|hendane|hænderne|føttene|fødderne)\b")


def local_tiredness(m: Mention, text: str) -> bool:
    """A tiredness of one body part ("trett i beina"): not general malaise."""
    return bool(_LOCAL_AFTER.match(text, m.end))
