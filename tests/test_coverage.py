"""The coverage matrix (refcheck/rules/recommendations.yaml) against the catalogue, and
docs/coverage.md generated from it."""
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from refcheck.cli import app
from refcheck.errors import DataError
from refcheck.rules import coverage

ROOT = Path(__file__).resolve().parent.parent


def test_every_recommendation_has_rules_or_a_reason_and_every_rule_a_recommendation():
    matrix = coverage.load()  # raises RC620 otherwise
    ids = [r.id for r in matrix.recommendations]
    assert len(ids) == len(set(ids)) == 128
    assert all(r.sentence.strip() and r.source in ("000", "001", "002", "003", "contract") for r in matrix.recommendations)
    assert all(r.rules or r.reason for r in matrix.recommendations)
    # where the contract decides instead of the guideline's wording, the matrix says so
    assert {r.id for r in matrix.recommendations if r.status == "contract"} >= {"IS-1899 Nakke 4", "001 §6.3.1"}


def test_the_generated_page_is_in_step_with_the_data():
    assert (ROOT / "docs" / "coverage.md").read_text(encoding="utf-8") == coverage.markdown(coverage.load())
    assert "docs/coverage.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def _broken(tmp_path, change):
    raw = yaml.safe_load(coverage.PATH.read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / "recommendations.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_a_rule_without_a_recommendation_or_an_unknown_code_fails_naming_it(tmp_path):
    def drop_modic(raw):  # the only recommendation NO-LBP-017 implements
        raw["recommendations"] = [r for r in raw["recommendations"] if "NO-LBP-017" not in (r.get("rules") or [])]

    with pytest.raises(DataError, match=r"RC620.*NO-LBP-017"):
        coverage.load(_broken(tmp_path, drop_modic))

    def misspell(raw):
        raw["recommendations"][0]["rules"] = ["SCOPE-01"]

    with pytest.raises(DataError, match=r"RC620.*SCOPE-01"):
        coverage.load(_broken(tmp_path, misspell))

    def no_reason(raw):
        raw["recommendations"][0]["rules"] = []
        raw["recommendations"][0]["reason"] = None

    with pytest.raises(DataError, match="no rule and no reason"):
        coverage.load(_broken(tmp_path, no_reason))


def test_cli_prints_the_matrix_and_a_rule_names_what_it_implements():
    runner = CliRunner()
    out = runner.invoke(app, ["rules", "--coverage"])
    assert out.exit_code == 0 and "128 recommendations" in out.output and "IS-1899 Rygg 7" in out.output
    md = runner.invoke(app, ["rules", "--coverage", "--markdown"])
    assert md.output.startswith("# Guideline coverage")
    one = runner.invoke(app, ["rule", "NO-LBP-016"])
    assert "IS-1899 Rygg (CT ved mistanke om fraktur i bue)" in one.output and "IS-1899 Rygg 7" in one.output
    listing = runner.invoke(app, ["rules", "--select", "NO-SHO"])
    assert "IS-1899 Skulder" in listing.output and "[000 Skulder" in listing.output
