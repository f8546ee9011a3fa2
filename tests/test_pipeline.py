"""Language ID, sections and ConText scope on nb / nn / da snippets."""
import re

import pytest

import refcheck
from refcheck.text import langid
from refcheck.nlp import build


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

    from refcheck.nlp import SPACY_LANG
    from refcheck.nlp.tokenizer import SpecialCaseTokenizer, customise_tokenizer

    reference = spacy.blank(SPACY_LANG[lang])
    customise_tokenizer(reference, lang)
    fast = build(lang).tokenizer
    assert isinstance(fast, SpecialCaseTokenizer)
    root = Path(__file__).resolve().parent.parent
    texts = [json.loads(line)["text"] for path in sorted((root / "sample_referrals").glob("gold_*.jsonl"))
             for line in path.read_text(encoding="utf-8").splitlines()]
    texts += ["Pas. m/ smerter ve./hø. side, f.eks. ved løft (ca. 3 mnd.). Rtg. LS-col.?",
              "Pt. har bl.a. smerter i th. skulder.\n\nSpm.: Ruptur?", "Temp. 38,5°C. CRP 45."]
    from spacy.tokenizer import Tokenizer

    ref = reference.tokenizer
    no_specials = Tokenizer(ref.vocab, rules={}, prefix_search=ref.prefix_search, suffix_search=ref.suffix_search,
                            infix_finditer=ref.infix_finditer, url_match=ref.url_match)
    changed = 0
    for text in texts:
        want = [(t.text, t.whitespace_) for t in ref(text)]
        got = [(t.text, t.whitespace_) for t in fast(text)]
        assert got == want, text[:60]
        changed += [t for t, _ in want] != [t.text for t in no_specials(text)]
    assert changed > 10  # special cases matter on these texts (abbreviations are common)


def test_filtered_patterns_find_the_same_matches():
    """fastre's first-character filter never changes what a pattern matches."""
    import json
    import re
    from pathlib import Path

    from refcheck.facts import components, extract, quantities  # noqa: F401 - compile their patterns
    from refcheck.text import fastre

    for lang in ("nb", "nn", "da"):
        build(lang)
    root = Path(__file__).resolve().parent.parent
    texts = [json.loads(line)["text"] for path in sorted((root / "sample_referrals").glob("gold_*.jsonl"))
             for line in path.read_text(encoding="utf-8").splitlines()]
    texts += ["K 45, M 60 år. Kvinne på 52 år (52). WAD 2-3. Temp. 38,5. CRP 45, SR: 60. M54.5 L03",
              "KVINNE 34 ÅR, SISTE DØGN, I GÅR, i fjor. Siden i går kveld. 3-4 uker, to mnd, et halvt år"]
    filtered = [(p, f, c) for p, f, c in fastre.COMPILED if c.pattern != p]
    assert len(filtered) >= 30
    for pattern, flags, compiled in filtered:
        plain = re.compile(pattern, flags)
        for text in texts:
            want = [(m.span(), m.groups()) for m in plain.finditer(text)]
            assert [(m.span(), m.groups()) for m in compiled.finditer(text)] == want, pattern[:60]


@pytest.mark.parametrize("pattern, flags, starts", [
    (r"(?<!\w)(?:siste|i går)", re.IGNORECASE, {"s", "i"}),  # the class is matched with IGNORECASE too
    (r"(?:et )?(?P<n>\d+|to)\s*uker", 0, {"\\d", "e", "t"}),
    (r"(?i:kv)|M", 0, {"K", "k", "\u212a", "M"}),  # a scoped (?i:) folds, KELVIN SIGN included
    (r"\s*\d", 0, {"\\s", "\\d"}),
    (r".x", 0, None),  # any character: no filter
    (r"[^a]x", 0, None),
    (r"(?:ab)?", 0, None),  # matches the empty string: no filter
])
def test_first_chars(pattern, flags, starts):
    from refcheck.text.fastre import first_chars

    got = first_chars(pattern, flags)
    if starts is None:
        assert got is None
    else:
        atoms = set(re.findall(r"\\[ds]|\\.|.", got[1:-1]))
        assert {a if a in ("\\d", "\\s") else a.lstrip("\\") for a in atoms} == starts
