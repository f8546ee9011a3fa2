"""General malaise and rest pain in lay words (issue 10; 003 Tabel 1: dårlig almen
tilstand, træthed, natlige smerter der ikke påvirkes af stillingsskift, konstante
non-mekaniske smerter): energy, appetite or strength lost, tiredness out of the ordinary,
pain as bad lying as walking, pain whatever the patient does, worse at rest than in
activity. Read by the rules alone; tiredness from the pain or from work, good energy, and
pain worse in activity than at rest are not the flag. Own wording, nb/nn/da."""
import pytest

from phrasing_cases import appended, flags


#: Appetite and strength lost may be read as a sign of cancer or of weight loss as well.
ALSO = {"general_malaise": {"malignancy", "weight_loss"}}

STATED = [
    ("nn", "general_malaise", "Uttalt trøyttheit dei siste vekene."),
    ("nn", "general_malaise", "Ho har kjent seg sjuk sidan september."),
    ("nb", "general_malaise", "Har kjent seg syk og uggen i flere uker."),
    ("nb", "general_malaise", "Ikke helt frisk på lenge, føles som en influensa som ikke går over."),
    ("da", "general_malaise", "Har følt sig syg og utilpas i flere uger."),
    ("da", "general_malaise", "Føler sig som om hun har influenza hele tiden."),
    ("nb", "general_malaise", "Hun har blitt skrøpelig og svak på kort tid."),
    ("nn", "general_malaise", "Alvorleg trøyttheit og redusert yteevne."),
    ("da", "general_malaise", "Markant træthed og nedsat almentilstand."),
    ("nb", "general_malaise", "Har ikke lenger noe overskudd og orker nesten ingenting."),
    ("nb", "general_malaise", "Påfallende trett den siste måneden."),
    ("nb", "general_malaise", "Svært lite energi og dårlig matlyst."),
    ("nb", "general_malaise", "Uvanlig sliten, selv etter en god natts søvn."),
    ("nb", "general_malaise", "Mistet matlysten og har lite krefter."),
    ("nn", "general_malaise", "Har mista matlysta og har lite krefter."),
    ("nn", "general_malaise", "Heilt utan energi dei siste vekene."),
    ("nn", "general_malaise", "Unormalt trøytt sjølv om ho søv godt."),
    ("da", "general_malaise", "Har ingen energi og har mistet appetitten."),
    ("da", "general_malaise", "Usædvanligt træt, selv efter en god nats søvn."),
    ("da", "general_malaise", "Helt uden overskud og spiser dårligt."),
    ("da", "general_malaise", "Ser bleg og grå ud og er meget træt."),
    ("nb", "night_rest_pain", "Smertene er der uansett stilling."),
    ("nb", "night_rest_pain", "Det er like vondt når hun ligger som når hun står."),
    ("nb", "night_rest_pain", "Verst mellom klokka tre og fem om natta."),
    ("nb", "night_rest_pain", "Smertene er verre i hvile enn i aktivitet."),
    ("nn", "night_rest_pain", "Det gjer like vondt anten ho ligg eller går."),
    ("nn", "night_rest_pain", "Smertene er der same kva ho gjer."),
    ("da", "night_rest_pain", "Smerterne er der uanset stilling."),
    ("da", "night_rest_pain", "Det gør lige så ondt, når han ligger, som når han går."),
    ("da", "night_rest_pain", "Smerterne er værre i hvile end ved aktivitet."),
]

NOT_STATED = [
    ("nb", "general_malaise", "Kraften er redusert i venstre fot."),
    ("nb", "general_malaise", "Trett i beina etter lange turer, forsvinner ved hvile."),
    ("da", "general_malaise", "Træthed i benene efter 200 meters gang."),
    ("nb", "general_malaise", "Føler seg frisk og i god form."),
    ("nb", "general_malaise", "Sliten av smertene om kvelden."),
    ("nb", "general_malaise", "Trett etter lange arbeidsdager, ellers i fin form."),
    ("da", "general_malaise", "Lidt træt pga. dårlig søvn på grund af smerterne."),
    ("nb", "general_malaise", "God energi og normal matlyst."),
    ("nn", "general_malaise", "Ho har god matlyst og mykje energi."),
    ("nb", "night_rest_pain", "Smertene er verre ved aktivitet enn i hvile."),
    ("nb", "night_rest_pain", "Bedre når hun ligger, verst når hun går."),
    ("da", "night_rest_pain", "Værre ved aktivitet, bedre i hvile."),
]


def _flags(monkeypatch, lang: str, sentence: str) -> set[str]:
    return flags(appended(monkeypatch, lang, sentence))


@pytest.mark.parametrize("lang, code, sentence", STATED)
def test_malaise_and_rest_pain_in_lay_words(monkeypatch, lang, code, sentence):
    assert _flags(monkeypatch, lang, sentence) & ({code} | ALSO.get(code, set()))


@pytest.mark.parametrize("lang, code, sentence", NOT_STATED)
def test_ordinary_tiredness_and_mechanical_pain_are_not(monkeypatch, lang, code, sentence):
    assert code not in _flags(monkeypatch, lang, sentence)


@pytest.mark.parametrize("lang, word", [("nb", "Har lite krefter igjen etter influensaen."),
                                        ("da", "Han har ikke mange kræfter tilbage.")])
def test_strength_is_not_cancer(monkeypatch, lang, word):
    assert "malignancy" not in _flags(monkeypatch, lang, word)  # "krefter"/"kræfter" is not "kreft"/"kræft"
