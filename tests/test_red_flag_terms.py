"""Every red-flag term of the lexicons is read in a plain sentence, and not when negated.

A lexicon term that the pipeline cannot read back is a silent hole: found this way were
Danish unit symbols at the end of a sentence ("Han har tabt 6 kg." — spaCy kept "kg." as
one token, so no quantity pattern saw the unit) and "utilsiktet vekttap" / "uønsket
vekttap" read away as an *intended* loss. Each term (``#num`` → a number, a trailing
``*`` → a common ending) is put in a short referral, affirmed and after "Ingen".
"""
from __future__ import annotations

import json

import pytest

import refcheck
from refcheck.nlp.context import NEGATORS
from refcheck.paths import lexicon_dir

AFFIRMED = {
    "nb": "Mann 58 år med korsryggsmerter i 3 uker. Han har {term}. Spm: årsak?",
    "nn": "Mann 58 år med korsryggsmerter i 3 veker. Han har {term}. Spm: årsak?",
    "da": "Mand 58 år med lændesmerter i 3 uger. Han har {term}. Spm: årsag?",
}
NEGATED = {
    "nb": "Mann 58 år med korsryggsmerter i 3 uker. Ingen {term}. Spm: årsak?",
    "nn": "Mann 58 år med korsryggsmerter i 3 veker. Ingen {term}. Spm: årsak?",
    "da": "Mand 58 år med lændesmerter i 3 uger. Ingen {term}. Spm: årsag?",
}
#: Terms this template cannot carry, each with the reason (not failures of reading).
NOT_IN_TEMPLATE = {
    # "Han har snublet": stumbling alone is read as weakness ("snubler i dørstokker"), a fall needs more
    ("nb", "snublet"), ("nn", "snubla"),
    # "Han har ikke seg selv": the idiom needs its verb ("har ikke vært seg selv" is read)
    ("nb", "ikke seg selv"), ("nn", "ikkje seg sjølv"), ("da", "ikke sig selv"),
}
#: "Ingen forverring av pareser": "ingen forverring" is a pseudo-trigger (stable course),
#: so the red flag stays affirmed — a false alarm (safe direction), left as it is.
NEGATION_KNOWN = {"forverring av pareser", "forverring av parese", "forverring av nevrologiske utfall",
                  "forværring af parese", "forværring af pareser", "forværring af neurologiske udfald"}


def _fill(term: str) -> str:
    term = term.replace("#num", "6")
    return term[:-1] + "en" if term.endswith("*") else term.replace("*", "")


def _entries():
    for lang in AFFIRMED:
        for line in (lexicon_dir() / lang / "red_flags.jsonl").read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            yield pytest.param(lang, entry, id=entry["id"])


def _codes(text: str, lang: str) -> set[str]:
    return {f["code"] for f in refcheck.check(text, language=lang).to_dict()["red_flags"]}


@pytest.mark.parametrize("lang,entry", list(_entries()))
def test_red_flag_terms_are_read(lang, entry):
    missed, negated_read = [], []
    for raw in entry["terms"]:
        term = _fill(raw)
        if (lang, term) in NOT_IN_TEMPLATE:
            continue
        if entry["code"] not in _codes(AFFIRMED[lang].format(term=term), lang):
            missed.append(term)
        own_negation = any(w in NEGATORS for w in term.lower().split())  # "Ingen ikke lindret …" says nothing
        if term not in NEGATION_KNOWN and not own_negation and entry["code"] in _codes(NEGATED[lang].format(term=term), lang):
            negated_read.append(term)
    assert not missed, f"affirmed but not read: {missed}"
    assert not negated_read, f"read although negated: {negated_read}"
