"""Red flags written as numbers (issue 10; refcheck/facts/measures.py): a temperature, two
body weights, a share of the body weight, a T-score, an inflammation marker with its value
or in words. Appended to a low-value referral that is otherwise declined, each stated
measure must be read as its red flag; the same numbers below a threshold, as a limit, in
advice, negated or of a relative must not be. Own wording, nb/nn/da."""
import pytest

from phrasing_cases import appended, flags


#: A reading as infection is as good as inflammation for raised infection parameters.
ALSO = {"inflammatory_signs": {"fever_infection"}}

STATED = [
    ("nb", "fever_infection", "Temp. 38,9 ved konsultasjonen."),
    ("da", "fever_infection", "Temp. 39,0 målt af hjemmeplejen."),
    ("nb", "weight_loss", "Han er 9 kg lettere enn i fjor høst."),
    ("nb", "weight_loss", "Veier nå 57 kg, tidligere stabilt 64."),
    ("da", "weight_loss", "Vejer 70 kg, normalt omkring 78."),
    ("nb", "osteoporosis", "Får Prolia-injeksjoner to ganger i året."),
    ("da", "osteoporosis", "Er i alendronat-behandling siden 2021."),
    ("da", "osteoporosis", "Lægen har sagt, at hun har skøre knogler."),
    ("nb", "weight_loss", "Veier 63 kg, var 70 kg i vår, ingen diett."),
    ("nn", "weight_loss", "Vekta er 60 kg, tidlegare 67 kg, utan at ho har prøvd å slanke seg."),
    ("da", "weight_loss", "Vægt 61 kg mod 68 kg sidste år, uden at hun har været på kur."),
    ("nb", "weight_loss", "Vekten har falt jevnt siden jul."),  # weight loss, and not a fall (trauma)
    ("nb", "fever_infection", "Temperaturen hjemme har vært 38,9 de siste kveldene."),
    ("nb", "fever_infection", "Hun målte 39,1 i går."),
    ("nb", "fever_infection", "Tempen lå rundt 38 hele helgen."),
    ("nb", "fever_infection", "Rektaltemp 38,6 ved konsultasjonen."),
    ("nb", "fever_infection", "Har hatt 38,8 °C i flere dager."),
    ("nn", "fever_infection", "Temperaturen var oppe i 39,2 i natt."),
    ("nn", "fever_infection", "Ho har hatt tempen på 38,3 fleire kveldar."),
    ("da", "fever_infection", "Temperaturen har ligget omkring 38,5 om aftenen."),
    ("da", "fever_infection", "Målt 38,7 i øret i morges."),
    ("da", "fever_infection", "Han har haft 39 i feber siden lørdag."),
    ("nb", "weight_loss", "Vekt nå 71 kg, var 79 kg i vår."),
    ("nb", "weight_loss", "Veier 64 kg mot 72 kg for et år siden."),
    ("nb", "weight_loss", "Vekten har falt fra 88 til 80 kg siden sommeren."),
    ("nn", "weight_loss", "Vekt 55 kg, tidlegare 61 kg."),
    ("da", "weight_loss", "Vægten er nu 70 kg (for et halvt år siden 77 kg)."),
    ("da", "weight_loss", "Vejer 59 kg, vejede 66 kg i januar."),
    ("nb", "weight_loss", "Har mistet omtrent 8 % av kroppsvekten siden nyttår."),
    ("da", "weight_loss", "Tabt 7 procent af sin vægt på et halvt år."),
    ("nb", "weight_loss", "Vekt: -5 kg siden jul."),
    ("nb", "osteoporosis", "Bentetthetsmåling viste T-score -3,1 i hoften."),
    ("nb", "osteoporosis", "DXA: T-score lumbalt -2,6."),
    ("nn", "osteoporosis", "T-score på -2,9 i lendeovergangen ved DXA i fjor."),
    ("da", "osteoporosis", "DXA-scanning med T-score på -3,0 i columna."),
    ("nb", "inflammatory_signs", "CRP har steget fra 4 til 45 på en uke."),
    ("nb", "inflammatory_signs", "Senkningen var 64."),
    ("nb", "inflammatory_signs", "SR på 52 mm."),
    ("nn", "inflammatory_signs", "Senkinga er høg, 70."),
    ("nn", "inflammatory_signs", "Inflammasjonsmarkørane er auka."),
    ("da", "inflammatory_signs", "Sænkningen er 58 mm."),
    ("da", "inflammatory_signs", "Forhøjede infektionstal ved blodprøver."),
    ("da", "inflammatory_signs", "CRP er steget til 60."),
    ("nb", "inflammatory_signs", "Blodprøver viser forhøyede infeksjonsparametre."),
]

NOT_STATED = [
    ("nb", "Veier 80 kg, tidligere rundt 78."),
    ("nn", "Vekta er 60 kg, tidlegare 67 kg, ho har prøvd å slanke seg."),  # intended
    ("nb", "Temp 37,2, ikke febril."),
    ("nb", "Ved temperatur over 38 skal hun ta kontakt."),
    ("da", "Hvis temperaturen stiger over 38,5 bedes hun henvende sig."),
    ("nb", "Fleksjon i hoften målt til 40 grader."),
    ("nb", "Vekt 80 kg, var 78 kg i fjor."),
    ("nb", "Vekt 82 kg, høyde 180 cm."),
    ("nb", "Gått ned fra 95 til 85 kg på slankekur."),
    ("nb", "DXA med T-score -1,4, osteopeni."),
    ("da", "T-score -1,8 i hoften."),
    ("nb", "CRP 3 og SR 8, normale blodprøver."),
    ("nb", "CRP gikk ned fra 40 til 4 etter antibiotika."),
    ("nb", "Ingen feber, temp 37,4 ved kontroll."),
    ("nn", "Dersom tempen går over 38,5 skal ho ringje legevakta."),
    ("da", "Moderen havde feber på 39 i sidste uge."),
    ("nb", "Ved vektnedgang over 5 kg ta kontakt igjen."),
    ("da", "Vægten er uændret, 74 kg nu som for et år siden."),
    ("nn", "Senkinga var normal, 12."),
    ("da", "CRP under 5 og normal sænkning."),
    ("nb", "Vekt 70 kg, var 74 kg før hun startet på diett."),
    ("da", "CRP er faldet til 8 efter behandlingen."),  # a value that falls is not a fall
]


def _flags(monkeypatch, lang: str, sentence: str) -> tuple[str, set[str]]:
    report = appended(monkeypatch, lang, sentence)
    return report["action"], flags(report)


@pytest.mark.parametrize("lang, code, sentence", STATED)
def test_a_stated_measure_is_its_red_flag(monkeypatch, lang, code, sentence):
    action, found = _flags(monkeypatch, lang, sentence)  # the rules alone
    assert found & ({code} | ALSO.get(code, set())), found
    assert action != "decline"


@pytest.mark.parametrize("lang, sentence", NOT_STATED)
def test_a_limit_advice_normal_value_or_relative_is_not(monkeypatch, lang, sentence):
    _, found = _flags(monkeypatch, lang, sentence)
    assert not found & {"fever_infection", "weight_loss", "osteoporosis", "inflammatory_signs", "trauma"}, found
