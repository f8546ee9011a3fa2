"""Failure classes found by a fresh writer's referrals (eval/fresh_writers.jsonl, issue 10),
each tested here in our own wording, nb/nn/da, with the reading that must not change.

- A comma part that tells an onset or a course is a new statement, not an item of the
  negated list before it: "Ingen parestesier, urinretensjon siden i natt" states retention.
- Danish "nej til" negates what follows it ("Nej til feber, nej til vægttab").
- The pain being (almost) gone is improvement; sensation or strength that is gone is not,
  nor is a pain gone in one clause while the next tells of something new.
- Nynorsk "dette" is mostly the pronoun "this": only "dett på/ned/i …" is a fall.
- "29 å." is an age and "x 4 dg." a duration (Danish shorthand).
"""
from __future__ import annotations

import pytest

import refcheck
from refcheck.facts.quantities import age, durations

LBP = {
    "nb": "MR LS. Mann 44 år, vondt i korsryggen i 3 uker. {s}",
    "nn": "MR LS. Mann 44 år, vondt i korsryggen i 3 veker. {s}",
    "da": "MR LS. Mand 44 år, lændesmerter i 3 uger. {s}",
}


def check(lang: str, sentence: str) -> dict:
    return refcheck.check(LBP[lang].format(s=sentence), language=lang).to_dict()


def flags(report: dict) -> set[str]:
    return {f["code"] for f in report["red_flags"]}


ONSET_AFTER_A_NEGATED_ITEM = [
    ("nb", "cauda_equina", "Ingen nummenhet i beina, urinretensjon siden i går kveld."),
    ("nb", "night_rest_pain", "Ingen utstråling, tiltakende smerter om natten."),
    ("nb", "fever_infection", "Ikke traume, feber siden mandag."),
    ("nn", "cauda_equina", "Ingen utstråling, urinretensjon sidan i natt."),
    ("nn", "night_rest_pain", "Ikkje nummenheit, aukande verk om natta."),
    ("da", "cauda_equina", "Ingen udstråling, urinretention siden i nat."),
    ("da", "night_rest_pain", "Ingen paræstesier, tiltagende natlige smerter."),
]


@pytest.mark.parametrize("lang,code,sentence", ONSET_AFTER_A_NEGATED_ITEM)
def test_an_onset_after_a_negated_item_is_a_new_statement(lang, code, sentence):
    report = check(lang, sentence)
    assert code in flags(report), (sentence, flags(report))
    assert report["action"] != "decline"


NEGATED_LISTS_WITH_A_TIME_FRAME = [
    ("nb", "Ingen feber, vekttap eller nattesmerter siden jul."),
    ("nb", "Ingen feber, nattesvette eller vekttap."),
    ("nn", "Ikkje feber, vekttap eller nattesmerter sidan i haust."),
    ("da", "Ingen feber, vægttab eller natlige smerter siden nytår."),
]


@pytest.mark.parametrize("lang,sentence", NEGATED_LISTS_WITH_A_TIME_FRAME)
def test_a_negated_list_keeps_its_time_frame(lang, sentence):
    report = check(lang, sentence)
    assert not flags(report), (sentence, flags(report))
    assert report["action"] == "decline"


@pytest.mark.parametrize("sentence", [
    "Nej til feber, nej til vægttab, ingen vandladningsgener.",
    "Nej til natlige smerter og nej til tidligere kræft.",
])
def test_danish_nej_til_negates(sentence):
    report = check("da", sentence)
    assert not flags(report), flags(report)
    assert report["action"] == "decline"


def test_danish_nej_til_leaves_the_next_statement_alone():
    report = check("da", "Nej til feber. Han har tabt 9 kg uden at ville det.")
    assert "weight_loss" in flags(report)


ROOT = {
    "nb": "MR LS. Kvinne 38 år med isjias i 5 mnd. {s} Lasègue pos. 40 grader.",
    "nn": "MR LS. Kvinne 38 år med isjias i 5 månader. {s} Lasègue pos. 40 grader.",
    "da": "MR LS. 38-årig kvinde med iskias i 5 mdr. {s} Lasègue pos. 40 grader.",
}


@pytest.mark.parametrize("lang,sentence", [
    ("nb", "Beinsmertene er nå så godt som borte."),
    ("nb", "Vondtet i leggen har gitt seg."),
    ("nn", "Smertene i foten er borte no."),
    ("da", "Bensmerterne er næsten væk nu."),
    ("da", "Smerterne er stort set væk."),
])
def test_pain_that_is_gone_is_improvement(lang, sentence):
    report = refcheck.check(ROOT[lang].format(s=sentence), language=lang).to_dict()
    assert report["history"]["improving"] is True


@pytest.mark.parametrize("lang,sentence", [
    ("nb", "Følelsen i stortåa er nesten borte."),
    ("nb", "Kraften i foten er nesten borte, og smertene er verre."),
    ("nb", "Smertene har ikke gitt seg."),
    ("nb", "Smertene er borte, men hun har fått droppfot."),
    ("da", "Kraften i foden er næsten væk, smerterne er værre."),
    ("da", "Smerterne er ikke gået over."),
    ("nb", "Utstrålende smerter bort mot kneet."),
    ("nb", "Smertene har gått over i hele beinet."),
    ("nb", "Vekkes av smerter flere ganger hver natt."),
    ("da", "Smerterne vækker hende om natten."),
])
def test_gone_sensation_or_strength_or_pain_not_gone_is_not_improvement(lang, sentence):
    report = refcheck.check(ROOT[lang].format(s=sentence), language=lang).to_dict()
    assert report["history"]["improving"] is not True
    assert report["action"] != "decline"


def test_nynorsk_pronoun_dette_is_not_a_fall():
    report = check("nn", "Eg meiner dette er vanlege ryggsmerter. Lasègue neg., nevrologisk normal.")
    assert report["action"] == "decline"
    assert not [f for f in report["findings"] if f["rule"] == "SAFE-001"]


def test_nynorsk_dett_paa_is_still_seen():
    report = check("nn", "Ho dett på glatta i går. Lasègue neg.")
    assert report["action"] != "decline"


@pytest.mark.parametrize("text,expected", [
    ("Pt. 29 å., mand, akut lumbago.", 29),
    ("Jens, 61 å. mand med lændesmerter.", 61),
])
def test_danish_short_age(text, expected):
    assert age(text).value == expected


@pytest.mark.parametrize("text,weeks", [
    ("Akut lumbago x 4 dg.", 0.6),
    ("Smerter i 10 dg", 1.4),
])
def test_days_as_dg(text, weeks):
    assert durations(text)[0].value == weeks


@pytest.mark.parametrize("lang,sentence", [
    ("nb", "Ingen utstråling, nattesmerter."),
    ("nb", "Ikke traume, vekttap."),
    ("nn", "Ikkje utstråling, nattesveitte."),
    ("da", "Ingen udstråling, natlige smerter."),
])
def test_a_two_part_list_without_coordinator_is_never_declined(lang, sentence):
    """Whether the negator reaches past the comma is a guess: manual, not decline."""
    report = check(lang, sentence)
    assert report["action"] == "manual", report["action"]
    assert [f for f in report["findings"] if f["rule"] == "SAFE-001"]


@pytest.mark.parametrize("lang,sentence", [
    ("nb", "Ingen feber, nattesvette, vekttap."),
    ("nb", "Ingen utstråling, ingen nattesmerter."),
    ("nn", "Sjølv frisk, ikkje vekttap, søv godt om natta."),
    ("da", "Ingen feber, nattesved, vægttab."),
    ("da", "Ingen udstråling, normal vandladning."),
])
def test_a_negated_list_or_a_second_negation_may_still_be_declined(lang, sentence):
    assert check(lang, sentence)["action"] == "decline"


@pytest.mark.parametrize("lang,sentence", [
    ("nb", "Henvises for å utelukke cauda equina."),
    ("nb", "Kan cauda equina utelukkes?"),
    ("nn", "Ønskjer å utelukke cauda equina."),
    ("da", "MR mhp. at udelukke cauda equina-syndrom."),
])
def test_a_request_to_rule_out_an_emergency_is_never_declined(lang, sentence):
    """Unlike a cancer the referrer wants excluded (declined without red flags), a cauda
    equina the referrer wants excluded tells a suspicion of an emergency: manual."""
    report = check(lang, sentence)
    assert report["action"] == "manual", report["action"]
    assert [f for f in report["findings"] if f["rule"] == "SAFE-001"]


@pytest.mark.parametrize("lang,sentence", [
    ("nb", "Cauda equina ble utelukket ved MR i fjor."),
    ("da", "Ingen tegn på cauda equina."),
])
def test_a_done_or_denied_emergency_may_still_be_declined(lang, sentence):
    assert check(lang, sentence)["action"] == "decline"


@pytest.mark.parametrize("lang,sentence", [
    ("nb", "Blære- og tarmfunksjon upåfallende."),
    ("nn", "Blære- og tarmfunksjon upåfallande."),
    ("da", "Vandladning og afføring som sædvanlig."),
    ("da", "Blære og tarm: upåfaldende."),
])
def test_normal_bladder_and_bowel_after_the_words_may_be_declined(lang, sentence):
    assert check(lang, sentence)["action"] == "decline"


@pytest.mark.parametrize("lang,sentence", [
    ("nb", "Blærefunksjon upåfallende, men nummen i setet siden i går."),
    ("da", "Afføring som sædvanlig, men han kan ikke mærke, når han skal tisse."),
])
def test_a_normal_function_does_not_hide_the_cauda_sign_after_it(lang, sentence):
    assert check(lang, sentence)["action"] == "escalate"


def test_nynorsk_trass_ends_a_negation():
    from refcheck.context import annotate

    text = "Ingen nummenheit trass kraftige nattesmerter."
    start = text.index("nattesmerter")
    assert not annotate(text, [(start, start + len("nattesmerter"))], language="nn")[0].negated
