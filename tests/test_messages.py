"""Electronic referral messages (issue 13): KITH Rekvisisjon / Henvisning and MedCom XREF in,
AppRec / Dialogmelding / MedCom receipts out, validated against the real XSDs in
../shared/messages."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

import refcheck
from messages_builder import MESSAGES, TEMPLATES, build
from refcheck.api import check_record
from refcheck.cli import app
from refcheck.inputs.identity import birth_and_sex_from_cpr, birth_and_sex_from_fnr
from refcheck.inputs.messages import read_message
from refcheck.inputs.schemas import validate
from refcheck.render.replies import replies

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in MESSAGES.rglob("*.xml") if "/schema/" not in str(p) and "catalog" not in str(p))
REFERRALS = [p for p in EXAMPLES if "/apprec/" not in str(p) and "/dialogmelding/" not in str(p)
             and "/svarrapport/" not in str(p)]
INVALID = {"Case1-20-b": "Patient", "Case1-21-b": "Requester"}  # KITH's deliberately invalid cases


def _message(name: str):
    path = next(p for p in EXAMPLES if p.name == name)
    return read_message(path.read_bytes(), path.stem)


def test_identity_numbers_give_age_and_sex_at_the_issue_date():
    born, sex = birth_and_sex_from_fnr("12057900499")  # KITH's test patient Gry Telokk
    assert (born.isoformat(), sex) == ("1979-05-12", "female")
    assert birth_and_sex_from_fnr("52057900499")[0].isoformat() == "1979-05-12"  # D-nummer: day + 40
    assert birth_and_sex_from_fnr("12450550117")[0].year == 2005  # individual number 501: born 2000-2039
    assert birth_and_sex_from_fnr("31029912345") is None  # 31 February
    assert birth_and_sex_from_cpr("1509814844") == (birth_and_sex_from_cpr("150981-4844"))
    born, sex = birth_and_sex_from_cpr("1509814844")
    assert (born.isoformat(), sex) == ("1981-09-15", "female")
    assert birth_and_sex_from_cpr("0101104121")[0].year == 2010  # 7th digit 4, year 10: 2000s


@pytest.mark.parametrize("path", REFERRALS, ids=[p.name for p in REFERRALS])
def test_every_shared_referral_message_gives_a_valid_report(path, validate):
    msg = read_message(path.read_bytes(), path.stem, MESSAGES)
    report = check_record(msg.record)
    d = validate(report.to_dict())
    if path.stem in INVALID:
        assert d["errors"] and d["errors"][0]["code"] == "bad_record"
        assert INVALID[path.stem] in d["errors"][0]["message"]
    elif msg.kind == "cancel":  # a cancellation may carry no text at all
        assert not d["errors"] or d["errors"][0]["code"] == "empty_text"
    else:
        assert not d["errors"], d["errors"]
        assert msg.standard in ("Rekvisisjon", "Henvisning", "MedCom XREF01", "MedCom XREF02")


def test_the_mr_knee_requisition_reads_mr_knee_right_and_medcom_chest_xray_is_out_of_scope():
    for name in ("Rekvisisjon_radiologi-MR-v1-6_Ny.xml", "Rekvisisjon_radiologi-MR-v1.5_Ny.xml"):
        msg = _message(name)
        report = check_record(msg.record)
        assert report.exam == {"modality": "MR", "region": "knee", "laterality": "right"}
        assert report.patient == {"age": 38, "sex": "female"} and msg.kind == "new"
    assert _message("Rekvisisjon_radiologi-MR-v1-6_Kansellering.xml").kind == "cancel"
    assert _message("Rekvisisjon_radiologi-MR-v1-6_Endring.xml").kind == "update"
    danish = _message("REF02_1.xml")
    report = check_record(danish.record)
    assert danish.standard == "MedCom XREF02" and report.language == "da"
    assert report.appropriateness == "out_of_scope" and report.exam["modality"] == "XR"


def test_kiths_invalid_cases_get_bad_record_and_a_negative_apprec_that_validates():
    for stem, element in INVALID.items():
        path = next(p for p in EXAMPLES if p.stem == stem)
        for schemas in (None, MESSAGES):  # the reason without schemas, and with them
            msg = read_message(path.read_bytes(), stem, schemas)
            assert msg.record.error is not None and element in msg.record.error.message
        ((kind, xml),) = replies(msg, None)
        root = etree.fromstring(xml)
        assert kind == "apprec" and validate(root, MESSAGES) is None
        assert root.find("{*}Status").get("V") == "2" and root.find("{*}Error").get("V") in ("T02", "E36", "X99")
        assert root.find("{*}OriginalMsgId/{*}Id").text  # the original message's id


def test_a_medcom_letter_without_a_patient_gets_a_valid_negative_receipt():
    root = etree.fromstring((MESSAGES / "dk-medcom" / "examples" / "REF02_1.xml").read_bytes())
    patient = root.find(".//{*}Patient")
    patient.getparent().remove(patient)
    msg = read_message(etree.tostring(root), "no-patient")
    assert msg.standard == "MedCom XREF02" and "Patient" in msg.record.error.message
    ((kind, xml),) = replies(msg, None)
    assert kind == "receipt" and b"NegativeReceipt" in xml and validate(etree.fromstring(xml), MESSAGES) is None


def test_broken_and_hostile_xml_is_a_bad_record_never_an_expansion():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
            b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><Message xmlns="http://www.kith.no/xmlstds/henvisning/2012-02-15">'
            b'<Type V="HENVISNING"/><ServReq><Patient/><Requester/><ReasonAsText><TextResultValue>&c;'
            b'</TextResultValue></ReasonAsText></ServReq></Message>')
    msg = read_message(bomb, "bomb")
    assert msg.record.error is not None or "aaaaaaaaaa" not in (msg.record.text or "")
    external = (b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                b'<Message xmlns="http://www.kith.no/xmlstds/henvisning/2012-02-15"><ServReq><Patient/><Requester/>'
                b'<ReasonAsText><TextResultValue>&x;</TextResultValue></ReasonAsText></ServReq></Message>')
    assert "root:" not in (read_message(external, "xxe").record.text or "")
    for data, code in ((b"<Message><unclosed>", "RC410"), (b"<Other xmlns='urn:x'/>", "RC411"), (b"", "RC410")):
        err = read_message(data, "bad").record.error
        assert err is not None and code in err.message


SAMPLES = [json.loads(line) for name in ("gold_nb", "gold_nn", "gold_da")
           for line in open(ROOT / "sample_referrals" / f"{name}.jsonl", encoding="utf-8")]


def _cases(fmt: str, n: int = 8):
    danish = fmt.startswith("xref")
    picked = [s for s in SAMPLES if (s["gold"]["language"] == "da") == danish
              and s["gold"].get("age") is not None and s["gold"].get("sex")]
    return picked[:: max(1, len(picked) // n)][:n]


def _key(report: dict) -> tuple:
    return (report["appropriateness"], report["action"], report["recommended_modality"],
            sorted(f["code"] for f in report["red_flags"]), report["exam"], report["patient"],
            report["findings"][0]["rule"], report["completeness"]["grade"])


@pytest.mark.parametrize("fmt", list(TEMPLATES))
def test_our_own_messages_round_trip_to_the_plain_text_verdict(fmt):
    """Sample referrals wrapped in each standard and version (messages_builder): valid against
    the XSD, and read to the same facts and verdict as the plain text with the same fields."""
    for sample in _cases(fmt):
        gold = sample["gold"]
        modality = gold.get("modality")
        xml = build(fmt, sample["text"], rid=sample["id"], age=gold["age"], sex=gold["sex"], modality=modality)
        assert validate(etree.fromstring(xml), MESSAGES) is None, (fmt, sample["id"])
        msg = read_message(xml, "built", MESSAGES)
        meta = {"age": gold["age"], "sex": gold["sex"], "date": "2026-10-01"}
        if fmt.startswith("rekvisisjon") and modality:
            meta["modality"] = "other" if modality == "DXA" else modality
        if fmt.startswith("xref"):
            meta["language"] = "da"
        plain = refcheck.check(sample["text"], id=sample["id"], **meta).to_dict()
        assert _key(check_record(msg.record).to_dict()) == _key(plain), (fmt, sample["id"])
        assert msg.record.id == (sample["id"][:14] if fmt.startswith("xref") else sample["id"])


def test_replies_validate_and_a_decline_gets_a_dialogmelding_with_the_advice():
    text = ("Rtg LS-columna. Mann 39 år, vondt i korsryggen i 9 dager etter flytting, ingen utstråling. "
            "Ingen feber, ikke vekttap. Us: nevrologisk ua. Spm: prolaps?")
    xml = build("rekvisisjon-1.6", text, rid="rc-rep-1", age=39, sex="male", modality="XR")
    msg = read_message(xml, "x")
    report = check_record(msg.record).to_dict()
    assert report["action"] == "decline"
    out = dict(replies(msg, report))
    assert set(out) == {"apprec", "dialog"}
    for kind, body in out.items():
        assert validate(etree.fromstring(body), MESSAGES) is None, kind
    dialog = etree.fromstring(out["dialog"])
    assert dialog.find(".//{*}TemaKodet").get("V") == "4"  # Henvisningen er avvist
    note = dialog.find(".//{*}TekstNotatInnhold").text
    assert "IS-1899 Rygg" in note and "avvises" in note
    assert dialog.find(".//{*}RefToParent").text == msg.msg_id and dialog.find(".//{*}DokIdNotat").text == "rc-rep-1"
    accepted = read_message(build("rekvisisjon-1.6", "MR kne hø. Kvinne 38 år, låser seg, McMurray pos. Spm: menisk?",
                                  rid="rc-rep-2", age=38, sex="female", modality="MR"), "y")
    assert [k for k, _ in replies(accepted, check_record(accepted.record).to_dict())] == ["apprec"]
    danish = read_message(build("xref02", "Rtg. af lænden. 40-årig mand, lænderygsmerter i 2 uger.", rid="dk-1",
                                age=40, sex="male"), "z")
    ((kind, receipt),) = replies(danish, check_record(danish.record).to_dict())
    assert kind == "receipt" and validate(etree.fromstring(receipt), MESSAGES) is None
    assert b"PositiveReceipt" in receipt


def _identities() -> set[str]:
    """Every fødselsnummer, CPR number, patient or relative name and address in the examples."""
    found: set[str] = set()
    for path in EXAMPLES:
        root = etree.parse(str(path)).getroot()
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            name = etree.QName(el).localname
            text = (el.text or "").strip()
            if name in ("OffId", "CivilRegistrationNumber", "PersonIdentifier") or (
                    name == "Id" and re.fullmatch(r"\d{11}", text)):
                found.add(text)
            if name in ("FamilyName", "GivenName", "PersonSurnameName", "PersonGivenName", "StreetAdr",
                        "StreetName") and len(text) > 3:
                found.add(text)
            if name == "Name" and etree.QName(el.getparent()).localname == "Patient":
                found.add(text)
    return {x for x in found if x}


def test_no_identity_number_name_or_address_in_any_output(tmp_path):
    identities = _identities()
    assert "12057900499" in identities and "1509814844" in identities and "Telokk, Gry" in identities
    runner = CliRunner()
    folders = sorted({p.parent for p in EXAMPLES})
    outputs = []
    for folder in folders:
        res = runner.invoke(app, ["check", str(folder), "--format", "jsonl"])
        outputs.append(res.output)
        res = runner.invoke(app, ["check", str(folder), "--format", "text", "--show-text"])
        outputs.append(res.output)
        reply_dir = tmp_path / folder.name
        res = runner.invoke(app, ["reply", str(folder), "--out", str(reply_dir)])
        assert res.exit_code == 0, res.output
        outputs.append(res.output)
        outputs += [p.read_text(encoding="utf-8") for p in reply_dir.iterdir()]
    audit = tmp_path / "audit"
    res = runner.invoke(app, ["audit", str(MESSAGES / "no-kith" / "examples" / "rekvisisjon-v1.6"), "--out", str(audit),
                              "--keep-ids", "--quiet"])
    assert res.exit_code == 0, res.output
    outputs += [p.read_text(encoding="utf-8", errors="replace") for p in audit.iterdir() if p.is_file()]
    blob = "\n".join(outputs)
    leaked = sorted(x for x in identities if x in blob)
    assert not leaked, leaked


def test_check_and_reply_from_the_command_line(tmp_path):
    runner = CliRunner()
    mr = MESSAGES / "no-kith" / "examples" / "rekvisisjon-v1.6" / "Rekvisisjon_radiologi-MR-v1-6_Ny.xml"
    res = runner.invoke(app, ["check", str(mr), "--format", "json", "--schemas", str(MESSAGES)])
    assert res.exit_code == 0 and json.loads(res.output)["exam"]["region"] == "knee"
    res = runner.invoke(app, ["reply", str(mr), "--out", str(tmp_path)])
    assert res.exit_code == 0 and (tmp_path / f"{mr.stem}.apprec.xml").exists()
    res = runner.invoke(app, ["reply", str(tmp_path / "missing"), "--out", str(tmp_path)])
    assert res.exit_code != 0 and "RC304" in res.output
