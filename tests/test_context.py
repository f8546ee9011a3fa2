"""ConText as a public layer, composed concepts and the safety net, on our own nb/nn/da wording."""
from __future__ import annotations

import json

import pytest

import refcheck
from refcheck.context import annotate
from refcheck.errors import DataError
from refcheck.nlp import context_rules as ctx


def _span(text: str, word: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    return start, start + len(word)


@pytest.mark.parametrize("lang, text, word, negated", [
    ("nb", "Ingen feber, men vekttap 6 kg siste måned.", "vekttap", False),
    ("nb", "Ingen feber, men vekttap 6 kg siste måned.", "feber", True),
    ("nn", "Ikkje feber, vekttap 7 kg sidan jul.", "vekttap", False),
    ("da", "Ingen traume, tidligere brystkræft.", "brystkræft", False),
    ("nb", "Ingen feber, vekttap eller nattesmerter.", "nattesmerter", True),
    ("da", "Benægter feber, vægttab og natlige smerter.", "vægttab", True),
    ("nb", "Ingen feber, har gått ned 5 kilo.", "gått ned", False),
    ("da", "Negativ Lasègue bilateralt.", "Lasègue", True),
    ("da", "Ingen tidligere kræft.", "kræft", True),
    ("nb", "Normal kraft, sensibilitet og reflekser i UE.", "reflekser", True),
    ("nb", "Sensibilitet i ridebukseområdet intakt.", "ridebukseområdet", True),
    # a negation after what it negates: existence verbs and participles
    ("nb", "Prolaps ble ikke påvist ved forrige MR.", "Prolaps", True),
    ("nb", "Ved CT i fjor ble det ikke funnet noen fraktur.", "fraktur", True),
    ("nb", "Parese forelå ikke ved undersøkelsen.", "Parese", True),
    ("nn", "Skiveprolaps vart ikkje påvist.", "Skiveprolaps", True),
    ("da", "Spondylolyse ses ikke på billederne.", "Spondylolyse", True),
    ("da", "Infektion kunne udelukkes ved blodprøver.", "Infektion", True),
    ("nb", "Ingen av de 30 opererte fikk dyp venetrombose.", "dyp venetrombose", True),
    ("da", "Ingen af de undersøgte havde nedsat kraft.", "nedsat kraft", True),
    ("nb", "Hos pasienter uten artrose var smertene like store.", "smertene", False),
    ("nb", "Hos pasienter uten artrose var smertene like store.", "artrose", True),
    ("nb", "Pasienten benektet nattesvette ved forrige konsultasjon.", "nattesvette", True),
    ("nb", "Selv om feber ikke forelå, ble spondylodiskitt mistenkt.", "spondylodiskitt", False),
    ("nb", "Selv om feber ikke forelå, ble spondylodiskitt mistenkt.", "feber", True),
    ("nb", "Ved us. ikke parese, lett nedsatt sensibilitet på lateralsiden av leggen.", "nedsatt sensibilitet", False),
    # lists whose items are long, carried over the scope's length; lists that end
    ("nb", "Verken feber, frysninger eller kraftig nattesvette var til stede ved innkomst.", "kraftig nattesvette", True),
    ("nb", "Uten tegn til infeksjon, nerverotaffeksjon i venstre ben eller malignitet.", "malignitet", True),
    ("da", "Ingen feber, og patienten har tabt 6 kg.", "tabt 6 kg", False),
    ("nb", "Kompresjonsbrudd kunne dermed utelukkes ved CT.", "Kompresjonsbrudd", True),
    ("nb", "Ingen av pasientene med spinal stenose fikk parese etter inngrepet.", "parese", True),
    ("nb", "Ingen av pasientene med spinal stenose fikk parese etter inngrepet.", "spinal stenose", False),
    # look-alikes: the finding is there
    ("nb", "Røntgen viser ikke alltid fraktur hos eldre med osteoporose.", "fraktur", False),
    ("nb", "Det er ikke vist at tidlig MR bedrer forløpet ved isjias.", "isjias", False),
    ("nb", "Pasienten trengte ikke sykemelding for ryggsmertene.", "ryggsmertene", False),
    ("da", "Lipase var normal hos patienten fordi pancreatitis var udelukket, men mavesmerterne fortsatte.", "mavesmerterne", False),
    ("nb", "Ikke alle med isjias trenger MR, men hun har parese.", "isjias", False),
    ("nb", "Det er ikke uvanlig med nattesmerter ved spondylartritt.", "nattesmerter", False),
    ("da", "Det er ikke usædvanligt med natlige smerter.", "natlige smerter", False),
    ("nb", "Smertene stråler ikke lenger, men hun har fortsatt nummenhet.", "nummenhet", False),
    ("nb", "Ingen årsak er funnet til smertene i hoften.", "smertene", False),
    ("da", "Paracetamol har ikke lindret smerterne i nakken.", "smerterne", False),
    ("nb", "Det er ikke mulig å avgjøre om prolapset gir rotaffeksjon.", "prolapset", False),
])
def test_negation_scope(lang, text, word, negated):
    (res,) = annotate(text, [_span(text, word)], lang)
    assert res.negated is negated, res.triggers


def test_annotate_reports_the_deciding_trigger():
    text = "Mor hadde brystkreft. Pasienten selv har lymfom."
    fam, own = annotate(text, [_span(text, "brystkreft"), _span(text, "lymfom")], "nb")
    assert fam.family and ("Mor", "FAMILY") in fam.triggers
    assert not own.family
    assert set(fam.to_dict()) == {"start", "end", "negated", "hypothetical", "family", "historical", "rule_out",
                                  "triggers"}


@pytest.mark.parametrize("lang, text, word, kind", [
    ("da", "Ved feber eller vandladningsproblemer bedes hun henvende sig igen.", "feber", "hypothetical"),
    ("nb", "Pas. er informert om å ta kontakt ved forverring eller problemer med blæra.", "blæra", "hypothetical"),
    ("nb", "Ved økende lammelser: øyeblikkelig hjelp.", "lammelser", "hypothetical"),
    ("nb", "MR for å utelukke fraktur.", "fraktur", "rule_out"),
    ("nb", "Kompresjonsbrudd kan ikke utelukkes.", "Kompresjonsbrudd", "rule_out"),
    ("da", "Fraktur kan ikke udelukkes.", "Fraktur", "rule_out"),
    ("nn", "Onkelen hennar hadde prostatakreft.", "prostatakreft", "family"),
    ("da", "Kræft hos moderen.", "Kræft", "family"),
])
def test_other_modifiers(lang, text, word, kind):
    (res,) = annotate(text, [_span(text, word)], lang)
    assert getattr(res, kind), res.triggers


@pytest.mark.parametrize("lang, text, word", [
    ("nb", "Smerter om natten, vurderes for MR.", "natten"),   # 'om' is conditional only at the start
    ("nn", "Vaknar av verk om natta, har hatt feber og vekttap.", "feber"),  # 'verken' is not 'verk'
    ("nn", "Ei kvinne på 60 år med feber.", "feber"),  # nynorsk article, not a negation
    ("nb", "MR for å utelukke fraktur.", "MR"),
])
def test_not_modified(lang, text, word):
    (res,) = annotate(text, [_span(text, word)], lang)
    assert not (res.negated or res.hypothetical or res.family or res.rule_out), res.triggers


def test_colliding_rules_fail_at_load_with_both_ids(tmp_path, monkeypatch):
    rules = {"context_rules": [
        {"id": "nb.t.one", "literal": "utelukket", "category": "NEGATED_EXISTENCE", "direction": "BACKWARD"},
        {"id": "nb.t.two", "literal": "Utelukket", "category": "RULE_OUT", "direction": "FORWARD"},
    ]}
    (tmp_path / "nb").mkdir()
    (tmp_path / "nb" / "context_rules.json").write_text(json.dumps(rules), encoding="utf-8")
    monkeypatch.setattr(ctx, "lexicon_dir", lambda: tmp_path)
    ctx.load_context_rules.cache_clear()
    try:
        with pytest.raises(DataError, match=r"RC513.*nb\.t\.one.*nb\.t\.two"):
            ctx.load_context_rules("nb")
    finally:
        ctx.load_context_rules.cache_clear()


@pytest.mark.parametrize("lang, text", [
    ("nb", "MR LS. Kvinne 39 år, ryggsmerter 4 dager. Lekket hun urin i natt uten å merke det. Obj: redusert analsfinktertonus."),
    ("nb", "Mann 50 år, isjias. Kjenner han ikke når han tørker seg etter toalettbesøk siden i går."),
    ("nn", "Ho kjenner ikkje når blæra er full, og har hatt uhell. Ryggsmerter sidan måndag."),
    ("da", "Mand 44 år med lændesmerter. Han skal presse for at komme af med urinen, og der kommer kun lidt."),
    ("da", "Kvinde 50 år. Nedsat stiksensibilitet omkring anus, slap sphincter ved rektaleksploration."),
])
def test_cauda_equina_in_plain_words_escalates(lang, text):
    report = refcheck.check(text, language=lang)
    assert "cauda_equina" in {f.code for f in report.red_flags}
    assert report.action == "escalate"


@pytest.mark.parametrize("lang, text", [
    ("nb", "MR LS. Mann 40 år, lumbago 2 uker. Normal sfinktertonus, ingen problemer med vannlating."),
    ("da", "MR L-columna. Kvinde 38 år, lændesmerter 10 dage. Afføring og vandladning ua., sensibilitet perianalt normal."),
])
def test_normal_sphincter_and_bladder_is_not_cauda(lang, text):
    report = refcheck.check(text, language=lang)
    assert "cauda_equina" not in {f.code for f in report.red_flags}


def test_safety_net_turns_decline_into_manual_and_quotes_the_words():
    text = "MR LS. Mann 38 år, korsryggsmerter i 10 dager etter løft. Litt rart med vannlatingen, usikker."
    report = refcheck.check(text, language="nb")
    assert report.appropriateness == "low_value"
    assert report.action == "manual"
    (safe,) = [f for f in report.findings if f.rule == "SAFE-001"]
    assert safe.severity == "warning"
    assert "vannlatingen" in safe.message and safe.evidence[0].text == "vannlatingen"


def test_resolved_alarm_words_still_decline():
    text = ("MR LS-columna. Mann 38 år, akutte korsryggsmerter etter løft for 10 dager siden. Ingen feber, "
            "ikke vekttap, normal vannlating. Mor hadde brystkreft. Afebril.")
    report = refcheck.check(text, language="nb")
    assert report.action == "decline"
    assert "SAFE-001" not in {f.rule for f in report.findings}


def test_positional_relief_is_not_improvement():
    report = refcheck.check("MR LS. Mann 35 år, lumbago 8 uker, bedre når han ligger. Ingen bedring av fysioterapi.",
                            language="nb")
    assert report.history["improving"] is False


def test_evaluate_scores_each_set_apart_with_false_declines(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from refcheck.cli import app

    gold = {"language": "nb", "modality": "MR", "region": "lumbar_spine", "age": 39, "sex": "female",
            "symptom_weeks": 0.6, "improving": None, "history": True, "clinical_findings": True,
            "tentative_diagnosis": False, "clinical_question": False, "red_flags": ["cauda_equina"], "grade": "C",
            "appropriateness": "urgent", "recommended_modality": "MR", "action": "escalate"}
    case = {"id": "t-1", "text": "MR LS. Kvinne 39 år, ryggsmerter 4 dager. I natt lekket hun urin uten å merke det. "
                                 "Obj: slapp sfinktertonus.", "meta": {}, "gold": gold}
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text(json.dumps(case, ensure_ascii=False) + "\n", encoding="utf-8")
    b.write_text(json.dumps({**case, "id": "t-2"}, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "m.json"
    result = CliRunner().invoke(app, ["evaluate", str(a), str(b), "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "== a.jsonl" in result.output and "== b.jsonl" in result.output
    metrics = json.loads(out.read_text())
    assert set(metrics) == {"a.jsonl", "b.jsonl"}
    assert metrics["a.jsonl"]["unsafe_declines"] == 0 and metrics["a.jsonl"]["urgent_recall"] == 1.0


@pytest.mark.parametrize("lang, text", [
    ("nb", "Rtg th-columna. Kvinne 80 år, kjent osteoporose, skled på kjøkkenet i går, nå smerter midt i ryggen."),
    ("da", "Rtg. af lænden. 71-årig kvinde med kendt osteoporose, fik pludselige smerter da hun løftede en kasse."),
])
def test_minor_trauma_with_osteoporosis_is_trauma_not_acute_injury(lang, text):
    report = refcheck.check(text, language=lang)
    assert "trauma" in {f.code for f in report.red_flags}
    assert report.appropriateness == "indicated"


@pytest.mark.parametrize("lang, text", [
    ("da", "Rtg. af lænden. 71-årig kvinde i fast prednisolonbehandling, fik pludselige smerter da hun løftede en kasse."),
    ("nb", "Rtg LS. Mann 66 år som bruker Prednisolon 10 mg daglig, kjente et stikk i ryggen da han nøs kraftig."),
])
def test_minor_trauma_with_steroids_alone_is_the_steroid_flag_not_trauma(lang, text):
    # 003 Tabel 1 and the contract: minor trauma counts with (suspected) osteoporosis;
    # systemic steroids are their own flag
    report = refcheck.check(text, language=lang)
    codes = {f.code for f in report.red_flags}
    assert "steroid_use" in codes and "trauma" not in codes
    assert report.appropriateness == "indicated"


def test_lifting_alone_is_not_trauma():
    report = refcheck.check("MR LS. Mann 40 år, vondt i korsryggen etter at han løftet en kasse for 3 uker siden.",
                            language="nb")
    assert "trauma" not in {f.code for f in report.red_flags}


@pytest.mark.parametrize("lang, text, weeks", [
    ("nb", "MR LS. Mann 58 år. Hatt vondt i korsryggen av og til i 10 år, men de siste 2 ukene mye verre.", 2.0),
    ("da", "MR af lænden. Kvinde 60 år med rygproblemer gennem 15 år, dog de seneste 4 uger nye smerter.", 4.0),
])
def test_current_complaint_duration_after_a_contrast(lang, text, weeks):
    report = refcheck.check(text, language=lang)
    assert report.history["symptom_weeks"] == weeks


# Family attribution: inflected kinship nouns, a relative after the condition, headings,
# contrast words that keep the relative, relatives who speak for the patient, pronouns.
@pytest.mark.parametrize("lang, text, word, family", [
    ("nb", "Begge tvillingsøstrene har fått påvist cøliaki.", "cøliaki", True),
    ("nb", "Nevøene hans har Duchenne.", "Duchenne", True),
    ("da", "Morbroderen døde af tarmkræft som 60-årig.", "tarmkræft", True),
    ("nn", "Systra hennar har Bechterew.", "Bechterew", True),
    ("nb", "Leddgikt hos flere søsken og hos begge foreldrene.", "Leddgikt", True),
    ("nb", "Psoriasis på farssiden, ikke hos pasienten.", "Psoriasis", True),
    ("da", "Tarmkræft på fædrene side.", "Tarmkræft", True),
    ("nb", "Familieanamnese: hjerteinfarkt, diabetes type 2 og hypertensjon.", "hypertensjon", True),
    ("da", "Disp.: leddegigt og psoriasis.", "psoriasis", True),
    ("nb", "Farfaren hadde Bechterew, men ikke psoriasis.", "psoriasis", True),
    ("da", "Bror har colitis, nu også ledsmerter.", "ledsmerter", True),
    ("nb", "Farfaren hadde Bechterew, men selv har hun bare vondt i hælen.", "vondt", False),
    ("nb", "Moren forteller at jenta har hatt feber i fire dager.", "feber", False),
    ("da", "Faderen ringer, da sønnen har fået voldsomme rygsmerter.", "rygsmerter", False),
    ("nb", "Kommer sammen med mor. Har hatt nakkesmerter i 6 uker.", "nakkesmerter", False),
    ("nb", "Pasienten opplyser at moren hadde brystkreft.", "brystkreft", True),
    ("nb", "Bestefar er død. Han hadde prostatakreft med spredning.", "prostatakreft", True),
    ("nb", "Bestefar er død. Han hadde prostatakreft. Pasienten har korsryggsmerter.", "korsryggsmerter", False),
    ("nb", "Mann 50 år, ryggsmerter. Han har hatt feber.", "feber", False),
])
def test_family_attribution(lang, text, word, family):
    (res,) = annotate(text, [_span(text, word)], lang)
    assert res.family is family, res.triggers


def test_a_pronoun_carried_family_reading_never_removes_a_red_flag():
    # "Hun" may be the mother or the patient: the unsure reading keeps the red flag.
    text = ("MR LS. Kvinne 62 år med korsryggsmerter i 5 uker. Mor døde av brystkreft. "
            "Hun har gått ned 8 kg siden sommeren og våkner av smertene om natten.")
    report = refcheck.check(text, language="nb")
    (res,) = annotate(text, [_span(text, "gått ned 8 kg")], "nb")
    assert res.family  # annotate says what it read
    assert report.action != "decline"
    assert {"weight_loss", "night_pain"} & {f.code for f in report.red_flags}


def test_spares_is_only_for_terminators(tmp_path, monkeypatch):
    rules = {"context_rules": [
        {"id": "nb.t.spare", "literal": "mor", "category": "FAMILY", "direction": "FORWARD", "spares": ["FAMILY"]},
    ]}
    (tmp_path / "nb").mkdir()
    (tmp_path / "nb" / "context_rules.json").write_text(json.dumps(rules), encoding="utf-8")
    monkeypatch.setattr(ctx, "lexicon_dir", lambda: tmp_path)
    ctx.load_context_rules.cache_clear()
    try:
        with pytest.raises(DataError, match="nb.t.spare"):
            ctx.load_context_rules("nb")
    finally:
        ctx.load_context_rules.cache_clear()


# Reading the course, the root signs and the onset as the guideline means them.
@pytest.mark.parametrize("lang, text, improving", [
    ("nb", "MR LS. Kvinne 45 år, korsryggsmerter i 9 uker. Mye bedre etter trening, men fortsatt vondt om morgenen.", True),
    ("da", "MR af lænden. Mand 50 år, lændesmerter i 8 uger. Noget bedre, men stadigvæk ondt ved løft.", True),
    ("nb", "MR LS. Mann 52 år, ryggsmerter i 10 uker. Litt bedre en periode, men nå verre igjen.", False),
    ("nb", "MR LS. Kvinne 38 år, ryggsmerter 7 uker, i bedring. Spørsmål: årsak til vedvarende smerter?", True),
    ("nb", "MR LS. Mann 45 år, lumbago i 7 uker, verst ved løft og bedre når han sitter.", None),
    ("da", "MR af lænden. Kvinde 50 år, lændesmerter i 8 uger, værre ved belastning.", None),
    ("da", "MR af lænden.\nAnamnese: Mand 39 år, iskias i 4 mdr., benet er blevet meget bedre.\n"
           "Objektivt: nedsat akillesrefleks ve. (uændret siden sidst).", True),
])
def test_course_partial_improvement_and_the_question(lang, text, improving):
    # worse with a load or a posture is the pain's pattern, not its course
    assert refcheck.check(text, language=lang).history["improving"] is improving


@pytest.mark.parametrize("lang, text, radicular", [
    ("nb", "MR LS. Mann 40 år, ryggsmerter 8 uker uten bedring. Obj: SLR 85 grader bilat., nevrologi ua.", False),
    ("nb", "MR LS. Mann 40 år, ryggsmerter 8 uker uten bedring. Obj: SLR pos. 40 grader hø.", True),
    ("nb", "MR SI-ledd. Kvinne 30 år, bekkenleddsmerter 10 uker etter fødsel. Smertefull aktiv SLR bilat.", False),
    ("da", "MR af lænden. Kvinde 47 år, 9 uger med lændesmerter, udstråling til højre balde men ikke ned forbi knæet.", False),
    ("nb", "MR LS. Kvinne 47 år, 9 uker med smerter som stråler ned i leggen og foten på høyre side.", True),
])
def test_root_signs(lang, text, radicular):
    from refcheck.api import analyse

    assert analyse(text, language=lang).facts.radicular is radicular


@pytest.mark.parametrize("lang, text, age_onset", [
    ("nb", "MR LS. Mann 63 år med residiverende lumbago siden 40-årene, nå ny episode i 5 dager, samme type smerter.",
     False),
    ("nb", "MR LS. Kvinne 66 år, kjente ryggplager i mange år, men siste 3 uker annerledes og verre om natten.", True),
    ("da", "MR af lænden. Mand 64 år, lændesmerter gennem 2 uger, aldrig haft rygproblemer før.", True),
])
def test_age_at_onset_of_a_longstanding_complaint(lang, text, age_onset):
    from refcheck.api import analyse

    assert analyse(text, language=lang).facts.age_onset is age_onset


@pytest.mark.parametrize("lang, text, age", [
    ("nb", "Rtg kne. Vred kneet i håndball for 3 uker siden, hovent. 27 år.", 27),
    ("nn", "MR rygg. Lumbago i 6 veker, ingen betring. 51 år.", 51),
    ("nb", "MR LS. Ryggplager i 12 år.", None),
])
def test_an_age_written_as_its_own_sentence(lang, text, age):
    from refcheck.api import analyse

    assert analyse(text, language=lang).facts.age == age


def test_a_vague_duration_is_no_duration():
    # "længere tid" once read as "ti d" (ten days) and the referral was declined
    report = refcheck.check("MR af lænden. Lændesmerter gennem længere tid. Mvh Peter Holm, alment praktiserende læge",
                            language="da")
    assert report.history["symptom_weeks"] is None
    assert report.appropriateness == "uncertain" and report.action == "return"


@pytest.mark.parametrize("lang, text", [
    ("nb", "MR av kneet, etter eget ønske. Hilsen fastlegen"),
    ("da", "Røntgen af nakken. Patienten vil gerne undersøges. Venlig hilsen lægen"),
])
def test_an_empty_referral_is_returned_not_declined(lang, text):
    report = refcheck.check(text, language=lang)
    assert report.appropriateness == "uncertain" and report.action == "return"
    assert "GEN-010" in {f.rule for f in report.findings}


@pytest.mark.parametrize("lang, text, ra", [
    ("nb", "Rtg hender og føtter. Kvinne 52 år, hovne fingerledd i 6 uker. Revmafaktor positiv.", True),
    ("da", "Røntgen af hænder. Mand 60 år, ømme grundled og morgenstivhed. Anti-CCP stærkt positiv.", True),
    ("nb", "Rtg hender. Kvinne 52 år, hovne fingerledd. RF og anti-CCP negative.", False),
])
def test_seropositive_arthritis_is_suspected_ra(lang, text, ra):
    report = refcheck.check(text, language=lang)
    assert (report.appropriateness == "specialist") is ra, [f.rule for f in report.findings]


@pytest.mark.parametrize("lang, text, code, present", [
    # rest and night pain in plain words
    ("nb", "MR LS. Kvinne 58 år, ryggsmerter 5 uker, plager som ikke gir seg når hun legger seg og hviler.", "night_rest_pain", True),
    ("da", "MR af lænden. Mand 70 år, 6 uger med smerter i lænden, der ikke lindres af hvile.", "night_rest_pain", True),
    ("nn", "Rtg kne. Kvinne 60 år, verk i kneet i 7 veker, no også om natta.", "night_rest_pain", True),
    ("nb", "MR LS. Mann 40 år, ryggsmerter 3 uker, mye bedre når han hviler.", "night_rest_pain", False),
    # worsening clumsiness of the hands (cervical myelopathy)
    ("da", "MR af halsryggen. Kvinde 62 år, gennem 3 måneder tiltagende klodset i begge hænder og usikker gang.", "progressive_neuro_deficit", True),
    ("nb", "MR nakke. Mann 58 år, blir stadig mer klossete med fingrene, mister ting.", "progressive_neuro_deficit", True),
    # stumbling as weakness is no fall; an injury denied
    ("nb", "MR LS. Mann 55 år, svakere i venstre fot, snubler ofte.", "trauma", False),
    ("nb", "Rtg skulder. Kvinne 40 år, vondt i skulderen i 2 mnd uten at hun har slått seg.", "trauma", False),
    ("nn", "MR rygg. Kvinne 39 år, lumbago i 2 veker. Ho neitar problem med vasslatinga.", "cauda_equina", False),
    # composed rather than listed: any named cancer, known osteoporosis, long morning stiffness
    ("nb", "MR LS. Mann 66 år, operert for bukspyttkjertelkreft i 2022, nå ryggsmerter i 3 uker.", "malignancy", True),
    ("da", "MR af lænden. Kvinde 70 år, tidligere behandlet for livmoderhalskræft, nu lændesmerter.", "malignancy", True),
    ("nn", "Rtg torakalcolumna. Kvinne 78 år med påvist osteoporose, akutt vondt midt i ryggen.", "osteoporosis", True),
    ("nn", "MR SI-ledd. Mann 27 år, vondt i korsryggen i 4 månader, stiv i fleire timar om morgonen.", "inflammatory_signs", True),
    ("nb", "MR LS. Kvinne 61 år, korsryggsmerter natt og dag de siste 5 ukene.", "night_rest_pain", True),
    ("nb", "MR kne. Kvinne 50 år, er i god allmenntilstand, vondt i kneet i 8 uker.", "general_malaise", False),
    ("nb", "MR LS. Både mor og pasienten selv har hatt brystkreft. Nå ryggsmerter.", "malignancy", True),
    # fixed in issue 10's last round: increasing weakness, IV drugs and malaise in everyday words,
    # brittle bones, pain no position or rest eases, night sweats, an intended weight loss
    ("nb", "MR LS. Mann 61 år, ryggsmerter. Kraftløs i venstre bein, og det blir verre for hver dag.", "progressive_neuro_deficit", True),
    ("nn", "MR lumbal. Kvinne 58 år, svak i begge føtene, noko som har auka sidan måndag.", "progressive_neuro_deficit", True),
    ("da", "MR af nakken. 30-årig mand, fixer, ondt i nakken i 4 dage.", "infection_risk", True),
    ("nb", "MR LS. Kvinne 47 år, ryggsmerter i 2 uker, har ikke vært seg selv på lenge, helt utslitt.", "general_malaise", True),
    ("da", "MR af lænden. 52-årig kvinde, lænderygsmerter i 3 uger, helt udkørt og orker ingenting.", "general_malaise", True),
    ("nb", "MR torakal. Kvinne 81 år med benskjørhet, akutt vondt midt i ryggen etter å ha løftet en pose.", "osteoporosis", True),
    ("da", "MR af lænden. 69-årig mand, smerter uanset stilling gennem 3 uger, bliver ikke bedre i hvile.", "night_rest_pain", True),
    ("nb", "MR LS. Mann 55 år, svettetokter om natten siste uker, ryggsmerter i 2 uker.", "night_rest_pain", False),
    ("nb", "MR LS. Mann 55 år, svettetokter om natten siste uker, ryggsmerter i 2 uker.", "general_malaise", True),
    ("nb", "MR LS. Mann 45 år, har slanket seg og gått ned 15 kg med vilje siden nyttår. Korsryggsmerter i 1 uke.", "weight_loss", False),
    ("da", "MR af lænden. 50-årig kvinde, tabt 20 kg efter fedmeoperation i foråret. Lænderygsmerter i 10 dage.", "weight_loss", False),
])
def test_plain_word_red_flags(lang, text, code, present):
    report = refcheck.check(text, language=lang)
    assert (code in {f.code for f in report.red_flags}) is present, [f.code for f in report.red_flags]
    if present:  # a red flag written in the referral never ends in decline
        assert report.action != "decline"


@pytest.mark.parametrize("text, rule", [
    # suspected Bekhterev whose only red flag is inflammatory: MR of the SI joints (IS-1899 Bekhterev)
    ("MR SI-ledd. Kvinne 30 år, vondt i korsryggen i 8 mnd, stiv i over en time om morgenen. Spm: Bekhterev?",
     "NO-AS-001"),
    # a serious red flag besides: the red-flag rule decides
    ("MR LS. Kvinne 60 år, tidligere brystkreft, vondt i korsryggen i 8 mnd, stiv om morgenen. Spm: Bekhterev?",
     "NO-LBP-003"),
])
def test_suspected_bekhterev_goes_to_its_own_rule(text, rule):
    report = refcheck.check(text, language="nb")
    assert report.findings[0].rule == rule and report.appropriateness == "indicated"
