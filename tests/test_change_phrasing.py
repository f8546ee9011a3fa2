"""Deficits, deformities and morning stiffness told as change (issue 10): strength lost over
days, a deficit growing fast, upper motor neuron signs, a deformity described as new, and
stiffness that takes hours to wear off in the morning without the word "morgenstivhet".
The rules alone must read each; a recovered strength, a negative Babinski, full strength
beside a weak reflex, a known unchanged scoliosis, a new MR of a known scoliosis, a lump,
and ten minutes' stiffness must not be read as these flags. Own wording, nb/nn/da."""
import pytest

from phrasing_cases import appended, flags


STATED = [
    ("nb", "progressive_neuro_deficit", "Raskt økende nevrologiske utfall i beina."),
    ("nb", "progressive_neuro_deficit", "Tap av kraft i venstre arm de siste tre dagene."),
    ("nb", "progressive_neuro_deficit", "Babinski positiv på høyre side, økende spastisitet."),
    ("nn", "progressive_neuro_deficit", "Rask forverring av krafta i beina sidan i går."),
    ("nn", "progressive_neuro_deficit", "Han har mista krafta i armen på to dagar."),
    ("da", "progressive_neuro_deficit", "Hurtigt tiltagende udfald i begge ben."),
    ("da", "progressive_neuro_deficit", "Tab af kraft i højre hånd over nogle dage."),
    ("da", "progressive_neuro_deficit", "Positiv Babinski og tiltagende spasticitet."),
    ("nb", "deformity", "Ny kyfotisk vinkling ved Th12."),
    ("nb", "deformity", "Helsesøster har oppdaget en ny skjevhet i ryggen."),
    ("nn", "deformity", "Ho har fått ein ny, tydeleg skeiv rygg."),
    ("da", "deformity", "Ny, udtalt skoliose ved inspektion."),
    ("da", "deformity", "Skoliosen er tiltaget siden sidste år."),
    ("nb", "inflammatory_signs", "Om morgenen bruker han over en time før han kommer i gang."),
    ("nb", "inflammatory_signs", "Det tar to timer før ryggen løsner om morgenen."),
    ("nn", "inflammatory_signs", "Om morgonen tek det ein god time før ryggen løsnar."),
    ("da", "inflammatory_signs", "Om morgenen går der mindst en time, før hun kommer i gang."),
    ("da", "inflammatory_signs", "Ryggen er låst om morgenen i et par timer."),
]

NOT_STATED = [
    ("nb", "Kraften er tilbake etter tre uker med opptrening."),
    ("nb", "Babinski negativ bilateralt."),
    ("da", "Ingen tab af kraft, normal neurologi."),
    ("nb", "Kjent lett skoliose, uendret i mange år."),
    ("da", "Ny MR for at vurdere kendt skoliose."),
    ("nb", "Om morgenen er han litt stiv i ti minutter før han kommer i gang."),
    ("nb", "Lasègue neg. bilat., full kraft, refleks fortsatt noe svekket venstre."),
    ("nb", "Har merket en kul på låret som har blitt større."),
]

CODES = {"progressive_neuro_deficit", "deformity", "inflammatory_signs"}


def _flags(monkeypatch, lang: str, sentence: str) -> set[str]:
    return flags(appended(monkeypatch, lang, sentence))


@pytest.mark.parametrize("lang, code, sentence", STATED)
def test_change_is_read_as_the_flag(monkeypatch, lang, code, sentence):
    assert code in _flags(monkeypatch, lang, sentence)


@pytest.mark.parametrize("lang, sentence", NOT_STATED)
def test_stable_normal_or_short_is_not(monkeypatch, lang, sentence):
    assert not _flags(monkeypatch, lang, sentence) & CODES
