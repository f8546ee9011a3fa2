"""Failure classes found by a third fresh writer's referrals (eval/fresh_writers_c.jsonl,
issue 10), each tested here in our own wording, nb/nn/da, affirmed and negated:

- "Ingen av desse: feber, vekttap, …": a negator that points at a list after a colon
  negates the list ("ingen av disse" alone points back, at what came before);
- pain that keeps the patient from sleeping, with the subordinate word order ("så sterke
  at hun ikke får sove", "at han ikke kan sove"), and Nynorsk "òg" (also) at rest;
- night pain is pain at night: "om natten" alone is not ("sover godt om natten");
- a recent abscess or boil elsewhere is a recent bacterial infection (infection risk), a
  suspected spinal abscess is not that but suspected infection;
- a recent epidural or spinal block is a spinal procedure ("epiduralblokade");
- Danish "septisk artrit" (the -itis-less spelling) is a joint infection: emergency;
- "slapp analtonus" is a lax sphincter, not a slack patient (Nynorsk "slapp" alone is
  not malaise).
"""
from __future__ import annotations

import pytest

import refcheck
from phrasing_cases import appended, flags

COLON_LISTS = [
    ("nb", "Ingen av disse: feber, vekttap, nattesmerter eller problemer med vannlatingen."),
    ("nb", "Ingen av de følgende: kreft, steroidbruk, feber."),
    ("nn", "Ingen av desse: feber, vekttap, nattesmerter, vasslatingsproblem."),
    ("nn", "Ingen av følgjande: feber, kreft, vekttap."),
    ("da", "Intet af følgende: feber, vægttab, natlige smerter."),
    ("da", "Ingen af disse: feber, kræft eller vandladningsproblemer."),
]


@pytest.mark.parametrize("lang,sentence", COLON_LISTS)
def test_a_negator_before_a_colon_negates_the_list_after_it(monkeypatch, lang, sentence):
    report = appended(monkeypatch, lang, sentence)
    assert flags(report) == set(), (sentence, flags(report))
    assert report["action"] == "decline"


COLON_LISTS_THEN_AFFIRMED = [
    ("nb", "weight_loss", "Ingen av disse: feber, nattesmerter. Har gått ned 8 kg uten å prøve."),
    ("nn", "malignancy", "Ingen av desse: feber, vekttap. Tidlegare brystkreft."),
    ("da", "fever_infection", "Intet af følgende: vægttab, kræft. Har haft feber på 39 i tre dage."),
]


@pytest.mark.parametrize("lang,code,sentence", COLON_LISTS_THEN_AFFIRMED)
def test_the_colon_list_negation_ends_with_its_sentence(monkeypatch, lang, code, sentence):
    report = appended(monkeypatch, lang, sentence)
    assert code in flags(report), (sentence, flags(report))
    assert report["action"] != "decline"


KEPT_AWAKE = [
    ("nb", "Verken er så ille at hun ikke får sove om natten."),
    ("nb", "Han kan ikke sove for smerter."),
    ("nb", "Smertene kommer særlig om natten."),
    ("nn", "Det verkar så mykje at ho ikkje får sove om natta."),
    ("nn", "Smerta kjem no òg når ho kviler."),
    ("nn", "Han kan ikkje sove for verken."),
    ("da", "Smerterne er så slemme, at hun ikke kan sove om natten."),
    ("da", "Smerterne kommer især om natten."),
]


@pytest.mark.parametrize("lang,sentence", KEPT_AWAKE)
def test_pain_that_keeps_the_patient_awake_or_comes_at_rest(monkeypatch, lang, sentence):
    report = appended(monkeypatch, lang, sentence)
    assert "night_rest_pain" in flags(report), (sentence, flags(report))
    assert report["action"] != "decline"


NOT_NIGHT_PAIN = [
    ("nb", "Sover godt om natten."),
    ("nb", "Ingen smerter om natten."),
    ("nn", "Søv godt om natta."),
    ("nn", "Han har ikkje vondt om natta."),
    ("da", "Ingen smerter om natten."),
    ("da", "Sover godt om natten."),
]


@pytest.mark.parametrize("lang,sentence", NOT_NIGHT_PAIN)
def test_the_night_alone_is_not_night_pain(monkeypatch, lang, sentence):
    report = appended(monkeypatch, lang, sentence)
    assert "night_rest_pain" not in flags(report), (sentence, flags(report))
    assert report["action"] == "decline"


@pytest.mark.parametrize("lang,sentence", [
    ("nb", "Smertefri om natten."),
    ("nb", "Ryggen er bedre om natten."),
    ("da", "Smertefri om natten."),
])
def test_pain_free_or_better_at_night_is_no_red_flag(monkeypatch, lang, sentence):
    report = appended(monkeypatch, lang, sentence)
    assert "night_rest_pain" not in flags(report), (sentence, flags(report))


RECENT_INFECTION_ELSEWHERE = [
    ("nb", "Fikk drenert en abscess i lysken for tre uker siden."),
    ("nb", "Nylig behandlet for en byll på ryggen med antibiotika."),
    ("nn", "Fekk behandla ein absess på leggen for to veker sidan."),
    ("da", "Havde en byld i armhulen for 14 dage siden, behandlet med penicillin."),
    ("da", "Nylig dræneret absces på låret."),
]


@pytest.mark.parametrize("lang,sentence", RECENT_INFECTION_ELSEWHERE)
def test_a_recent_abscess_elsewhere_is_an_infection_risk(monkeypatch, lang, sentence):
    report = appended(monkeypatch, lang, sentence)
    assert "infection_risk" in flags(report), (sentence, flags(report))
    assert report["action"] != "decline"


@pytest.mark.parametrize("lang,text", [
    ("nb", "MR LS. Mann 60 år med feber og ryggsmerter i 1 uke. Spm: epidural abscess?"),
    ("da", "MR af lænden. Mand 60 år med feber og lændesmerter i 1 uge. Obs. spinal absces siden i går."),
])
def test_a_suspected_spinal_abscess_is_suspected_infection_not_a_risk(lang, text):
    codes = {f["code"] for f in refcheck.check(text, language=lang).to_dict()["red_flags"]}
    assert "fever_infection" in codes
    assert "infection_risk" not in codes


@pytest.mark.parametrize("lang,sentence", [
    ("nb", "Aldri hatt abscess eller byll."),
    ("da", "Aldrig haft bylder."),
])
def test_a_denied_abscess_is_no_flag(monkeypatch, lang, sentence):
    report = appended(monkeypatch, lang, sentence)
    assert flags(report) == set(), (sentence, flags(report))


SPINAL_BLOCKS = [
    ("nb", "Fikk epiduralblokade ved fødselen for ti dager siden."),
    ("nn", "Fekk spinalanestesi ved kneoperasjonen for to veker sidan."),
    ("da", "Fik lagt epiduralblokade ved en hofteoperation for 12 dage siden."),
    ("da", "Spinalanæstesi ved operation for en uge siden."),
]


@pytest.mark.parametrize("lang,sentence", SPINAL_BLOCKS)
def test_a_recent_epidural_or_spinal_block_is_a_spinal_procedure(monkeypatch, lang, sentence):
    report = appended(monkeypatch, lang, sentence)
    assert "infection_risk" in flags(report), (sentence, flags(report))


@pytest.mark.parametrize("text", [
    "Akut MR af højre knæ. Kvinde 63 år, hævet og varmt knæ siden i går, temp. 38,7. Mistanke om septisk artrit.",
    "UL af venstre skulder. Mand 72 år med feber og hævet, rød skulder. Obs. bakteriel artrit?",
    "MR af hoften. Mand 38 år, fixer, 3 dage med hoftesmerter og feber 39. Obs. purulent artrit.",
])
def test_danish_septic_artrit_in_a_large_joint_is_an_emergency(text):
    report = refcheck.check(text, language="da").to_dict()
    assert report["appropriateness"] == "urgent", report["appropriateness"]
    assert report["action"] == "escalate"


def test_septic_artrit_denied_is_no_emergency():
    text = "Rtg af venstre knæ. Kvinde 66 år med kendt artrose. Ingen tegn på septisk artrit, afebril. Spm: progression?"
    report = refcheck.check(text, language="da").to_dict()
    assert report["appropriateness"] != "urgent"


@pytest.mark.parametrize("lang,text", [
    ("nn", "MR LS. Kvinne 52 år med ryggverk i 2 veker. Us: slapp analtonus og nedsett sensibilitet i setet."),
    ("nb", "MR LS. Mann 47 år med isjias. Funn: slapp sfinktertonus ved rektaleksplorasjon."),
])
def test_a_lax_sphincter_is_cauda_equina_not_malaise(lang, text):
    codes = {f["code"] for f in refcheck.check(text, language=lang).to_dict()["red_flags"]}
    assert "cauda_equina" in codes
    assert "general_malaise" not in codes


@pytest.mark.parametrize("sentence,malaise", [
    ("Han kjenner seg slapp og sjuk.", True),
    ("Ho er uvanleg trøytt og slapp.", True),
    ("Trøytt av smertene.", False),
])
def test_nynorsk_tired_is_malaise_only_with_illness_or_unusual(monkeypatch, sentence, malaise):
    report = appended(monkeypatch, "nn", sentence)
    assert ("general_malaise" in flags(report)) is malaise, (sentence, flags(report))


# ------------------------------------------------------------ verdicts and facts
@pytest.mark.parametrize("lang,text", [
    ("nb", "MR kne ve. Kvinne 78 år med kjent gonartrose fra røntgen i 2022. Trener i gruppe med god effekt. "
           "Hun ønsker ikke operasjon. Us: krepitasjon, lett varus. Spm: hvor langt har artrosen kommet?"),
    ("nn", "Rtg kne hø. Mann 71 år med kjend kneartrose. Ikkje aktuell for protese no. Spm: progresjon?"),
    ("da", "MR af højre knæ. Kvinde 80 år med kendt knæartrose, røntgenverificeret. Ikke operationskandidat. "
           "Obj.: krepitation. Spørgsmål: udvikling af artrosen?"),
])
def test_known_knee_arthrosis_with_surgery_ruled_out_is_low_value(lang, text):
    report = refcheck.check(text, language=lang).to_dict()
    assert report["appropriateness"] == "low_value"
    assert "NO-KNEE-006" in {f["rule"] for f in report["findings"]}


@pytest.mark.parametrize("lang,text", [
    ("nb", "Rtg kne hø. Kvinne 70 år med kneartrose og økende plager. Ønsker vurdering for operasjon. Spm: artrose?"),
    ("nb", "Rtg kne hø. Kvinne 70 år med kjent kneartrose, ikke aktuell for operasjon. Nå hovent, varmt kne og feber 39."),
    ("da", "Rtg af knæ. Mand 68 år med knæartrose. Henvises mhp. operation. Spørgsmål: artrosegrad?"),
])
def test_knee_arthrosis_before_surgery_or_with_red_flags_is_not_declined(lang, text):
    report = refcheck.check(text, language=lang).to_dict()
    assert report["action"] != "decline"
    assert "NO-KNEE-006" not in {f["rule"] for f in report["findings"]}


def test_known_hip_arthrosis_with_surgery_ruled_out_is_low_value():
    text = "Rtg hofte ve. Mann 74 år med kjent koksartrose, ikke aktuell for kirurgi. Spm: progresjon?"
    report = refcheck.check(text, language="nb").to_dict()
    assert report["appropriateness"] == "low_value"


@pytest.mark.parametrize("lang,text,age", [
    ("nn", "Vondt i korsryggen i 3 veker. Ønskjer MR. Ho er 58 år.", 58),
    ("nb", "Ryggsmerter siden jul. Pasienten er 47 år og jobber i barnehage.", 47),
    ("da", "Ondt i lænden i 3 uger. Han er 39 år.", 39),
])
def test_an_age_said_with_er(lang, text, age):
    report = refcheck.check(text, language=lang).to_dict()
    assert report["patient"]["age"] == age
    assert report["history"]["symptom_weeks"] != age * 52


def test_an_age_said_with_er_is_not_a_time_since():
    report = refcheck.check("Vondt i korsryggen i 2 uker. Det er 5 år siden han ble operert.", language="nb").to_dict()
    assert report["patient"]["age"] is None


@pytest.mark.parametrize("text,weeks", [
    ("Mann 34 år, vondt i korsryggen etter flytting for 14 dgr siden.", 2.0),
    ("Kvinne 40 år med lumbago i 7 dgr.", 1.0),
])
def test_dgr_is_days(text, weeks):
    assert refcheck.check(text, language="nb").to_dict()["history"]["symptom_weeks"] == weeks


@pytest.mark.parametrize("lang,text", [
    ("da", "Kiropraktor. Mand 41 år med smerter ned i højre ben til storetåen i 9 uger. Nedsat akillesrefleks højre. "
           "Diagnose: lumbal rodpåvirkning L5."),
    ("nb", "Mann 52 år med smerter som stråler ned i venstre fot i 8 uker. Akillesrefleks svekket ve. Diagnose: lumbalt prolaps?"),
])
def test_a_limb_a_pain_radiates_to_is_not_the_exam_region(lang, text):
    assert refcheck.check(text, language=lang).to_dict()["exam"]["region"] == "lumbar_spine"


@pytest.mark.parametrize("lang,text", [
    ("nb", "UL akillessene hø. Mann 45 år, smerter i akillessenen i 3 mnd."),
    ("da", "UL af venstre akillessene. Kvinde 50 år med hævelse over akillessenen."),
    ("nb", "Kvinne 30 år med vondt i ankelen etter vridning for 2 uker siden, fortsatt hoven."),
])
def test_the_achilles_tendon_and_a_sore_ankle_are_the_ankle(lang, text):
    assert refcheck.check(text, language=lang).to_dict()["exam"]["region"] == "ankle_foot"


@pytest.mark.parametrize("lang,sentence", [
    ("nb", "Tisser normalt."),
    ("nb", "Vannlater som normalt, ingen lekkasje."),
    ("nn", "Tissar normalt."),
    ("da", "Vandlader normalt."),
    ("da", "Intet vægttab eller feber, vandlader upåfaldende."),
])
def test_normal_voiding_is_no_alarm(monkeypatch, lang, sentence):
    report = appended(monkeypatch, lang, sentence)
    assert report["action"] == "decline", [f["rule"] for f in report["findings"]]


@pytest.mark.parametrize("lang,sentence", [
    ("nb", "Tisser normalt, men kjenner ikke når han har avføring."),
    ("da", "Vandlader normalt, men kan ikke mærke toiletpapiret."),
])
def test_normal_voiding_does_not_hide_the_next_clause(monkeypatch, lang, sentence):
    report = appended(monkeypatch, lang, sentence)
    assert report["action"] != "decline"


# ------------------------------------------------------------ course
@pytest.mark.parametrize("lang,text,improving", [
    ("nb", "Kvinne 49 år med ryggsmerter i 9 uker. Kiropraktor og øvelser, men uten nevneverdig effekt.", False),
    ("nb", "Mann 60 år med skuldersmerter i 4 mnd tross fysioterapi og smertestillende.", False),
    ("nb", "Kvinne 58 år med hoftesmerter som har blitt stadig vondere siden sommeren.", False),
    ("nb", "Kvinne 52 år med ryggsmerter i 10 uker. Ibux har god effekt uten bivirkninger.", True),
    ("nb", "Kvinne 36 år, vond i nakken i 3 uker, verre etter lange dager med PC-arbeid.", None),
    ("nn", "Mann 44 år med vondt i kneet i 3 månader trass opptrening.", False),
    ("nn", "Kvinne 61 år, hofta har vorte stivare og vondare i haust.", False),
    ("da", "Kvinde 47 år med knæsmerter i 5 måneder trods træning og indlæg.", False),
    ("da", "Mand 70 år, skulderen er blevet gradvis stivere og ømmere over et halvt år.", False),
    ("da", "Mand 50 år med lændesmerter i 8 uger. Prøvet Ipren uden synderlig effekt.", False),
    ("da", "Kvinde 50 år med lændesmerter i 8 uger, er blevet bedre trods travlhed på arbejdet.", True),
])
def test_no_effect_despite_treatment_and_growing_worse(lang, text, improving):
    assert refcheck.check(text, language=lang).to_dict()["history"]["improving"] is improving


@pytest.mark.parametrize("lang,text,modality", [
    ("da", "Kontrol-MR af lænden. Kvinde 40 år med kendt diskusprolaps L5/S1.", "MR"),
    ("nb", "Kontroll-MR av korsryggen ønskes. Mann 51 år, kjent prolaps.", "MR"),
    ("nb", "Rygg-MR. Mann 51 år med isjias i 8 uker.", "MR"),
    ("nn", "Kne-MR. Kvinne 33 år med låsing i kneet.", "MR"),
    ("da", "Kontrolrøntgen af venstre hofte. Kvinde 70 år med kendt artrose.", "XR"),
    ("nb", "Kontroll-CT av brystryggen. Mann 66 år, kjent kompresjonsbrudd Th12.", "CT"),
])
def test_a_modality_in_a_hyphenated_compound(lang, text, modality):
    assert refcheck.check(text, language=lang).to_dict()["exam"]["modality"] == modality


# ------------------------------------------------------------ fourth writer (eval/fresh_writers_e.jsonl)
@pytest.mark.parametrize("lang,sentence", [
    ("da", "Ingen feber el. vægttab."),
    ("da", "Ingen nattesmerter, ingen ridebukseanæstesi el. inkontinens."),
    ("nb", "Ingen feber el. vekttap."),
])
def test_el_abbreviates_eller_in_a_negated_list(monkeypatch, lang, sentence):
    report = appended(monkeypatch, lang, sentence)
    assert flags(report) == set(), (sentence, flags(report))
    assert report["action"] == "decline"


def test_el_does_not_end_the_sentence_of_an_affirmed_list(monkeypatch):
    report = appended(monkeypatch, "da", "Har haft feber el. kulderystelser i tre dage.")
    assert "fever_infection" in flags(report)


@pytest.mark.parametrize("lang,sentence", [
    ("nb", "Nattesmerter? Nei, men merker det når hun snur seg."),
    ("nn", "Feber? Nei, berre litt frysing i helga."),
    ("da", "Natlige smerter? Nej, kun når han vender sig."),
])
def test_a_no_that_opens_the_answer_denies_the_question(monkeypatch, lang, sentence):
    report = appended(monkeypatch, lang, sentence)
    assert "night_rest_pain" not in flags(report) and "fever_infection" not in flags(report)


def test_a_no_answer_does_not_deny_what_the_answer_adds(monkeypatch):
    report = appended(monkeypatch, "nb", "Feber? Nei, men har gått ned 7 kg siden sommeren.")
    assert "weight_loss" in flags(report)


@pytest.mark.parametrize("lang,sentence", [
    ("nb", "Røde flagg: feber-/vekttap-/nattesmerter-/traume-"),
    ("nb", "Feber-/vekttap-/kreft-."),
    ("da", "Røde flag: feber-/vægttab-/natlige smerter-/traume-"),
])
def test_a_slashed_list_of_minus_marks_is_denied(monkeypatch, lang, sentence):
    report = appended(monkeypatch, lang, sentence)
    assert flags(report) == set(), (sentence, flags(report))
    assert report["action"] == "decline"


@pytest.mark.parametrize("lang,sentence", [
    ("nb", "Røde flagg: feber-/vekttap-/nattesmerter+/traume-"),
    ("nb", "Røde flagg: feber-/vekttap+"),
    ("da", "Røde flag: feber-/vægttab+/traume-"),
])
def test_a_plus_in_a_slashed_list_is_never_declined(monkeypatch, lang, sentence):
    report = appended(monkeypatch, lang, sentence)
    assert report["action"] != "decline", sentence


def test_a_minus_mark_alone_negates_without_other_triggers():
    report = refcheck.check("MR LS. Mann 29 år, ryggsmerter 10 dager. Feber -, vekttap -.", language="nb").to_dict()
    assert {f["code"] for f in report["red_flags"]} == set()


@pytest.mark.parametrize("lang,text", [
    ("nb", "Spm: noe alvorlig?\nMR lumbal. Kvinne 52 år, vondt i ryggen i 5 uker. Har gått ned 9 kg siden nyttår.\nUs: øm lumbalt."),
    ("da", "Spørgsmål: malignitet?\nMR af lænden. Mand 60 år, lændesmerter i 4 uger. Har tabt 7 kg uden at prøve.\nObj.: øm L3."),
])
def test_a_one_line_question_first_does_not_swallow_the_referral(lang, text):
    report = refcheck.check(text, language=lang).to_dict()
    assert "weight_loss" in {f["code"] for f in report["red_flags"]}
    assert report["action"] != "decline"


@pytest.mark.parametrize("lang,text", [
    ("nb", "Kvinne 45 år med ryggsmerter i 2 måneder. Det går gradvis bedre med trening."),
    ("nn", "Kvinne 45 år med ryggsmerter i 2 månader. Det går betre no."),
    ("da", "Kvinde 45 år med lændesmerter i 2 måneder. Det går lidt bedre."),
])
def test_it_goes_better_is_improvement(lang, text):
    assert refcheck.check(text, language=lang).to_dict()["history"]["improving"] is True


@pytest.mark.parametrize("lang,sentence", [
    ("nn", "Vasslating/avføring: normalt."),
    ("nb", "Vannlating og avføring: normal."),
    ("da", "Vandladning/afføring: normal."),
])
def test_voiding_colon_normal_is_no_alarm(monkeypatch, lang, sentence):
    assert appended(monkeypatch, lang, sentence)["action"] == "decline"


@pytest.mark.parametrize("lang,sentence,code", [
    ("da", "Han vågner hver nat af smærterne.", "night_rest_pain"),
    ("da", "Føler sig småsløj og træt om aftenen.", "general_malaise"),
    ("nb", "Kjenner seg småsyk og slapp.", "general_malaise"),
])
def test_everyday_words_and_a_common_misspelling(monkeypatch, lang, sentence, code):
    assert code in flags(appended(monkeypatch, lang, sentence))
