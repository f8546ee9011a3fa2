"""Look-alikes that must not be read as the patient's red flag (issue 10: the cost side of
the safety work; every false alarm is a referral the desk reviews by hand). A relative, a
spouse or a colleague had it; it is planned, advised or a warning sign the patient has been
told about; the patient denies it ("avkrefter", "afkræfter"); the words between a composed
concept's parts negate it ("vaknar ikkje av smertene"); the patient is pain-free at rest;
an accident or a spinal puncture years ago; a crooked tooth or finger; "datteren" is not
"datt" (fell); a weight loss on medicine or with training. Each must not be read as a red
flag by the rules; the same words stated of the patient now must be (the second table).
Own wording, nb/nn/da."""
import pytest

from phrasing_cases import appended, flags


NOT_THE_PATIENTS = [
    ("nb", "Datteren hans ble operert for brudd i vinter."),
    ("nb", "Kona hans har nattlige smerter etter en operasjon."),
    ("nn", "Mannen hennar har vakna av smerter kvar natt i vinter."),
    ("da", "Hendes mand har konstante smerter efter et fald."),
    ("nb", "Kollegaen falt ned fra stillaset, pasienten sto på bakken."),
    ("nb", "Planlagt epidural injeksjon om to uker."),
    ("nn", "Det er planlagt lumbalpunksjon neste veke."),
    ("da", "Der er planlagt en rodblokade i næste måned."),
    ("nb", "Hun skal være obs på feber de neste dagene."),
    ("nb", "Han vet at nummenhet i setet er et faresignal."),
    ("nb", "Avkrefter nattesmerter og feber."),
    ("nn", "Avkreftar nummenheit i setet."),
    ("da", "Afkræfter feber og natlige smerter."),
    ("nn", "Ho vaknar ikkje av smertene."),
    ("nb", "Smertefri i hvile, vondt ved løft."),
    ("da", "Smertefri i hvile, ondt ved bæring."),
    ("nb", "Bilulykke for 20 år siden, helt restituert."),
    ("da", "Faldt ned fra en stige for 15 år siden uden følger."),
    ("nn", "Lumbalpunksjon for ti år sidan, utan komplikasjonar."),
    ("da", "Skæve tænder, går til tandlæge."),
    ("nb", "Skjev lillefinger etter gammelt brudd."),
    ("nb", "Datteren har hatt nattesmerter i vekstperioden."),
    ("nb", "Har gått ned 9 kg på Wegovy, som planlagt."),
    ("nn", "Ned 5 kg sidan ho byrja å trena og la om kosthaldet."),
]

THE_PATIENTS = [
    ("nb", "trauma", "Han falt ned fra stillaset i går."),
    ("nb", "infection_risk", "Fikk epidural injeksjon for ti dager siden."),
    ("nn", "night_rest_pain", "Ho vaknar av smertene kvar natt."),
    ("da", "night_rest_pain", "Hun har konstante smerter, også i hvile."),
    ("nb", "trauma", "Bilulykke for to uker siden."),
    ("da", "fever_infection", "Har haft feber og natlige smerter."),
]


def _flags(monkeypatch, lang: str, sentence: str) -> set[str]:
    return flags(appended(monkeypatch, lang, sentence))


@pytest.mark.parametrize("lang, sentence", NOT_THE_PATIENTS)
def test_a_look_alike_is_not_the_patients_red_flag(monkeypatch, lang, sentence):
    assert not _flags(monkeypatch, lang, sentence)


@pytest.mark.parametrize("lang, code, sentence", THE_PATIENTS)
def test_the_same_words_of_the_patient_now_are(monkeypatch, lang, code, sentence):
    assert code in _flags(monkeypatch, lang, sentence)
