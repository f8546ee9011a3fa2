"""Course phrases read as what they say, in every language (issue 10, course class).

Many ``not_improving`` phrases carry their own negation ("manglende bedring", "ingen
betring", "har ikke hjulpet", "uden at hjælpe"). ConText used to read that negation as
negating the phrase, so "no improvement" came out as ``improving``. Every course term of
the lexicons, embedded in a short referral, must give the course its entry names.
"""
from __future__ import annotations

import json

import pytest

import refcheck
from refcheck.paths import lexicon_dir

TEMPLATE = {
    "nb": "Kvinne 47 år med korsryggsmerter i 6 uker, {term}. Ønsker MR.",
    "nn": "Kvinne 47 år med korsryggsmerter i 6 veker, {term}. Ønskjer MR.",
    "da": "Kvinde 47 år med lændesmerter i 6 uger, {term}. Ønsker MR.",
}


def _terms():
    for lang in TEMPLATE:
        for line in (lexicon_dir() / lang / "course.jsonl").read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            if entry["code"] in ("improving", "not_improving"):
                yield lang, entry["code"], entry["terms"]


@pytest.mark.parametrize("lang,code,terms", list(_terms()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_course_term_reads_as_its_code(lang, code, terms):
    wrong = []
    for term in terms:
        got = refcheck.check(TEMPLATE[lang].format(term=term), language=lang).to_dict()["history"]["improving"]
        if got is not (code == "improving"):
            wrong.append(term)
    assert not wrong, f"{lang} {code} read as the opposite: {wrong}"


@pytest.mark.parametrize("lang,text", [
    ("nb", "Ryggsmerter i 6 uker. Ingen bedring på Ibux, har også prøvd fysioterapi."),
    ("nn", "Ryggsmerter i 6 veker, ingen betring på paracet."),
    ("da", "Lændesmerter i 6 uger, ingen bedring af Ipren."),
])
def test_course_negation_does_not_negate_the_treatment_after_it(lang, text):
    history = refcheck.check(text, language=lang).to_dict()["history"]
    assert history["improving"] is False
    assert history["prior_treatment"] is True
