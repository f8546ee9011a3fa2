"""Red flags of the history written the way clinicians abbreviate or tell them (issue 10):
a back operation weeks ago (risk of postoperative infection), bacterial infections and
intravenous drug use by other names, cancers as "ca. recti", "c. mammae", "prostata-ca",
a carcinoid or an expansive process, steroids by brand or abbreviation ("Medrol",
"Pred. 5 mg"), and a blow from a heavy object. Each, appended to a referral that is
otherwise declined, must be read by the rules alone; an old operation, a planned one, a
relative's, a denied cancer and lifting something heavy must not be. Own wording, nb/nn/da."""
import pytest

from phrasing_cases import appended


#: A bacteraemia read as a systemic infection is as good as a risk of infection.
ALSO = {"infection_risk": {"fever_infection"}}

STATED = [
    # an earlier bacterial infection (003 Tabel 1: tidligere bakterielle infektioner)
    ("nb", "infection_risk", "Var innlagt med sepsis for tre uker siden, fikk antibiotika intravenøst."),
    ("nn", "infection_risk", "Hadde urosepsis for fem veker sidan."),
    ("da", "infection_risk", "Indlagt med urosepsis for en måned siden."),
    # a suspected infection at a site, in the tentative diagnosis or the question
    ("nb", "fever_infection", "Spørsmål: Dyp infeksjon i operasjonsområdet?"),
    ("da", "fever_infection", "Tentativ diagnose: lokal infektion ved indstiksstedet."),
    ("nn", "fever_infection", "Spørsmål: Abscess i spinalkanalen?"),
    ("nb", "infection_risk", "Ble operert for prolaps for fem uker siden, nå tiltakende smerter."),
    ("nb", "infection_risk", "Ryggoperert (dekompresjon L4/L5) for 3 uker siden."),
    ("nn", "infection_risk", "Operert i ryggen for ein månad sidan, no meir vondt."),
    ("nn", "infection_risk", "Prolapsoperasjon for to veker sidan."),
    ("da", "infection_risk", "Rygopereret for 4 uger siden med stivgørende operation."),
    ("da", "infection_risk", "Diskusoperation for seks uger siden, nu nye smerter."),
    ("nb", "infection_risk", "Hadde bakteriemi med gule stafylokokker i høst."),
    ("da", "infection_risk", "Bakteriæmi for tre uger siden."),
    ("nb", "infection_risk", "Behandlet for gonoré for to uker siden."),
    ("da", "infection_risk", "Klamydia for en måned siden."),
    ("nb", "infection_risk", "Injiserer amfetamin."),
    ("da", "infection_risk", "Tidligere IV-misbruger, stadig aktiv."),
    ("nb", "malignancy", "Operert for ca. recti i 2019."),
    ("nb", "malignancy", "Tidligere ca. ventrikkel."),
    ("da", "malignancy", "Kendt c. mammae med spredning."),
    ("nn", "malignancy", "Prostata-ca, behandla med hormon."),
    ("da", "malignancy", "Karcinoid i tyndtarmen for år tilbage."),
    ("nb", "malignancy", "CT viste en ekspansiv prosess i bekkenet."),
    ("nb", "steroid_use", "Bruker Medrol fast."),
    ("da", "steroid_use", "Prednisolon 5 mg dgl. i to år."),
    ("nb", "steroid_use", "Står på Prednisolon 10 mg."),
    ("nb", "steroid_use", "Pred. 5 mg daglig siden i fjor."),
    ("da", "steroid_use", "Hydrocortison-substitution pga. binyrebarkinsufficiens."),
    ("nb", "trauma", "Fikk en tung pall over seg på lageret."),
    ("nb", "trauma", "Ble truffet av en fallende gren i skogen."),
    ("da", "trauma", "Blev ramt af en tung kasse i nakken."),
    ("nn", "trauma", "Fekk ein stein i ryggen då han arbeidde i steinbrotet."),
    ("nb", "trauma", "Ble slengt av hesten og landet på ryggen."),
    ("da", "trauma", "Blev kastet af hesten og landede på lænden."),
]

NOT_STATED = [
    ("nb", "Ingen infeksjon i operasjonsområdet ved kontroll."),
    ("da", "Såret er pænt, ingen tegn på lokal infektion."),
    ("nb", "Ryggoperert for 12 år siden, ingen plager etterpå."),
    ("da", "Opereret for diskusprolaps i 2015."),
    ("nb", "Mor hadde ca. mammae."),
    ("nb", "Mor ble ryggoperert for to uker siden."),
    ("nb", "Skal opereres for prolaps om to uker."),
    ("da", "Han løftede en tung kasse og fik ondt i ryggen."),
    ("nb", "Bar en tung kasse opp trappen og kjente et smell i ryggen."),
    ("da", "Ingen tidligere ca. mammae."),
]

CODES = {"infection_risk", "fever_infection", "malignancy", "steroid_use", "trauma"}


def _check(monkeypatch, lang: str, sentence: str) -> dict:
    return appended(monkeypatch, lang, sentence)


@pytest.mark.parametrize("lang, code, sentence", STATED)
def test_the_history_flag_is_read(monkeypatch, lang, code, sentence):
    report = _check(monkeypatch, lang, sentence)
    assert {f["code"] for f in report["red_flags"]} & ({code} | ALSO.get(code, set())), report["red_flags"]
    assert report["action"] != "decline"


@pytest.mark.parametrize("lang, sentence", NOT_STATED)
def test_old_planned_relatives_denied_or_lifted_is_not(monkeypatch, lang, sentence):
    report = _check(monkeypatch, lang, sentence)
    assert not {f["code"] for f in report["red_flags"]} & CODES, report["red_flags"]
