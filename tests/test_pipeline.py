"""Language ID, sections and ConText scope on nb / nn / da snippets."""
import pytest

import refcheck
from refcheck import langid
from refcheck.pipeline import build


@pytest.mark.parametrize("text, lang", [
    ("MR columna.", "nb"),
    ("Mann 38 år med akutte korsryggsmerter etter løft, ingen utstråling.", "nb"),
    ("Gut 11 år, haltar og har vondt i hofta sidan i går.", "nn"),
    ("Ho har hatt vondt i ryggen i fire veker og det blir ikkje betre.", "nn"),
    ("Pt. 41-årig kvinde med lænderygsmerter gennem 8 uger.", "da"),
    ("Henvisning til MR af knæet, aflåsninger.", "da"),
    ("MR hø. albue - lateral epikondylitt.", "nb"),
])
def test_language(text, lang):
    assert langid.detect(text) == lang


@pytest.mark.parametrize("lang, text, expected", [
    ("nb", "Anamnese: vondt i ryggen.\nKlinisk us.: Lasègue neg.\nTentativ diagnose: lumbago\nSpørsmål: prolaps?",
     ["history", "clinical_findings", "tentative_diagnosis", "clinical_question"]),
    ("nb", "Aktuelt: smerter i kneet. Obj.: hydrops. Spm. menisk?", ["history", "clinical_findings", "clinical_question"]),
    ("nb", "Spoersmaal: Strukturell aarsak?", ["clinical_question"]),
    ("nn", "Sjukehistorie: vondt i hofta.\nFunn: halting.\nProblemstilling: artrose?", ["history", "clinical_findings", "clinical_question"]),
    ("da", "Anamnese: lænderygsmerter.\nObjektivt: ømhed.\nSpørgsmål: prolaps?", ["history", "clinical_findings", "clinical_question"]),
    ("nb", "Vondt i kneet i 3 uker, Lasègue neg.", []),
])
def test_sections(lang, text, expected):
    doc = build(lang)(text)
    assert [s.category for s in doc._.sections] == expected


@pytest.mark.parametrize("lang, text, flags", [
    ("nb", "Ryggsmerter i 3 uker. Ingen feber, ikke vekttap, normal vannlating.", set()),
    ("nb", "Ryggsmerter i 3 uker. Ingen feber, men nattesmerter.", {"night_rest_pain"}),
    ("nb", "Ryggsmerter i 3 uker. Benekter feber og vekttap.", set()),
    ("nb", "Ryggsmerter i 3 uker. Ved evt. feber skal hun ta kontakt.", set()),
    ("nb", "Ryggsmerter i 3 uker. Mor hadde brystkreft.", set()),
    ("nb", "Ryggsmerter i 3 uker. Operert for brystkreft 2019.", {"malignancy"}),
    ("nb", "Ryggsmerter i 3 uker. Ingen tegn til infeksjon. Gått ned 6 kg.", {"weight_loss"}),
    ("nb", "Ryggsmerter i 3 uker, u/ feber.", set()),
    ("nn", "Vondt i ryggen i tre veker. Ikkje feber, men vaknar av smertene om natta.", {"night_rest_pain"}),
    ("nn", "Vondt i ryggen i tre veker. Far hadde kreft i tarmen.", set()),
    ("da", "Lænderygsmerter i 3 uger. Benægter feber og vægttab.", set()),
    ("da", "Lænderygsmerter i 3 uger. Ingen feber, men natlige smerter.", {"night_rest_pain"}),
    ("da", "Lænderygsmerter i 3 uger. Mor havde brystkræft.", set()),
    ("da", "Lænderygsmerter i 3 uger. Uden vandladningsproblemer. Tidligere prostatacancer.", {"malignancy"}),
])
def test_context_scope_on_red_flags(lang, text, flags, validate):
    report = refcheck.check(text, language=lang)
    validate(report.to_dict())
    assert set(report.flag_codes) - {"age_onset"} == flags


@pytest.mark.parametrize("lang, word_a, word_b", [
    ("nb", "smerter", "smertene"), ("nb", "prolaps", "prolapser"), ("nn", "hofta", "hofte"),
    ("da", "smerterne", "smerter"), ("nb", "Lasègue", "lasegue"), ("nb", "roentgen", "røntgen"),
])
def test_inflected_and_folded_forms_share_a_key(lang, word_a, word_b):
    matcher = build(lang).get_pipe("refcheck_lexicon").matcher
    assert matcher.features(word_a)[0] == matcher.features(word_b)[0]


@pytest.mark.parametrize("lang", ["nb", "nn", "da"])
def test_special_case_tokenizer_matches_spacy(lang):
    """The merge-step tokenizer gives spaCy's own tokens (with special cases) on every sample."""
    import json
    from pathlib import Path

    import spacy

    from refcheck.pipeline import SPACY_LANG, SpecialCaseTokenizer, _customise_tokenizer

    reference = spacy.blank(SPACY_LANG[lang])
    _customise_tokenizer(reference, lang, merge_specials=False)
    fast = build(lang).tokenizer
    assert isinstance(fast, SpecialCaseTokenizer)
    root = Path(__file__).resolve().parent.parent
    texts = [json.loads(line)["text"] for path in sorted((root / "sample_referrals").glob("gold_*.jsonl"))
             for line in path.read_text(encoding="utf-8").splitlines()]
    texts += ["Pas. m/ smerter ve./hø. side, f.eks. ved løft (ca. 3 mnd.). Rtg. LS-col.?",
              "Pt. har bl.a. smerter i th. skulder.\n\nSpm.: Ruptur?", "Temp. 38,5°C. CRP 45."]
    changed = 0
    for text in texts:
        want = [(t.text, t.whitespace_) for t in reference.tokenizer(text)]
        got = [(t.text, t.whitespace_) for t in fast(text)]
        assert got == want, text[:60]
        changed += [t for t, _ in want] != [t.text for t in fast.inner(text)]
    assert changed > 10  # the merge step did real work (abbreviations are common)
