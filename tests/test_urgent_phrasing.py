"""Urgent red flags in plain words (issue 10): a deficit that is getting worse (strength
that keeps falling, a grade lower than at the last examination, heel or toe walking lost,
a foot that drags more and more) and cauda equina described by what the patient feels or
cannot do (genitals numb, the saddle not felt on a bicycle, no voiding for hours). The
rules alone must read each as its flag and escalate; a deficit that is not worsening, a
denied worsening ("Ingen forverring av pareser") and normal function must not be read as
the urgent flag. Own wording, nb/nn/da."""
import pytest

from phrasing_cases import appended


URGENT = [
    ("nb", "cauda_equina", "Forteller at hun ikke kjenner noe når hun tørker seg."),
    ("nn", "cauda_equina", "Han kjenner ikkje når avføringa kjem."),
    ("da", "cauda_equina", "Hun mærker ikke, når afføringen kommer."),
    ("nb", "cauda_equina", "Svak stråle og følelse av ufullstendig tømming."),
    ("da", "cauda_equina", "Svag stråle og fornemmelse af ufuldstændig tømning."),
    ("nb", "progressive_neuro_deficit", "Pareserne i høyre fot har blitt mer uttalt siste døgn."),
    ("nb", "progressive_neuro_deficit", "Klarer ikke lenger å gå på hælene, det har kommet i løpet av de siste dagene og blir verre."),
    ("nb", "progressive_neuro_deficit", "Kraften i venstre ben blir stadig dårligere."),
    ("nb", "progressive_neuro_deficit", "Dorsalfleksjon M4 ved forrige kontroll, nå M2."),
    ("nb", "progressive_neuro_deficit", "Tiltakende droppfot venstre."),
    ("nb", "progressive_neuro_deficit", "Utfall fra flere nerverøtter i begge ben."),
    ("nn", "progressive_neuro_deficit", "Kraftsvikten i foten har auka sidan måndag."),
    ("nn", "progressive_neuro_deficit", "Ho slepar meir og meir på venstre fot."),
    ("nn", "progressive_neuro_deficit", "Stadig svakare i beina, no kan ho ikkje gå på tå."),
    ("da", "progressive_neuro_deficit", "Kraften i højre ben aftager dag for dag."),
    ("da", "progressive_neuro_deficit", "Tiltagende dropfod siden i går."),
    ("da", "progressive_neuro_deficit", "Han kan ikke længere gå på hælene, og det er blevet værre over to døgn."),
    ("da", "progressive_neuro_deficit", "Parese af storetåens ekstensor, progredierende."),
    ("da", "progressive_neuro_deficit", "Neurologien forværres hurtigt."),
    ("nb", "cauda_equina", "Kjenner ikke toalettpapiret når han tørker seg."),
    ("nb", "cauda_equina", "Har ikke tisset siden i går morges selv om han er tissetrengt."),
    ("nb", "cauda_equina", "Nummen rundt endetarmsåpningen og på innsiden av lårene."),
    ("nb", "cauda_equina", "Kjenner ikke om hun er våt eller tørr nedentil."),
    ("nn", "cauda_equina", "Kjenner ikkje når ho tørkar seg etter toalettbesøk."),
    ("nn", "cauda_equina", "Har ikkje late vatnet på 12 timar trass i trong."),
    ("da", "cauda_equina", "Kan ikke mærke toiletpapiret, når hun tørrer sig."),
    ("da", "cauda_equina", "Har ikke kunnet lade vandet siden i aftes."),
    ("da", "cauda_equina", "Følelsesløs omkring penis og pung siden i går."),
    ("da", "cauda_equina", "Han mærker ikke, når han sidder på cykelsadlen."),
    ("nb", "progressive_neuro_deficit", "Kraft i stortåekstensjon 3/5, var 5/5 for en uke siden."),
    ("nn", "progressive_neuro_deficit", "Hælgang: kraft M5 førre veke, no M3."),
    ("da", "progressive_neuro_deficit", "Dorsalfleksion faldet fra M4 til M2 på tre dage."),
    # difficulty, not only inability, holding urine or stool
    ("nb", "cauda_equina", "Har vanskelig for å holde på avføringen siden helgen."),
    ("nb", "cauda_equina", "Sliter med å holde tett, særlig når han reiser seg."),
    ("nb", "cauda_equina", "Siste døgn har hun hatt problemer med å holde på urinen."),
    ("nn", "cauda_equina", "Ho har fått vanskar med å halde på urinen."),
    ("da", "cauda_equina", "Han har svært ved at holde på afføringen."),
    ("da", "cauda_equina", "Besvær med at holde tæt siden i går aftes."),
]

NOT_URGENT = [
    ("nb", "Kjenner ikke noe unormalt i setet eller skrittet."),
    ("da", "Mærker ikke noget usædvanligt ved afføringen."),
    ("nb", "Ingen forverring av pareser siste uke."),
    ("nb", "Kraften er bedre enn ved forrige kontroll."),
    ("da", "Stabil let parese af storetåen gennem 3 måneder."),
    ("nn", "Kraft M5 i alle myotom, ingen utfall."),
    ("nb", "Ingen problemer med vannlating eller avføring."),
    ("da", "Vandlader normalt, mærker toiletpapiret."),
    ("nb", "Kraft M5 i hofteflektorer, M4 i dorsalfleksjon."),
    ("nb", "Dorsalfleksjon M3 forrige uke, nå M5."),
    ("nb", "Ingen vansker med å holde på urin eller avføring."),
    ("nb", "Han har ikke problemer med å holde på vannet."),
    ("nn", "Ingen problem med å halde på avføringa."),
    ("da", "Ingen problemer med at holde på vandet eller afføringen."),
]


def _check(monkeypatch, lang: str, sentence: str) -> dict:
    return appended(monkeypatch, lang, sentence)


@pytest.mark.parametrize("lang, code, sentence", URGENT)
def test_the_urgent_flag_is_read_and_escalated(monkeypatch, lang, code, sentence):
    report = _check(monkeypatch, lang, sentence)
    assert code in {f["code"] for f in report["red_flags"]}, report["red_flags"]
    assert report["action"] == "escalate"


@pytest.mark.parametrize("lang, sentence", NOT_URGENT)
def test_stable_denied_or_normal_function_is_not_the_urgent_flag(monkeypatch, lang, sentence):
    report = _check(monkeypatch, lang, sentence)
    assert not {f["code"] for f in report["red_flags"]} & {"progressive_neuro_deficit", "cauda_equina"}
    assert report["action"] != "escalate"
