"""Learned components: reproducible, checked on load, and trainable in CI."""
import json
import shutil

import pytest

from refcheck import roles
from refcheck.errors import DataError
from refcheck.paths import model_dir
from refcheck.train import evaluate, load_data, train_sentence_roles

SHIPPED = model_dir() / roles.NAME


def test_shipped_model_reproduces_its_card_metrics():
    meta = json.loads((SHIPPED / "meta.json").read_text())
    model = roles.load()
    rows = load_data()
    assert len(rows) == meta["sentences"]
    eval_rows = rows[: meta["evaluation_split"]]
    assert evaluate(model.estimator, model.thresholds, eval_rows) == meta["evaluation_metrics"]
    card = (SHIPPED / "README.md").read_text()
    for heading in ("Training data", "Features", "Cross-validated metrics", "Known limits", "Versions"):
        assert heading in card
    assert meta["sklearn_version"] in card


@pytest.mark.parametrize("damage, code", [
    (lambda d: (d / "model.joblib").unlink(), "RC801"),
    (lambda d: (d / "model.joblib").write_bytes((d / "model.joblib").read_bytes()[:-100] + b"x" * 100), "RC803"),
    (lambda d: (d / "meta.json").write_text(
        json.dumps({**json.loads((d / "meta.json").read_text()), "sklearn_version": "0.1.0"})), "RC804"),
    (lambda d: (d / "meta.json").write_text("{not json"), "RC802"),
])
def test_damaged_model_gives_a_clear_error(tmp_path, damage, code):
    folder = tmp_path / roles.NAME
    shutil.copytree(SHIPPED, folder)
    damage(folder)
    with pytest.raises(DataError, match=code) as err:
        roles.load(folder)
    assert "refcheck train" in str(err.value)


def test_train_on_a_subset_is_deterministic(tmp_path):
    a = train_sentence_roles(tmp_path / "a", subset=240)
    b = train_sentence_roles(tmp_path / "b", subset=240)
    assert a["sha256"] == b["sha256"]
    assert a["evaluation_metrics"] == b["evaluation_metrics"] and a["thresholds"] == b["thresholds"]
    for name in ("model.joblib", "meta.json", "README.md"):
        assert (tmp_path / "a" / roles.NAME / name).exists()
    loaded = roles.load(tmp_path / "a" / roles.NAME)
    assert loaded.roles(["Spørsmål: prolaps?"]) is not None


def test_models_off_runs_on_rules_alone(monkeypatch):
    import refcheck

    monkeypatch.setenv("REFCHECK_LEARNED", "off")
    assert not roles.enabled()
    report = refcheck.check("MR kne hø. Kvinne 54 år, hevelse og låsninger i 10 uker. McMurray pos. Menisk?")
    assert report.clinical_question["present"]
