"""Shared fixtures. Pipelines are built lazily inside tests (never at import time)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CONTRACT = SHARED / "contract"
SAMPLES = ROOT / "sample_referrals"


@pytest.fixture(scope="session")
def schema_validator():
    import jsonschema

    path = CONTRACT / "report.schema.json"
    if not path.exists():  # the contract lives beside the repository; a local copy is shipped too
        path = ROOT / "tests" / "data" / "report.schema.json"
    return jsonschema.Draft202012Validator(json.loads(path.read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def validate(schema_validator):
    def _validate(report_dict: dict) -> dict:
        errors = sorted(schema_validator.iter_errors(report_dict), key=lambda e: e.path)
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
        return report_dict

    return _validate


@pytest.fixture(scope="session")
def check(validate):
    """refcheck.check that also validates every report against the contract schema."""
    import refcheck

    def _check(text, **meta):
        report = refcheck.check(text, **meta)
        validate(report.to_dict())
        return report

    return _check
