"""Our own electronic referrals for the tests: a referral text wrapped in a KITH or MedCom
message of each standard and version, built on the shared example messages as templates
(their free text, identity numbers and dates replaced; every other element kept), so the
result is what a real sender's system would produce and validates against the real XSDs.
"""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from lxml import etree

MESSAGES = Path(__file__).resolve().parent.parent.parent / "shared" / "messages"
TEMPLATES = {
    "rekvisisjon-1.5": "no-kith/examples/rekvisisjon-v1.5/Rekvisisjon_radiologi_enkel_v1-5_Ny.xml",
    "rekvisisjon-1.6": "no-kith/examples/rekvisisjon-v1.6/Rekvisisjon_radiologi_enkel_v1-6_Ny.xml",
    "henvisning-1.0": "no-kith/examples/henvisning-v1.0/henvisning_v1.0_n.xml",
    "henvisning-1.1": "no-kith/examples/henvisning-v1.1/henvisning_v1.1_n.xml",
    "henvisning-2.0": "no-kith/examples/henvisning-v2.0/Henvisning_ny_tilstand_v2-0_Ny.xml",
    "xref01": "dk-medcom/examples/REF01_1.xml",
    "xref02": "dk-medcom/examples/REF02_1.xml",
}
MODALITY_8202 = {"MR": "MR", "CT": "CT", "XR": "RTG", "US": "UL", "NM": "SCI", "DXA": "AN", "other": "AN"}


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _all(root, name: str) -> list:
    return [e for e in root.iter() if isinstance(e.tag, str) and _local(e) == name]


def _first(root, name: str):
    found = _all(root, name)
    return found[0] if found else None


def birth_for(age: int, on: date) -> date:
    return date(on.year - age - 1, on.month, min(on.day, 28)) + timedelta(days=40)  # had the birthday already


def fnr(born: date, sex: str) -> str:
    """A synthetic fødselsnummer (individual number 10x / 50x; check digits not computed)."""
    ind = ("10" if born.year < 2000 else "50") + ("1" if sex == "male" else "2")
    return born.strftime("%d%m%y") + ind + "00"


def cpr(born: date, sex: str) -> str:
    seventh = "0" if born.year < 2000 else "4"
    return born.strftime("%d%m%y") + seventh + "12" + ("1" if sex == "male" else "2")


def build(fmt: str, text: str, *, rid: str, age: int | None = None, sex: str | None = None,
          modality: str | None = None, issued: str = "2026-10-01T10:00:00", kind: str = "N") -> bytes:
    """The message of format ``fmt`` (a TEMPLATES key) carrying ``text`` as its only free text."""
    root = etree.parse(str(MESSAGES / TEMPLATES[fmt]), etree.XMLParser(remove_comments=True)).getroot()
    day = date.fromisoformat(issued[:10])
    born = birth_for(age, day) if age is not None else None
    if fmt.startswith("xref"):
        _medcom(root, text, rid, born, sex, day)
    else:
        _kith(root, fmt, text, rid, born, sex, modality, issued, kind)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _kith(root, fmt, text, rid, born, sex, modality, issued, kind) -> None:
    body = _first(root, "Henvisning") if fmt == "henvisning-2.0" else _first(root, "ServReq")
    for name in ("Id", "DocumentId"):
        el = next((c for c in body if _local(c) == name), None)
        if el is not None:
            el.text = rid
    servtype = next((c for c in body if _local(c) == "ServType"), None)
    if servtype is not None:
        servtype.set("V", kind)
        servtype.set("DN", {"N": "Ny", "M": "Endring", "C": "Kansellering"}[kind])
    issue = next((c for c in body if _local(c) == "IssueDate"), None)
    if issue is not None:
        if issue.get("V"):
            issue.set("V", issued)
        else:
            issue.text = issued
    if modality and fmt.startswith("rekvisisjon"):
        _first(body, "MsgDescr").set("V", MODALITY_8202[modality])
    for inv in _all(body, "ReqInvestigation"):
        inv.getparent().remove(inv)
    patient = _first(root, "Patient")
    for el in _all(patient, "OffId") + [i for ident in _all(patient, "Ident") for i in ident if _local(i) == "Id"]:
        if born is not None and sex:
            el.text = fnr(born, sex)
    for el in _all(patient, "DateOfBirth"):
        if born is not None:
            if el.get("V"):
                el.set("V", born.isoformat())
            else:
                el.text = born.isoformat()
    for el in _all(patient, "Sex"):
        if sex:
            el.set("V", "1" if sex == "male" else "2")
            el.set("DN", "Mann" if sex == "male" else "Kvinne")
    for item in _all(root, "InfItem"):
        if _first(item, "Description") is not None:
            item.getparent().remove(item)
    for n, dx in enumerate(_all(root, "Diagnosis")):
        if n == 0 and fmt == "henvisning-1.0":  # required in v1.0: kept, with an empty concept
            concept = _first(dx, "Concept")
            for attr in list(concept.attrib):
                del concept.attrib[attr]
        else:
            dx.getparent().remove(dx)
    reasons = _all(root, "ReasonAsText")
    keep = reasons[0]
    for extra in reasons[1:]:
        extra.getparent().remove(extra)
    heading = _first(keep, "Heading")
    heading.set("V", "PROB")
    heading.set("DN", "Aktuell problemstilling")
    _first(keep, "TextResultValue").text = text


def _medcom(root, text, rid, born, sex, day) -> None:
    letter = _first(root, "Letter")
    next(c for c in letter if _local(c) == "Identifier").text = rid[:14]
    auth = _first(letter, "Authorisation")
    if auth is not None:
        _first(auth, "Date").text = day.isoformat()
    if born is not None and sex:
        _first(root, "CivilRegistrationNumber").text = cpr(born, sex)
    for name in ("Supplementary", "ClinicalReason", "Examination", "FirstDateOfPeriod", "Medication"):
        for el in _all(root, name):
            el.getparent().remove(el)
    anamnesis = _first(root, "Anamnesis")
    for child in list(anamnesis):
        anamnesis.remove(child)
    lines = text.split("\n")
    anamnesis.text = lines[0]
    for line in lines[1:]:
        br = etree.SubElement(anamnesis, etree.QName(anamnesis).namespace and f"{{{etree.QName(anamnesis).namespace}}}Break" or "Break")
        br.tail = line
