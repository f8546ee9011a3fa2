"""The learned red-flag sentence model: a second reader for the safety net (SAFE-002).

It may only turn a proposed decline into manual; it never adds a red flag, changes a
verdict or declines. The referrals below are this file's own wording: low-value back
referrals with one sentence whose red flag the rules do not read (a weight loss told as two weights or
as a signed number, a back grown rounder, long morning stiffness in lay words).
"""
from __future__ import annotations

import json
import shutil

import pytest

import refcheck
from phrasing_cases import LOW_VALUE
from refcheck.errors import DataError
from refcheck.learned import red_flags
from refcheck.paths import model_dir, samples_dir

RESCUED = [
    ("nb", "Han har vært slått ut de siste ukene og ligger mye på sofaen."),
    ("nb", "Han har blitt mye blekere og har gått ned et par hullinger i beltet."),
    ("nn", "Sidan jul: -8 kg."),
    ("da", "Han har været helt slået ud de sidste uger og ligger meget på sofaen."),
    ("nn", "Ho orkar knapt å gå til postkassa og søv mykje om dagen."),
]


def _check(monkeypatch, text: str, on: bool) -> dict:
    monkeypatch.setenv("REFCHECK_LEARNED_FLAGS", "on" if on else "off")
    return refcheck.check(text).to_dict()


@pytest.mark.parametrize("lang, sentence", RESCUED, ids=[f"case-{i}" for i in range(len(RESCUED))])
def test_a_flag_the_rules_miss_turns_a_decline_into_manual(monkeypatch, lang, sentence):
    text = LOW_VALUE[lang] + sentence
    off = _check(monkeypatch, text, False)
    on = _check(monkeypatch, text, True)
    assert off["action"] == "decline"  # the rules alone: the flag is not read
    assert on["action"] == "manual"
    finding = next(f for f in on["findings"] if f["rule"] == "SAFE-002")
    assert sentence.rstrip(".") in finding["message"]  # the sentence quoted, in the referral's language
    s, e = finding["evidence"][0]["start"], finding["evidence"][0]["end"]
    assert sentence.rstrip(".") in text[s:e]
    assert on["red_flags"] == off["red_flags"] and on["appropriateness"] == off["appropriateness"]


@pytest.mark.parametrize("lang, sentence", [
    ("nb", "Ingen vekttap, ingen nattesmerter, ingen feber."),
    ("nn", "Ho har ikkje gått ned i vekt og har ikkje feber."),
    ("da", "Intet vægttab, ingen feber og ingen natlige smerter."),
    ("nb", "Mor hadde brystkreft og beinskjørhet."),
])
def test_denied_or_family_content_leaves_a_decline_alone(monkeypatch, lang, sentence):
    on = _check(monkeypatch, LOW_VALUE[lang] + sentence, True)
    assert on["action"] == "decline"
    assert not [f for f in on["findings"] if f["rule"] == "SAFE-002"]


def test_the_model_only_ever_turns_decline_into_manual_on_the_samples(monkeypatch):
    for path in sorted(samples_dir().glob("gold_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            case = json.loads(line)
            off = _check(monkeypatch, case["text"], False)
            on = _check(monkeypatch, case["text"], True)
            assert on["red_flags"] == off["red_flags"], case["id"]
            assert on["appropriateness"] == off["appropriateness"], case["id"]
            assert on["action"] == off["action"] or (off["action"], on["action"]) == ("decline", "manual"), case["id"]


def test_masked_view_keeps_offsets_and_hides_what_is_not_the_patients():
    text = "Ingen feber, men vekttap 6 kg. Mor hadde brystkreft."
    view = red_flags.masked(text, "nb")
    assert len(view) == len(text)
    assert "feber" not in view and "brystkreft" not in view
    assert "vekttap 6 kg" in view
    da = "Benægter feber og vægttab, men har natlige smerter."
    assert "natlige smerter" in red_flags.masked(da, "da") and "vægttab" not in red_flags.masked(da, "da")


def test_shipped_flag_model_reproduces_its_card_metrics():
    folder = model_dir() / red_flags.NAME
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    rows = red_flags.load_data()
    assert meta["sentences"] == len(rows) and meta["codes"] == list(red_flags.CODES)
    model = red_flags.load()
    eval_rows = rows[: meta["evaluation_split"]]
    import numpy as np

    y = np.array([[int(c in r["codes"]) for c in red_flags.CODES] for r in eval_rows])
    probs = np.array([[p[c] for c in red_flags.CODES] for p in
                      model.probabilities([red_flags.masked(r["text"], r["lang"]) for r in eval_rows])])
    for i, code in enumerate(red_flags.CODES):
        got = red_flags._prf(y[:, i], (probs[:, i] >= model.thresholds[code]).astype(int))
        assert got == meta["evaluation_metrics"][code], code
    card = (folder / "README.md").read_text(encoding="utf-8")
    assert "Hard negatives" in card and meta["sklearn_version"] in card


def test_a_damaged_flag_model_is_refused(tmp_path):
    folder = tmp_path / red_flags.NAME
    shutil.copytree(model_dir() / red_flags.NAME, folder)
    (folder / "arrays.npz").write_bytes((folder / "arrays.npz").read_bytes()[:-50] + b"x" * 50)
    with pytest.raises(DataError, match="RC803"):
        red_flags.load(folder)


def test_a_training_row_with_an_unknown_code_is_refused(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": "Feber 39.", "lang": "nb", "codes": ["fever"], "kind": "affirmed",
                               "concept": "fever"}) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="RC806"):
        red_flags.load_data([bad])


def test_switched_off_with_the_learned_components(monkeypatch):
    monkeypatch.setenv("REFCHECK_LEARNED", "off")
    assert red_flags.shipped() is None


def test_the_evaluation_split_holds_when_sentences_are_added():
    from refcheck.learned.red_flags import load_data, split

    rows = load_data()
    before = {r["text"] for r in split(rows)[0]}
    more = rows + [{"text": f"Ny setning nummer {i} om ryggen.", "lang": "nb", "codes": [], "kind": "neutral"}
                   for i in range(200)]
    after = {r["text"] for r in split(more)[0]}
    assert before <= after  # no sentence left the evaluation split
    assert 0.15 < len(before) / len(rows) < 0.25
