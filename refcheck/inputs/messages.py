"""Electronic referral messages: KITH Rekvisisjon / Henvisning (Norway) and MedCom XREF (Denmark).

:func:`read_message` turns one message (bytes) into a :class:`Message`: the referral record
refcheck checks, plus what a reply needs (the message's id and type, sender and receiver
identifiers, whether it is new, a change or a cancellation). The standard and version
come from the root element and its namespace:

=========================================================  ===================  =======
namespace                                                  standard             version
=========================================================  ===================  =======
``http://www.kith.no/xmlstds/rekvisisjon/2008-12-01``       Rekvisisjon          1.5
``http://www.kith.no/xmlstds/rekvisisjon/2012-02-15``       Rekvisisjon          1.6
``http://www.kith.no/xmlstds/henvisning/2005-07-08``        Henvisning           1.0
``http://www.kith.no/xmlstds/henvisning/2012-02-15``        Henvisning           1.1
``http://ehelse.no/xmlstds/henvisning/2017-11-30``          Henvisning (MsgHead) 2.0
``http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2005/08/07/``  MedCom XREF01 / XREF02
=========================================================  ===================  =======

The text is every free-text field under a heading the pipeline's section detection knows
("Anamnese:", "Funn:", "Spørsmål:" …, from code lists 8231 / 8233 and the MedCom element
names), one field per paragraph; ``<Break/>`` is a line break. The requested examination
(NCRP, code list 7270) and its side open the text ("MR Kne høyre"); diagnosis codes are a
"Diagnose:" line; a positive MR safety answer (code lists 8210 / 8209: pacemaker,
cochlear implant …) is a line the MR-contraindication reading finds. Structured fields
win over the text: modality (MsgDescr, 8202), the issue date, the referrer (HER-id /
HPR-number / ydernummer), and age and sex, computed from the fødselsnummer / D-nummer or
CPR number at the issue date. The number, names and addresses never leave this module.

Parsing is safe for untrusted input: no DTDs, no entities, no network, no huge trees.
A message that is not well-formed, of an unknown standard, missing what a referral needs
(patient, sender), or — with ``schemas`` — invalid against its XSD becomes a record with
a ``bad_record`` error naming the element and the rule, never a value.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from lxml import etree

from ..errors import RecordError, record_error
from .identity import age_at, birth_and_sex_from_cpr, birth_and_sex_from_fnr
from .records import InputRecord, check_size
from .schemas import MEDCOM, MSGHEAD, validate

KITH = {
    "http://www.kith.no/xmlstds/rekvisisjon/2008-12-01": ("Rekvisisjon", "1.5"),
    "http://www.kith.no/xmlstds/rekvisisjon/2012-02-15": ("Rekvisisjon", "1.6"),
    "http://www.kith.no/xmlstds/henvisning/2005-07-08": ("Henvisning", "1.0"),
    "http://www.kith.no/xmlstds/henvisning/2012-02-15": ("Henvisning", "1.1"),
    "http://ehelse.no/xmlstds/henvisning/2017-11-30": ("Henvisning", "2.0"),
}
#: Code list 8231 (ReasonAsText/Heading) → a heading the section detection knows (None:
#: no heading; "Aktuell problemstilling" is the referral's own text, written with its own headings).
REASON_HEADINGS = {
    "PROB": None, "UTRED": "Spørsmål", "DIAG": "Diagnose", "FU": "Funn", "FO": "Anamnese",
    "BG": "Problemstilling", "VU": "Vurdering", "KF": "Kontroll pga. tidligere funn", "FA": "Sosialt",
    "SVU": "Spørsmål", "RU": "Rutineundersøkelse", "HJ": "Funksjonsnivå", "MAAL": "Problemstilling",
}
#: Code list 8233 (InfItem/Type) → heading; None: not referral text (allergies, sick leave).
INFITEM_HEADINGS = {
    "ANAM": "Anamnese", "FUNN": "Funn", "MEDB": "Legemidler", "SYMP": "Symptomer", "US": "Tidligere undersøkelse",
    "TB": "Tidligere behandling", "H": "Diagnose", "B": "Bidiagnose", "OPIN": "Tidligere operasjon",
    "OPPL": "Anamnese", "ART": "Tidligere", "NB": "Spesielle hensyn", "CAVE": None, "SYKM": None,
}
#: Code list 8202 (MsgDescr) → contract modality.
MODALITIES = {"MR": "MR", "CT": "CT", "RTG": "XR", "UL": "US", "SCI": "NM", "MA": "XR", "AN": "other"}
#: MedCom elements holding free text → heading (Danish).
MEDCOM_TEXT = (("Anamnesis", "Anamnese"), ("Examination", "Objektivt"), ("Medication", "Medicin"),
               ("ClinicalReason", "Problemstilling"), ("Supplementary", "Supplerende"))
SERVTYPE = {"N": "new", "M": "update", "C": "cancel", "E": "update", "K": "cancel"}  # code list 7303
MEDCOM_STATUS = {"nytbrev": "new", "rettetbrev": "update", "annulleretbrev": "cancel", "aflystbrev": "cancel"}
_SIDE = (("høyre", "høyre"), ("venstre", "venstre"), ("bilateral", "bilateralt"), ("begge", "bilateralt"))
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                          huge_tree=False, remove_comments=True, remove_pis=True)


@dataclass
class Party:
    """A sender or receiver: organisation name and identifiers (never a patient)."""

    name: str | None = None
    ids: dict[str, str] = field(default_factory=dict)  # "HER" / "HPR" / "ydernummer" / "EAN" → value


@dataclass
class Message:
    """One electronic referral read: the record to check and what a reply needs."""

    standard: str  # "Rekvisisjon", "Henvisning", "MedCom XREF02", "MedCom XREF01"
    version: str
    msg_type: str  # the message's own type code (REQ_RTG, HENVISNING, XREF02 …)
    msg_id: str | None
    kind: str  # new / update / cancel
    record: InputRecord
    sender: Party = field(default_factory=Party)
    receiver: Party = field(default_factory=Party)
    issued: str | None = None

    @property
    def norwegian(self) -> bool:
        return not self.standard.startswith("MedCom")

    def info(self) -> dict:
        """What a later reply needs, as JSON: no patient data."""
        return {"standard": self.standard, "version": self.version, "msg_type": self.msg_type, "msg_id": self.msg_id,
                "kind": self.kind, "id": self.record.id, "issued": self.issued,
                "sender": {"name": self.sender.name, "ids": self.sender.ids},
                "receiver": {"name": self.receiver.name, "ids": self.receiver.ids}}

    @classmethod
    def from_info(cls, info: dict) -> "Message":
        return cls(info["standard"], info["version"], info["msg_type"], info.get("msg_id"), info.get("kind", "new"),
                   InputRecord(info["id"], None), Party(**info["sender"]), Party(**info["receiver"]), info.get("issued"))


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _find(el, *path: str):
    """The first element along local names (any namespace), or None."""
    for name in path:
        if el is None:
            return None
        el = next((c for c in el if isinstance(c.tag, str) and _local(c) == name), None)
    return el


def _all(el, name: str) -> list:
    return [c for c in el.iter() if isinstance(c.tag, str) and _local(c) == name] if el is not None else []


def _children(el, name: str) -> list:
    return [c for c in el if isinstance(c.tag, str) and _local(c) == name] if el is not None else []


def _text(el) -> str:
    """An element's text with <Break/> as a line break, whitespace tidied per line."""
    if el is None:
        return ""
    parts = [el.text or ""]
    for child in el:
        if _local(child) == "Break":
            parts.append("\n")
        parts.append(child.tail or "")
    lines = [" ".join(line.split()) for line in "".join(parts).splitlines()]
    return "\n".join(line for line in lines if line).strip()


def _value(el, *path: str) -> str | None:
    """The V attribute, else the text, of the element along ``path``."""
    found = _find(el, *path)
    if found is None:
        return None
    return (found.get("V") or _text(found) or None)


# ----------------------------------------------------------------------- reading
def read_message(data: bytes, fallback_id: str, schemas: str | Path | None = None) -> Message:
    """Read one message; never raises: a problem becomes the record's ``bad_record`` error."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        line = getattr(exc, "lineno", None) or getattr(exc, "position", (None,))[0]
        return _bad(fallback_id, record_error("RC410", line=line or "?"))
    except ValueError:
        return _bad(fallback_id, record_error("RC410", line="?"))
    ns = etree.QName(root).namespace
    if schemas is not None:
        problem = validate(root, Path(schemas))
        if problem:
            return _bad(fallback_id, record_error("RC413", problem=problem))
    if ns == MSGHEAD:
        return _msghead(root, fallback_id)
    if ns in KITH and _local(root) == "Message":
        standard, version = KITH[ns]
        return _kith(root, standard, version, _value(root, "Type"), _value(root, "MsgId"), fallback_id)
    if ns == MEDCOM and _local(root) == "Emessage":
        return _medcom(root, fallback_id)
    return _bad(fallback_id, record_error("RC411", root=_local(root) or "?", namespace=ns or "none"))


def _bad(rid: str, error: RecordError, standard: str = "unknown", version: str = "") -> Message:
    return Message(standard, version, "", None, "new", InputRecord(rid, None, {}, error))


def _party_kith(el) -> Party:
    """Requester / ServProvider (…/HCP/Inst with Id + TypeId, HCProf/HCPerson)."""
    p = Party()
    inst = _find(el, "HCP", "Inst")
    if inst is not None:
        p.name = _value(inst, "Name")
        for holder in [inst, _find(inst, "HCPerson"), _find(inst, "Dept")]:
            if holder is not None and _value(holder, "Id"):
                kind = _value(holder, "TypeId") or "id"
                p.ids.setdefault(kind if holder is inst else f"{kind}:{_local(holder)}", _value(holder, "Id"))
    prof = _find(el, "HCP", "HCProf")
    if prof is not None and _value(prof, "Id"):
        p.ids.setdefault(_value(prof, "TypeId") or "HPR", _value(prof, "Id"))
    return p


def _examination(servreq) -> str | None:
    """The requested examination (NCRP 7270) with its side: "MR Kne høyre"."""
    inv = _find(servreq, "ReqInvestigation", "Investigation")
    if inv is None:
        return None
    name = (_find(inv, "Id").get("DN") if _find(inv, "Id") is not None else None) or ""
    side = " ".join(_find(inv, "Spec").get("DN", "") for _ in [0] if _find(inv, "Spec") is not None).lower()
    word = next((w for key, w in _SIDE if key in side), "")
    return " ".join(x for x in (name, word) if x) or None


def _kith_text(servreq, root, version: str) -> str:
    """The free text of a KITH referral, one field per paragraph under its heading."""
    lines: list[str] = []
    exam = _examination(servreq)
    if exam:
        lines.append(f"Rekvirert undersøkelse: {exam}")
    for item in _all(servreq if version != "2.0" else root, "InfItem"):
        code = _value(item, "Type")
        heading = INFITEM_HEADINGS.get(code, _find(item, "Type").get("DN") if _find(item, "Type") is not None else None)
        coded = _find(item, "Observation", "CodedDescr")
        if coded is not None and coded.get("S", "").endswith((".8210", ".8209")):
            value = coded.get("V", "")
            if value and not value.startswith("NO") and value != "XXX":  # a positive MR safety answer
                lines.append(f"MR-sjekkliste: {coded.get('DN') or value}")
            continue
        text = _text(_find(item, "Observation", "Description"))
        if heading and text:
            lines.append(f"{heading}: {text}")
    for reason in _all(servreq if version != "2.0" else root, "ReasonAsText"):
        head = _find(reason, "Heading")
        code = head.get("V") if head is not None else None
        heading = REASON_HEADINGS[code] if code in REASON_HEADINGS else (head.get("DN") if head is not None else None)
        text = _text(_find(reason, "TextResultValue"))
        if text:  # the current problem (PROB) is the referral's own text, with its own headings
            lines.append(f"{heading}: {text}" if heading else text)
    diagnoses = []
    for dx in _all(servreq if version != "2.0" else root, "Diagnosis"):
        concept = _find(dx, "Concept")
        if concept is not None and (concept.get("V") or concept.get("DN")):
            diagnoses.append(" ".join(x for x in (concept.get("V"), concept.get("DN")) if x))
    if diagnoses:
        lines.append("Diagnose: " + "; ".join(diagnoses))
    comment = _text(_find(servreq, "Comment", "TextResultValue")) if _find(servreq, "Comment") is not None else ""
    if comment:
        lines.append(f"Kommentar: {comment}")
    return "\n".join(lines)

def _kith_fields(servreq, patient, sender: Party, issued: str | None, kind: str) -> dict:
    """The structured fields: modality, age and sex (from the identity number), date, referrer."""
    meta: dict = {}
    modality = MODALITIES.get(_value(servreq, "MsgDescr") or "")
    if modality:
        meta["modality"] = modality
    born = None
    offid = _value(patient, "OffId") or next((_value(i, "Id") for i in _children(patient, "Ident")), None)
    if offid:
        born = birth_and_sex_from_fnr(offid)
    if born is None and _value(patient, "DateOfBirth"):
        try:
            born = (date.fromisoformat(_value(patient, "DateOfBirth")[:10]), None)
        except ValueError:
            born = None
    sex = {"1": "male", "2": "female"}.get(_value(patient, "Sex") or "")
    if born is not None:
        age = age_at(born[0], issued)
        if age is not None:
            meta["age"] = age
        sex = sex or born[1]
    if sex:
        meta["sex"] = sex
    if issued:
        meta["date"] = issued[:10]
    ref = next((f"{k}:{v}" for k, v in sender.ids.items() if k in ("HER", "HPR")), None)
    if ref:
        meta["referrer"] = ref
    if kind == "cancel":
        meta["status"] = "cancelled"
    return meta

def _kith(root, standard: str, version: str, msg_type: str | None, msg_id: str | None, fallback_id: str,
          envelope: dict | None = None) -> Message:
    envelope = envelope or {}
    servreq = root if standard == "Henvisning" and version == "2.0" else _find(root, "ServReq")
    if servreq is None:
        return _bad(fallback_id, record_error("RC412", standard=f"{standard} v{version}", element="ServReq"),
                    standard, version)
    patient = _find(servreq, "Patient") if version != "2.0" else envelope.get("patient")
    if patient is None:
        return _bad(fallback_id, record_error("RC412", standard=f"{standard} v{version}", element="Patient"),
                    standard, version)
    requester = _find(servreq, "Requester")
    sender = envelope.get("sender") or (_party_kith(requester) if requester is not None else None)
    if sender is None:
        return _bad(fallback_id, record_error("RC412", standard=f"{standard} v{version}", element="Requester"),
                    standard, version)
    rid = _value(servreq, "Id") or _value(servreq, "DocumentId") or msg_id or fallback_id
    issued = _value(servreq, "IssueDate") or envelope.get("issued")
    kind = SERVTYPE.get(_value(servreq, "ServType") or "N", "new")
    meta = _kith_fields(servreq, patient, sender, issued, kind)
    receiver = envelope.get("receiver") or (_party_kith(_find(servreq, "ServProvider"))
                                            if _find(servreq, "ServProvider") is not None else Party())
    record = check_size(InputRecord(str(rid), _kith_text(servreq, root, version), meta))
    return Message(standard, version, msg_type or "", msg_id, kind, record, sender, receiver, issued)


def _party_msghead(el) -> Party:
    p = Party()
    org = _find(el, "Organisation")
    if org is None:
        return p
    p.name = _value(org, "OrganisationName")
    for ident in _children(org, "Ident"):
        if _value(ident, "Id"):
            p.ids.setdefault(_value(ident, "TypeId") or "id", _value(ident, "Id"))
    hcp = _find(org, "HealthcareProfessional")
    for ident in _children(hcp, "Ident") if hcp is not None else []:
        if _value(ident, "Id"):
            p.ids.setdefault(f"{_value(ident, 'TypeId') or 'id'}:person", _value(ident, "Id"))
    return p


def _msghead(root, fallback_id: str) -> Message:
    info = _find(root, "MsgInfo")
    if info is None:
        return _bad(fallback_id, record_error("RC412", standard="MsgHead", element="MsgInfo"), "MsgHead")
    content = _find(root, "Document", "RefDoc", "Content")
    body = next((c for c in content if isinstance(c.tag, str)), None) if content is not None else None
    if body is None or etree.QName(body).namespace not in KITH:
        name = _local(body) if body is not None else "none"
        return _bad(fallback_id, record_error("RC411", root=f"MsgHead/{name}",
                                              namespace=etree.QName(body).namespace if body is not None else "none"))
    standard, version = KITH[etree.QName(body).namespace]
    sender = _find(info, "Sender")
    if sender is None:
        return _bad(fallback_id, record_error("RC412", standard=f"{standard} v{version}", element="Sender"),
                    standard, version)
    envelope = {"patient": _find(info, "Patient"), "sender": _party_msghead(sender),
                "receiver": _party_msghead(_find(info, "Receiver")) if _find(info, "Receiver") is not None else Party(),
                "issued": _value(info, "GenDate")}
    return _kith(body, standard, version, _value(info, "Type"), _value(info, "MsgId"), fallback_id, envelope)


def _party_medcom(el) -> Party:
    p = Party(name=_value(el, "OrganisationName"))
    kind = _value(el, "IdentifierCode") or "id"
    if _value(el, "Identifier"):
        p.ids[kind] = _value(el, "Identifier")
    if _value(el, "EANIdentifier"):
        p.ids["EAN"] = _value(el, "EANIdentifier")
    return p


def _medcom(root, fallback_id: str) -> Message:
    envelope = _find(root, "Envelope")
    body = next((c for c in root if isinstance(c.tag, str) and _local(c) != "Envelope"), None)
    if body is None or _local(body) not in ("XrayRequest", "HospitalReferral"):
        return _bad(fallback_id, record_error("RC411", root=f"Emessage/{_local(body) if body is not None else 'none'}",
                                              namespace=MEDCOM), "MedCom")
    code = "XREF02" if _local(body) == "XrayRequest" else "XREF01"
    standard = f"MedCom {code}"
    letter = _find(body, "Letter")
    patient = _find(body, "Patient")
    sender = _find(body, "Sender")
    for name, el in (("Letter", letter), ("Patient", patient), ("Sender", sender)):
        if el is None:
            return _bad(fallback_id, record_error("RC412", standard=standard, element=name), standard, code)
    rid = _value(letter, "Identifier") or fallback_id
    issued = _value(letter, "Authorisation", "Date") or _value(envelope, "Sent", "Date")
    kind = MEDCOM_STATUS.get((_value(letter, "StatusCode") or "nytbrev").lower(), "new")
    lines = []
    for section in _all(body, "AdditionalInformation") + _all(body, "RelevantClinicalInformation"):
        for name, heading in MEDCOM_TEXT:
            for el in _children(section, name):
                text = _text(el)
                if text:
                    lines.append(f"{heading}: {text}")
    meta: dict = {"language": "da"}
    born = birth_and_sex_from_cpr(_value(patient, "CivilRegistrationNumber") or "")
    if born is not None:
        age = age_at(born[0], issued)
        if age is not None:
            meta["age"] = age
        meta["sex"] = born[1]
    if issued:
        meta["date"] = issued[:10]
    party = _party_medcom(sender)
    ref = next((f"{k}:{v}" for k, v in party.ids.items() if k == "ydernummer"), None)
    if ref:
        meta["referrer"] = ref
    if kind == "cancel":
        meta["status"] = "cancelled"
    receiver = _find(body, "Receiver")
    record = check_size(InputRecord(str(rid), "\n".join(lines), meta))
    return Message(standard, code, code, _value(envelope, "Identifier"), kind, record, party,
                   _party_medcom(receiver) if receiver is not None else Party(), issued)


def is_message(data: bytes) -> bool:
    """Whether bytes look like an XML document (after a BOM and whitespace)."""
    head = data[:512].lstrip(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"<")
