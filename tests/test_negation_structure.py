"""Negation structure beyond single cues (own wording, nb/nn/da): double negation and
litotes, negated rule-outs (left open, so the safety net sees them), negation over a list
before a post-posed cue, a dummy subject before a post-posed cue, and phrases that make
the finding a reference point (a cause, a treatment not given, an unknown).

Found on journal-style text written for us by a writer who never saw the rules
(eval/negation_journal.jsonl) and on NoReC_neg dev; the sentences here are our own."""
from __future__ import annotations

import pytest

from refcheck.context import annotate
from tests.phrasing_cases import appended


def _ctx(lang: str, text: str, word: str):
    start = text.index(word)
    return annotate(text, [(start, start + len(word))], language=lang)[0]


@pytest.mark.parametrize("lang, text, word, negated, rule_out", [
    # a negated rule-out leaves the finding open: to be ruled out, not absent
    ("nb", "Brudd i L1 er ikke utelukket etter fallet.", "Brudd", False, True),
    ("nb", "Spondylodiskitt er ennå ikke avkreftet.", "Spondylodiskitt", False, True),
    ("nn", "Brot i ryggen er ikkje utelukka.", "Brot", False, True),
    ("da", "Metastaser er endnu ikke udelukket.", "Metastaser", False, True),
    ("da", "Spondylodiscit er ikke afkræftet.", "Spondylodiscit", False, True),
    ("nb", "Vi kan ikke utelukke et kompresjonsbrudd.", "kompresjonsbrudd", False, True),
    ("nn", "Ein kan ikkje utelukke kreft hos denne pasienten.", "kreft", False, True),
    ("da", "Vi kan ikke udelukke en infektion.", "infektion", False, True),
    # ... while a rule-out that was done still negates
    ("nb", "Brudd ble utelukket ved CT i går.", "Brudd", True, False),
    ("nb", "Kompresjonsbrudd er utelukket.", "Kompresjonsbrudd", True, False),
    ("da", "Fraktur blev udelukket ved røntgen.", "Fraktur", True, False),
])
def test_negated_rule_outs(lang, text, word, negated, rule_out):
    got = _ctx(lang, text, word)
    assert (got.negated, got.rule_out) == (negated, rule_out), got.triggers


@pytest.mark.parametrize("lang, text, word, negated", [
    # litotes and double negation: the finding is there
    ("nb", "Hun er ikke uten smerter om natten.", "smerter", False),
    ("nn", "Ho er ikkje utan smerter når ho ligg.", "smerter", False),
    ("da", "Han er ikke uden smerter i hvile.", "smerter", False),
    ("nb", "Uten tvil har hun hatt en kreftsykdom.", "kreftsykdom", False),
    ("nn", "Utan tvil er det eit brot.", "brot", False),
    ("da", "Uden tvivl er der tale om en infektion.", "infektion", False),
    ("nb", "Ikke uventet viste MR metastaser i virvlene.", "metastaser", False),
    ("da", "Ikke overraskende fandt man en fraktur.", "fraktur", False),
    ("nb", "Det er ikke usannsynlig at det foreligger et brudd.", "brudd", False),
    # ... and plain negation still holds
    ("nb", "Uten smerter om natten.", "smerter", True),
    ("nb", "Ikke utstråling til bena.", "utstråling", True),
    ("da", "Ingen tvivl om diagnosen, og ingen feber.", "feber", True),
])
def test_double_negation_and_litotes(lang, text, word, negated):
    assert _ctx(lang, text, word).negated is negated


@pytest.mark.parametrize("lang, text, word, negated", [
    # a list before a post-posed negation, held together by a coordinator
    ("nb", "Feber, nattesvette og vekttap benektes.", "Feber", True),
    ("nb", "Feber, nattesvette og vekttap benektes.", "nattesvette", True),
    ("da", "Feber, nattesved og vægttab benægtes.", "Feber", True),
    ("nn", "Parese, nummenheit og svikt i blæra vart ikkje funne.", "Parese", True),
    ("nb", "Urinretensjon og inkontinens ble ikke rapportert.", "Urinretensjon", True),
    # without a coordinator the comma ends it; a clause with "har" is not an item
    ("nb", "Hun har hatt vondt i korsryggen i tre uker, feber forelå ikke.", "vondt", False),
    ("nb", "Kjent brystkreft, feber benektes.", "brystkreft", False),
    ("nb", "Pasienten har nattesmerter, vekttap og feber benektes.", "nattesmerter", False),
    # a dummy subject leaves the negated thing after the cue
    ("nb", "Det forelå ikke tegn til cauda equina.", "cauda equina", True),
    ("nb", "Det påvistes ikke fraktur på bildene.", "fraktur", True),
    ("da", "Der forelå ikke tegn til infektion.", "infektion", True),
    ("nb", "Skjelettmetastaser forelå ikke.", "Skjelettmetastaser", True),
    # a preposition after an evidence word keeps the negation going; after others it ends it
    ("nb", "Selv om MR ikke viste tegn til prolaps, ble hun henvist videre.", "prolaps", True),
    ("nb", "Han har ikke vært utsatt for noe traume.", "traume", True),
    ("nn", "Det var ikkje holdepunkt for infeksjon.", "infeksjon", True),
    ("nb", "Hun trengte ikke sykemelding for ryggsmertene.", "ryggsmertene", False),
    # a negated population: what describes it is not denied, what follows its verb is
    ("nb", "Ingen av pasientene med kjent osteoporose fikk brudd etter inngrepet.", "osteoporose", False),
    ("nb", "Ingen av pasientene med kjent osteoporose fikk brudd etter inngrepet.", "brudd", True),
    ("nb", "Ingen av disse pasientene hadde tegn til spredning.", "spredning", True),
    # "only", "rather", a dash and "let alone" end a negation
    ("nb", "Ingen utstråling, bare lokale smerter i korsryggen.", "lokale smerter", False),
    ("da", "Ingen udstråling, kun lokale smerter.", "lokale smerter", False),
    ("nn", "Ikkje mekaniske smerter, snarare stivheit om morgonen.", "stivheit", False),
    ("nb", "Ingen feber - men vekttap på 5 kg.", "vekttap", False),
    ("nb", "Han har ryggsmerter, for ikke å snakke om nattesmertene.", "nattesmertene", False),
    ("nb", "Ikke bare smerter, men også nummenhet.", "smerter", False),
    ("nb", "Ingen utstråling, ingen nummenhet.", "nummenhet", True),
    # fri for / negative for
    ("nb", "Lymfeknutene var frie for metastaser.", "metastaser", True),
    ("da", "Biopsierne var negative for malignitet.", "malignitet", True),
])
def test_lists_and_post_posed_cues(lang, text, word, negated):
    assert _ctx(lang, text, word).negated is negated


@pytest.mark.parametrize("lang, text, word", [
    # the finding is a reference point of the negation, not what it denies
    ("nb", "Hun er ikke operert for prolapset, men har fått fysioterapi.", "prolapset"),
    ("nn", "Han er ikkje operert for brotet i foten.", "brotet"),
    ("da", "Hun er ikke opereret for diskusprolapsen.", "diskusprolapsen"),
    ("nb", "Han har ikke vært i arbeid på tre uker pga. smerter i korsryggen.", "smerter"),
    ("nb", "Hun går ikke tur lenger på grunn av nattesmerter.", "nattesmerter"),
    ("da", "Hun kan ikke arbejde på grund af smerter i lænden.", "smerter"),
    ("nb", "Det er ikke funnet noen årsak til vekttapet.", "vekttapet"),
    ("nb", "Det er ikke kjent om hun har hatt feber.", "feber"),
    ("da", "Det er ikke kendt om han har haft feber.", "feber"),
])
def test_reference_points_are_not_negated(lang, text, word):
    got = _ctx(lang, text, word)
    assert not got.negated, got.triggers


@pytest.mark.parametrize("lang, text, word, negated", [
    # a negated recommendation, comparison or follow-up leaves the condition present
    ("nb", "MR anbefales ikke ved uspesifikke korsryggsmerter.", "korsryggsmerter", False),
    ("da", "Billeddiagnostik bør ikke udføres ved akutte lændesmerter.", "lændesmerter", False),
    ("nb", "Hun er ikke like plaget av nattesmertene som før.", "nattesmertene", False),
    ("nb", "Han har ikke vært fulgt opp for prostatakreften.", "prostatakreften", False),
    ("nb", "Ved manglende bedring av smertene etter seks uker bør hun henvises.", "smertene", False),
    ("nb", "Ingen opplysninger om traume.", "traume", False),
    ("da", "Ingen oplysninger om feber.", "feber", False),
    ("nb", "Hun hadde ingen kjente risikofaktorer for osteoporose.", "osteoporose", False),
    # a negated population inside a subordinate clause ends at its comma
    ("nb", "Selv om ingen av pasientene hadde feber, fikk tre av dem spondylodiskitt.", "spondylodiskitt", False),
    ("nb", "Selv om ingen av pasientene hadde feber, fikk tre av dem spondylodiskitt.", "feber", True),
    # "after" anchors the negation in time: the event happened
    ("nb", "Ingen smerter etter fallet på isen.", "fallet", False),
    ("nn", "Ikkje vondt etter fallet.", "fallet", False),
    ("da", "Ingen smerter efter faldet fra stigen.", "faldet", False),
    ("nb", "Ingen smerter etter fallet på isen.", "smerter", True),
    # "ikke lenger" with a past verb
    ("nb", "Etter at hun ikke lenger hadde smerter, ble hun utskrevet.", "smerter", True),
    ("da", "Efter at han ikke længere havde smerter, blev han udskrevet.", "smerter", True),
    # the bladder and bowel as what the symptoms come from stay negated
    ("nb", "Ingen symptomer fra blære eller tarm.", "tarm", True),
    ("nn", "Ingen plager frå blære eller tarm.", "blære", True),
])
def test_recommendations_comparisons_unknowns(lang, text, word, negated):
    assert _ctx(lang, text, word).negated is negated


@pytest.mark.parametrize("lang, text, word, negated", [
    # "ua." with its full stop is a normal finding
    ("nb", "Kraft og reflekser ua. i begge bein.", "reflekser", True),
    ("da", "Kraft ua., men nedsat achillesrefleks hø.", "Kraft", True),
    # a list closed by its coordinator ends at the next comma
    ("nb", "Ingen feber, vekttap eller nattesmerter, nummen i setet siden i går.", "nummen i setet", False),
    ("nb", "Ingen feber, vekttap eller nattesmerter.", "nattesmerter", True),
    ("nb", "Ingen feber/frysninger, vekttap eller nattesvette.", "nattesvette", True),
    # "except" ends a negation
    ("nb", "Ingen B-symptomer utover nattesvette.", "nattesvette", False),
    ("da", "Ingen almensymptomer ud over nattesved.", "nattesved", False),
    # "not known with" covers an earlier history
    ("da", "Ikke kendt med tidligere kræft.", "kræft", True),
    ("nn", "Ikkje kjend med tidlegare kreft.", "kreft", True),
    # a past-tense denial before what it denies
    ("da", "MR afkræftede prolaps, men smerterne fortsætter.", "prolaps", True),
    ("da", "MR afkræftede prolaps, men smerterne fortsætter.", "smerterne", False),
    # a question answered "Nei." in the next sentence
    ("nb", "Vekttap? Nei. Feber? Nei. Nattesmerter? Ja.", "Vekttap", True),
    ("nb", "Vekttap? Nei. Feber? Nei. Nattesmerter? Ja.", "Nattesmerter", False),
    ("da", "Feber? Nej. Vægttab? Ja, 6 kg.", "Feber", True),
    # a lone minus ends an exam item that is absent; a plus or a range is not one
    ("da", "Knæ: hævelse ++, aflåsning -, instabilitet +.", "aflåsning", True),
    ("da", "Knæ: hævelse ++, aflåsning -, instabilitet +.", "instabilitet", False),
    ("nn", "Kne ve.: hevelse -, låsing +.", "hevelse", True),
    ("nb", "Feber -. Nattesvette +.", "Nattesvette", False),
    ("nb", "Smerter L4 - L5 hø.", "Smerter", False),
    # a negator a verb or two before "uten" flips it: the pain is there
    ("nb", "Hun kan ikke gå uten smerter i hoften.", "smerter", False),
    ("nn", "Ho klarar ikkje sitje lenge utan smerter.", "smerter", False),
    ("da", "Han kan ikke stå uden smerter.", "smerter", False),
])
def test_checklists_lists_and_flipped_without(lang, text, word, negated):
    assert _ctx(lang, text, word).negated is negated


def test_annotate_reads_the_callers_targets_as_list_items():
    text = "Cøliaki, laktoseintoleranse og mikroskopisk kolitt ble utelukket før diagnosen ble stilt."
    starts = [text.index(w) for w in ("Cøliaki", "laktoseintoleranse", "mikroskopisk kolitt")]
    spans = [(s, s + n) for s, n in zip(starts, (7, 18, 19))]
    assert [r.negated for r in annotate(text, spans, language="nb")] == [True, True, True]


@pytest.mark.parametrize("lang, sentence", [
    ("nb", "Malignitet kan ikke utelukkes."),
    ("nb", "Man kan ikke utelukke malignitet."),
    ("nb", "Kreft er ikke utelukket."),
    ("nn", "Ein kan ikkje utelukke kreft."),
    ("da", "Man kan ikke udelukke kræft."),
    ("da", "Kræft er endnu ikke afkræftet."),
])
def test_a_cancer_the_referrer_cannot_exclude_is_never_declined(monkeypatch, lang, sentence):
    report = appended(monkeypatch, lang, sentence)
    assert report["action"] != "decline"
    assert "SAFE-001" in {f["rule"] for f in report["findings"]}


@pytest.mark.parametrize("lang, sentence", [
    ("nb", "Spm.: utelukke kreft?"),
    ("nn", "Spørsmål: utelukke metastasar."),
    ("da", "Kræft blev udelukket ved CT sidste år."),
])
def test_a_rule_out_request_or_a_done_rule_out_may_still_be_declined(monkeypatch, lang, sentence):
    assert appended(monkeypatch, lang, sentence)["action"] == "decline"


@pytest.mark.parametrize("lang, sentence", [
    # no sensation at all in the saddle area: the negator is the finding's own
    ("nb", "Hun har ingen følelse i setet siden i morges."),
    ("nb", "Ingen følelse rundt endetarmen når han tørker seg."),
    ("nb", "Har mistet følelsen i skrittet."),
    ("nn", "Ho har inga kjensle i setet sidan i går."),
    ("nn", "Han har mista kjensla rundt endetarmen."),
    ("da", "Ingen følelse i skridtet siden i går."),
    ("da", "Hun har ingen fornemmelse omkring endetarmen."),
    ("da", "Ingen følelse i ridebukseområdet."),
    ("nb", "Kiropraktor beskriver saddelanestesi."),
])
def test_no_feeling_in_the_saddle_area_is_cauda_equina(monkeypatch, lang, sentence):
    report = appended(monkeypatch, lang, sentence)
    assert report["appropriateness"] == "urgent" and "cauda_equina" in {f["code"] for f in report["red_flags"]}


@pytest.mark.parametrize("lang, sentence", [
    ("nb", "Ingen nedsatt følelse i setet."),
    ("nb", "Ingen nummenhet i ridebukseområdet."),
    ("nb", "Normal følelse i setet."),
    ("nn", "Inga nedsett kjensle i setet."),
    ("da", "Ingen nedsat følelse i skridtet."),
    ("da", "Normal sensibilitet i ridebukseområdet."),
])
def test_a_normal_saddle_sensation_is_still_declined(monkeypatch, lang, sentence):
    assert appended(monkeypatch, lang, sentence)["action"] == "decline"
