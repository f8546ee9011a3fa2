"""Learned components: reproducible, checked on load, and trainable in CI."""
import json
import shutil

import pytest

from refcheck.learned import roles
from refcheck.errors import DataError
from refcheck.paths import model_dir
from refcheck.learned.train import evaluate, load_data, train_sentence_roles

SHIPPED = model_dir() / roles.NAME


def test_shipped_model_reproduces_its_card_metrics():
    meta = json.loads((SHIPPED / "meta.json").read_text())
    model = roles.load()
    rows = load_data()
    assert meta["format"] == roles.FORMAT
    assert len(rows) == meta["sentences"]
    eval_rows = rows[: meta["evaluation_split"]]
    assert evaluate(model.estimator, model.thresholds, eval_rows) == meta["evaluation_metrics"]
    card = (SHIPPED / "README.md").read_text()
    for heading in ("Training data", "Features", "Cross-validated metrics", "Known limits", "Versions"):
        assert heading in card
    assert meta["sklearn_version"] in card


@pytest.mark.parametrize("damage, code", [
    (lambda d: (d / "arrays.npz").unlink(), "RC801"),
    (lambda d: (d / "meta.json").unlink(), "RC801"),
    (lambda d: (d / "arrays.npz").write_bytes((d / "arrays.npz").read_bytes()[:-100] + b"x" * 100), "RC803"),
    (lambda d: (d / "vocabulary.json").write_text("[]"), "RC803"),
    (lambda d: (d / "meta.json").write_text(
        json.dumps({**json.loads((d / "meta.json").read_text()), "format": "pickle/0"})), "RC804"),
    (lambda d: (d / "meta.json").write_text("{not json"), "RC802"),
], ids=["no-arrays", "no-meta", "corrupt-arrays", "changed-vocabulary", "other-format", "bad-meta"])
def test_damaged_model_gives_a_clear_error(tmp_path, damage, code):
    folder = tmp_path / roles.NAME
    shutil.copytree(SHIPPED, folder)
    damage(folder)
    with pytest.raises(DataError, match=code) as err:
        roles.load(folder)
    assert "refcheck train" in str(err.value)


def test_train_on_a_subset_is_deterministic_and_export_matches_sklearn(tmp_path):
    import numpy as np

    from refcheck.learned.roles import build_estimator, preprocess

    a = train_sentence_roles(tmp_path / "a", subset=240)
    b = train_sentence_roles(tmp_path / "b", subset=240)
    assert a["files"] == b["files"]  # byte-identical artefacts from the same data
    assert a["evaluation_metrics"] == b["evaluation_metrics"] and a["thresholds"] == b["thresholds"]
    for name in ("arrays.npz", "vocabulary.json", "meta.json", "README.md"):
        assert (tmp_path / "a" / roles.NAME / name).exists()
    loaded = roles.load(tmp_path / "a" / roles.NAME)
    rows = load_data(240)
    train = rows[a["evaluation_split"]:]
    y = np.array([[int(r in row["roles"]) for r in roles.ROLES] for row in train])
    est = build_estimator().fit([preprocess(row["text"]) for row in train], y)
    texts = [preprocess(row["text"]) for row in rows]
    assert np.abs(est.predict_proba(texts) - loaded.estimator.predict_proba(texts)).max() < 1e-9


def test_models_off_runs_on_rules_alone(monkeypatch):
    import refcheck

    monkeypatch.setenv("REFCHECK_LEARNED", "off")
    assert not roles.enabled()
    report = refcheck.check("MR kne hø. Kvinne 54 år, hevelse og låsninger i 10 uker. McMurray pos. Menisk?")
    assert report.clinical_question["present"]


@pytest.mark.parametrize("finding", ["Aktiv abduksjon stopper ved 80 grader.",
                                     "Smertefull ved utadrotasjon mot motstand."])
def test_model_adds_a_finding_the_rules_miss_in_headerless_text(monkeypatch, finding):
    import refcheck

    text = ("Kvinne 61 år med smerter i høyre skulder i 5 mnd, verst ved løft over hodet. "
            f"Ingen bedring av fysioterapi. {finding} Spørsmål: rotatorcuffruptur?")
    results = []
    for mode in ("off", "on"):
        monkeypatch.setenv("REFCHECK_LEARNED", mode)
        roles.shipped.cache_clear()
        results.append(refcheck.check(text).clinical_findings["present"])
    roles.shipped.cache_clear()
    assert results == [False, True]


def test_refcheck_train_command_on_a_subset(tmp_path):
    from typer.testing import CliRunner

    from refcheck.cli import app

    result = CliRunner().invoke(app, ["train", "--subset", "200", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "sentence_roles: 200 sentences" in result.output
    assert roles.load(tmp_path / roles.NAME).meta["subset"] == 200
