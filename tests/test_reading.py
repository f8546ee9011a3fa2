"""Reading every input kind; bad records become error reports and never stop a batch."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from refcheck.errors import InputError
from refcheck.inputs import decode_bytes, iter_records

ROOT = Path(__file__).resolve().parent.parent
FHIR = ROOT.parent / "shared" / "fhir"


def test_txt_cp1252_bom_and_crlf(tmp_path):
    (tmp_path / "a.txt").write_bytes("Kvinne 45 år, vondt i høyre kne.\r\n".encode("cp1252"))
    (tmp_path / "b.txt").write_bytes("\ufeffMann 60 år med ryggsmerter.".encode("utf-8"))
    recs = list(iter_records(tmp_path))
    assert [r.id for r in recs] == ["a", "b"]
    assert recs[0].text.startswith("Kvinne 45 år, vondt i høyre kne.")
    assert recs[1].text.startswith("Mann")


def test_binary_file_is_decode_error():
    text, err = decode_bytes(b"\x00\x01\x02PK\x03\x04")
    assert text is None and err.code == "decode_error"


def test_jsonl_bad_lines_are_kept(tmp_path):
    p = tmp_path / "batch.jsonl"
    p.write_text('{"id": "1", "text": "Ryggsmerter i 3 uker."}\n{not json\n{"id": "3"}\n'
                 '{"id": "4", "text": 12}\n{"id": "5", "text": "Kne", "age": "54"}\n', encoding="utf-8")
    recs = list(iter_records(p))
    assert [r.id for r in recs] == ["1", "batch.jsonl:2", "3", "4", "5"]
    assert [r.error.code if r.error else None for r in recs] == [None, "bad_record", "bad_record", "bad_record", None]
    assert recs[4].meta == {"age": "54"}


def test_csv_batch_with_bad_row(tmp_path):
    p = tmp_path / "batch.csv"
    p.write_text("id,text,age,sex\nr1,Vondt i skulderen i 3 mnd,49,K\nr2,too,many,columns,here\n", encoding="utf-8")
    recs = list(iter_records(p))
    assert recs[0].text == "Vondt i skulderen i 3 mnd" and recs[0].meta == {"age": "49", "sex": "K"}
    assert recs[1].error.code == "bad_record"


def test_csv_without_text_column_is_clear_error(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="no 'text' column"):
        list(iter_records(p))


def test_missing_file_is_clear_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        list(iter_records(tmp_path / "nope.txt"))


@pytest.mark.skipif(not FHIR.exists(), reason="shared/fhir not beside the repository")
@pytest.mark.parametrize("name", ["servicerequest-example-di.json", "servicerequest-example2.json",
                                  "servicerequest-example3.json"])
def test_fhir_spec_examples_get_a_report_that_says_why(name, validate):
    from refcheck.api import check_record

    recs = list(iter_records(FHIR / name))
    assert len(recs) == 1
    report = validate(check_record(recs[0]).to_dict())
    # English, non-musculoskeletal, or without clinical text: never judged as a normal referral.
    assert report["errors"] or report["appropriateness"] in ("out_of_scope", "uncertain")


def test_fhir_bundle_with_patient(tmp_path):
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1970-03-01"}},
        {"resource": {"resourceType": "ServiceRequest", "id": "sr1", "status": "active", "intent": "order",
                      "subject": {"reference": "Patient/p1"}, "authoredOn": "2026-05-01",
                      "code": {"text": "MR kne høyre"},
                      "reasonCode": [{"text": "Låsninger og hevelse i kneet etter vridning for 8 uker siden. McMurray positiv. Meniskskade?"}]}},
    ]}
    p = tmp_path / "bundle.json"
    p.write_text(json.dumps(bundle), encoding="utf-8")
    recs = list(iter_records(p))
    assert recs[0].id == "sr1" and recs[0].meta["age"] == 56 and recs[0].meta["sex"] == "female"
    assert "Meniskskade?" in recs[0].text


def test_cli_stdin_and_unknown_option():
    run = lambda *a, **k: subprocess.run([sys.executable, "-m", "refcheck.cli", *a], capture_output=True, text=True, **k)
    ok = run("check", "-", "--format", "jsonl", input="Mann 38 år, korsryggsmerter i 10 dager. MR?")
    assert ok.returncode == 0 and json.loads(ok.stdout)["id"] == "stdin"
    bad = run("check", "-", "--colour")
    assert bad.returncode == 2 and "No such option" in bad.stderr
    missing = run("check", "/nonexistent/file.txt")
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_fhir_resource_missing_required_fields_is_bad_record(tmp_path):
    p = tmp_path / "sr.json"
    # status and intent are required by FHIR; the subject reference is malformed.
    p.write_text(json.dumps({"resourceType": "ServiceRequest", "id": "x1", "subject": {"reference": 12},
                             "code": {"text": "MR kne"}}), encoding="utf-8")
    rec = list(iter_records(p))[0]
    assert rec.id == "x1" and rec.error.code == "bad_record"
    assert "subject.reference" in rec.error.message and "MR kne" not in rec.error.message
    p.write_text(json.dumps({"resourceType": "ServiceRequest", "id": "x2", "subject": {"reference": "Patient/p"},
                             "code": {"text": "MR kne"}}), encoding="utf-8")
    rec = list(iter_records(p))[0]
    assert rec.error.code == "bad_record" and "status" in rec.error.message and "intent" in rec.error.message


def test_fhir_ndjson_danish_with_contained_patient(tmp_path, validate):
    from refcheck.api import check_record

    sr = {"resourceType": "ServiceRequest", "id": "dk-1", "status": "active", "intent": "order",
          "contained": [{"resourceType": "Patient", "id": "p", "gender": "male", "birthDate": "1986-01-10"}],
          "subject": {"reference": "#p"}, "authoredOn": "2026-03-01",
          "code": {"coding": [{"system": "http://snomed.info/sct", "code": "241615005", "display": "MR af lænden"}]},
          "reasonCode": [{"text": "Lænderygsmerter gennem 3 uger efter løft. Ingen udstråling, ingen feber, intet vægttab."}],
          "note": [{"text": "Obj.: ømhed paravertebralt, neurologisk us. normal. Spørgsmål: prolaps?"}]}
    p = tmp_path / "batch.ndjson"
    p.write_text(json.dumps(sr) + "\n" + json.dumps({"resourceType": "Patient", "id": "z"}) + "\n", encoding="utf-8")
    recs = list(iter_records(p))
    assert [r.id for r in recs] == ["dk-1", "z"]
    assert recs[1].error.code == "bad_record"
    report = validate(check_record(recs[0]).to_dict())
    assert report["language"] == "da" and report["patient"] == {"age": 40, "sex": "male"}
    assert report["exam"]["modality"] == "MR" and report["appropriateness"] == "low_value"
