"""The error table: every RCxxx code defined once in refcheck/errors.py and listed by `refcheck errors`."""
from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from refcheck.errors import ERRORS, RECORD_KINDS, message, record_error

PACKAGE = Path(__file__).resolve().parent.parent / "refcheck"
CODE = re.compile(r"\bRC\d{3}\b")


def _sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name != "errors.py" or path.parent != PACKAGE:
            yield path, path.read_text(encoding="utf-8")


def test_no_bracketed_code_outside_the_error_table():
    offenders = [f"{p.relative_to(PACKAGE)}:{n}" for p, text in _sources()
                 for n, line in enumerate(text.splitlines(), start=1) if "[RC" in line]
    assert not offenders, f"bracketed RC codes outside errors.py: {offenders}"


def test_every_code_used_is_in_the_table():
    used = {c for _, text in _sources() for c in CODE.findall(text)}
    assert used, "no codes found: the scan is broken"
    assert used <= set(ERRORS), f"codes used but not in the table: {sorted(used - set(ERRORS))}"


def test_messages_carry_their_code_and_record_errors_their_contract_code():
    assert message("RC304", path="x.txt") == "[RC304] no such file or directory: x.txt"
    err = record_error("RC204", chars=100001, limit=100000)
    assert err.code == "too_long" and err.message.startswith("[RC204] the text has 100001 characters")
    assert all(kind in (*RECORD_KINDS, "input", "data", "usage") for kind, _ in ERRORS.values())


def test_the_text_length_check_exists_once():
    import refcheck
    from refcheck.inputs import record_from_mapping

    text = "x " * 60_000
    via_api = refcheck.check(text).errors[0]
    via_reading = refcheck.check_record(record_from_mapping({"id": "a", "text": text}, "a")).errors[0]
    assert via_api == via_reading and via_api["code"] == "too_long" and "[RC204]" in via_api["message"]


def test_refcheck_errors_lists_the_table():
    from refcheck.cli import app

    runner = CliRunner()
    text = runner.invoke(app, ["errors"])
    assert text.exit_code == 0
    assert all(code in text.output for code in ERRORS)
    rows = json.loads(runner.invoke(app, ["errors", "--format", "json"]).output)
    assert [r["code"] for r in rows] == sorted(ERRORS)
    assert {"code": "RC204", "kind": "too_long", "message": ERRORS["RC204"][1]} in rows
