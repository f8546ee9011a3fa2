"""No input stops a batch: every record gives exactly one schema-valid report (issue 11).

A bounded hypothesis fuzz over texts, structured fields and raw JSONL lines, and the bad
records a fault probe found: an age of "inf", a lone surrogate, JSON nested a thousand
levels, a CSV field over the csv module's default limit, an unterminated CSV quote.
"""
from __future__ import annotations

import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import refcheck
from refcheck.api import check_record
from refcheck.inputs.files import iter_csv, iter_jsonl

# Referral-like alphabet: Norwegian/Danish letters, digits, punctuation, line breaks, and
# a few troublemakers (surrogates, NUL, combining marks, RTL mark).
ALPHABET = st.sampled_from(
    string.ascii_letters + string.digits + "æøåÆØÅéü .,;:!?()[]{}/-–—+*%°'\"\n\t\r" + "\x00\u0301\u200f\ufeff")
TEXTS = st.one_of(
    st.text(ALPHABET, max_size=400),
    st.lists(st.sampled_from(["MR LS.", "Kvinne 52 år,", "ingen", "feber", "ikke", "vekttap", "mor", "har",
                              "nattesmerter", "i 3 uker", "siden", "Spm:", "?", ",", "\n", "(", "utelukke",
                              "kraft", "normal", "Anamnese:", "Lasègue", "neg.", "dager", "til", "tid"]),
             max_size=60).map(" ".join),
    st.text(max_size=200),  # any code points, lone surrogates included
)
META = st.fixed_dictionaries({}, optional={
    "age": st.one_of(st.integers(-10**30, 10**30), st.floats(allow_nan=True, allow_infinity=True),
                     st.text(max_size=6), st.none()),
    "sex": st.one_of(st.text(max_size=8), st.integers()),
    "language": st.sampled_from(["nb", "nn", "da", "en", "", None]),
    "modality": st.one_of(st.text(max_size=5), st.none()),
    "region": st.one_of(st.text(max_size=12), st.none()),
    "date": st.one_of(st.text(max_size=30), st.integers()),
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS, meta=META)
def test_check_never_raises_and_reports_validate(validate, text, meta):
    report = refcheck.check(text, id="fuzz", **meta)
    validate(report.to_dict())


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(st.one_of(
    st.binary(max_size=120),
    st.text(max_size=120).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.builds(lambda t, a: json.dumps({"id": "r", "text": t, "age": a}).encode(),
              st.text(max_size=80), st.one_of(st.floats(), st.text(max_size=5))),
), min_size=1, max_size=6))
def test_every_jsonl_line_gives_one_valid_report(validate, lines):
    records = list(iter_jsonl(iter(lines), "fuzz.jsonl"))
    assert len(records) == sum(1 for raw in lines if raw.strip())
    for record in records:
        validate(check_record(record).to_dict())


def test_bad_records_become_their_own_errors_and_the_batch_goes_on(tmp_path, validate):
    good = json.dumps({"id": "good", "text": "MR LS. Kvinne 50 år, korsryggsmerter i 3 uker."})
    lines = [
        json.dumps({"id": "inf-age", "text": "MR LS. Mann 40 år, ryggsmerter 2 uker.", "age": "inf"}).encode(),
        b'{"id": "huge-age", "text": "MR LS. Mann 40 \\u00e5r.", "age": 1e999}',
        b'{"id": "surrogate", "text": "MR LS \\ud800 ryggsmerter i 2 uker"}',
        b'{"id": "deep", "text": ' + b"[" * 1000 + b"]" * 1000 + b"}",
        good.encode(),
    ]
    reports = [check_record(r) for r in iter_jsonl(iter(lines), "b.jsonl")]
    assert [r.id for r in reports] == ["inf-age", "huge-age", "surrogate", "b.jsonl:4", "good"]
    for r in reports:
        validate(r.to_dict())
    assert reports[0].action is not None and reports[1].action is not None and reports[2].action is not None
    assert reports[3].errors[0]["code"] == "bad_record" and "nested" in reports[3].errors[0]["message"]
    assert reports[4].action == "decline"


def test_csv_long_field_and_unterminated_quote_lose_no_row(tmp_path):
    path = tmp_path / "batch.csv"
    path.write_text("id,text\n"
                    "c1,MR LS. Mann 40 år ryggsmerter 2 uker.\n"
                    "c2," + "a" * 140_000 + "\n"
                    'c3,"MR LS. Kvinne 50 år\n'
                    "c4,MR nakke. Kvinne 30 år nakkesmerter 3 uker.\n"
                    "c5,Rtg kne. Mann 60 år.\n", encoding="utf-8")
    records = list(iter_csv(path))
    assert len(records) == 5
    assert [r.id for r in records][:2] == ["c1", "c2"] and [r.id for r in records][3:] == ["c4", "c5"]
    assert records[1].error is not None and records[1].error.code == "too_long"
    assert records[2].error is not None and records[2].error.code == "bad_record"
    assert "MR LS" not in records[2].error.message  # error messages never carry input values


def test_an_internal_failure_is_that_record_s_error(monkeypatch):
    import refcheck.api as api

    def boom(*a, **k):
        raise RecursionError("deep")

    monkeypatch.setattr(api, "analyse", boom)
    report = refcheck.check("MR LS. Mann 40 år, ryggsmerter 2 uker.", id="x")
    assert report.errors[0]["code"] == "bad_record" and "RecursionError" in report.errors[0]["message"]
    assert "ryggsmerter" not in report.errors[0]["message"]


@pytest.mark.parametrize("text", [
    "\n" * 20_000 + "a", "(" * 20_000, "to uker " * 2_500, "ingen feber, " * 1_500, "Spm: prolaps?\n" * 1_500,
    "mor har kreft. " * 1_500,
])
def test_pathological_inputs_are_read(text, validate):
    # time is measured by benchmarks/adversarial.py; here: they finish and validate
    validate(refcheck.check(text, language="nb").to_dict())


def test_utf16_and_a_stray_byte_are_read_not_refused(tmp_path, validate):
    from refcheck.inputs.files import read_text_file

    text = "MR LS. Kvinne 52 år, korsryggsmerter i 3 uker, ingen røde flagg."
    (tmp_path / "u16.txt").write_bytes(text.encode("utf-16"))
    raw = text.encode("utf-8")
    (tmp_path / "stray.txt").write_bytes(raw[:20] + b"\xe6" + raw[20:])
    u16 = check_record(read_text_file(tmp_path / "u16.txt"))
    stray = check_record(read_text_file(tmp_path / "stray.txt"))
    for r in (u16, stray):
        validate(r.to_dict())
        assert not r.errors and r.appropriateness == "low_value"
    assert u16.action == "decline"
    # a byte that could not be read may hide a word: warned, and never declined
    assert "GEN-011" in {f.rule for f in stray.findings} and stray.action == "manual"


def test_audit_escapes_every_value_and_errors_carry_no_input(tmp_path):
    from typer.testing import CliRunner

    from refcheck.cli import app

    batch = tmp_path / "a.jsonl"
    batch.write_text("\n".join(json.dumps(r) for r in [
        {"id": "m1", "text": "MR LS. Kvinne 52 år, korsryggsmerter i 3 uker.", "date": "<!--x-->",
         "referrer": "<script>alert(1)</script>"},
        {"id": "m2", "resourceType": "<b>Evil</b>", "text": "x"},
    ]) + "\n", encoding="utf-8")
    out = tmp_path / "aud"
    result = CliRunner().invoke(app, ["audit", str(batch), "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<!--x" not in page and "<script>alert" not in page and "&lt;!--x" in page
    assert "Evil" not in (out / "referrals.csv").read_text(encoding="utf-8")


def test_referrer_pages_never_collide_and_are_all_linked(tmp_path):
    from typer.testing import CliRunner

    from refcheck.cli import app

    names = ["Dr. Ås", "Dr Ås", "Dr. Øs", "Ørsta legekontor", "Årsta legekontor"]
    batch = tmp_path / "a.jsonl"
    batch.write_text("\n".join(json.dumps({"id": f"r{i}", "referrer": n,
                                           "text": "MR LS. Kvinne 52 år, korsryggsmerter i 3 uker."})
                               for i, n in enumerate(names)) + "\n", encoding="utf-8")
    out = tmp_path / "aud"
    result = CliRunner().invoke(app, ["audit", str(batch), "--out", str(out), "--by", "referrer"])
    assert result.exit_code == 0, result.output
    pages = json.loads((out / "summary.json").read_text(encoding="utf-8"))["referrer_pages"]
    assert set(pages) == set(names) and len(set(pages.values())) == len(names)
    assert all((out / p).is_file() for p in pages.values())
    assert any("Ås" in p for p in pages.values())  # letters kept
    report = (out / "report.html").read_text(encoding="utf-8")
    assert all(p in report for p in pages.values())


def test_the_pseudonym_key_is_kept_outside_the_outputs(tmp_path):
    import os
    import stat

    from typer.testing import CliRunner

    from refcheck.audit.run import key_path
    from refcheck.cli import app

    batch = tmp_path / "a.jsonl"
    batch.write_text(json.dumps({"id": "pas-123", "text": "MR LS. Kvinne 52 år, korsryggsmerter i 3 uker."}) + "\n",
                     encoding="utf-8")
    out = tmp_path / "aud"
    result = CliRunner().invoke(app, ["audit", str(batch), "--out", str(out)])
    assert result.exit_code == 0, result.output
    key = key_path(out)
    assert key.is_file() and stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert not any("key" in p.name for p in out.rglob("*"))  # sharing the folder shares no key
    assert str(key) in result.output
    assert "pas-123" not in (out / "referrals.csv").read_text(encoding="utf-8")
