"""Answers to electronic referrals: KITH AppRec v1.1 and Dialogmelding v1.1 (in MsgHead v1.2),
MedCom positive / negative receipts.

- **AppRec** (application receipt) for every Norwegian message: status 1 (OK) when the
  message was read and screened, 2 (avvist) when it could not be read, with the error
  code of code list 8221 (T01 not well-formed, T02 not valid, T10 format not supported,
  E36 patient data insufficient, X99 other) and the original message's id and type.
- **Dialogmelding** "Status på henvisning" (code list 9148) when refcheck proposes to
  decline (4, "Henvisningen er avvist"), return or redirect (11, "Råd til henviser"):
  the guideline's advice and citation in the referral's language, addressed back to the
  referrer and linked to the referral by ConversationRef and DokIdNotat.
- **MedCom receipt** for a Danish message: PositiveReceipt, or NegativeReceipt with a
  refuse code when it could not be read.

Patient data: none. The replies identify the referral by its message id and document id,
never by fødselsnummer, CPR number, name or address (MsgHead's Patient is optional and
left out; the department's messaging system adds it if its receivers need it).
"""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone

from lxml import etree

from .. import __version__
from ..inputs.messages import Message, Party

APPREC_NS = "http://www.kith.no/xmlstds/apprec/2012-02-15"
MSGHEAD_NS = "http://www.kith.no/xmlstds/msghead/2006-05-24"
DIALOG_NS = "http://www.kith.no/xmlstds/dialog/2013-01-23"
MEDCOM_NS = "http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2005/08/07/"
#: refcheck error code of an unreadable message → code list 8221 (AppRec error).
APPREC_ERRORS = {
    "RC410": ("T01", "Ikke XML / ikke 'well formed' / uleselig"),
    "RC413": ("T02", "XML validerer ikke"),
    "RC411": ("T10", "Støtter ikke meldingsformatet"),
    "RC412": ("E36", "Pasientopplysninger er utilstrekkelige"),
}
OTHER_ERROR = ("X99", "Annen feil")
_RC = re.compile(r"\[(RC\d{3})\]")  # the refcheck code a record error's message opens with
#: Proposed action → code list 9148 (Status på henvisning).
STATUS_9148 = {"decline": ("4", "Henvisningen er avvist"), "return": ("11", "Råd til henviser"),
               "redirect": ("11", "Råd til henviser")}
HEADINGS = {
    "nb": {"decline": "Henvisningen avvises etter retningslinjen", "return": "Henvisningen returneres: opplysninger mangler",
           "redirect": "Henvisningen bør gå til spesialist", "source": "Kilde"},
    "nn": {"decline": "Tilvisinga blir avvist etter retningslinja", "return": "Tilvisinga blir returnert: opplysningar manglar",
           "redirect": "Tilvisinga bør gå til spesialist", "source": "Kjelde"},
    "da": {"decline": "Henvisningen afvises efter retningslinjen", "return": "Henvisningen returneres: oplysninger mangler",
           "redirect": "Henvisningen bør gå til speciallæge", "source": "Kilde"},
}


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0, tzinfo=None).isoformat()


def _el(parent, ns: str, name: str, text: str | None = None, **attrs):
    el = etree.SubElement(parent, f"{{{ns}}}{name}", {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        el.text = text
    return el


def _xml(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _her(party: Party) -> tuple[str | None, str | None]:
    """The organisation's identifier and its type (HER-id first)."""
    for kind in ("HER", "ydernummer", "sygehusafdelingsnummer", "EAN"):
        if party.ids.get(kind):
            return party.ids[kind], kind
    for kind, value in party.ids.items():
        if ":" not in kind:
            return value, kind
    return None, None


# ----------------------------------------------------------------------- AppRec
def _apprec_party(parent, tag: str, role: tuple[str, str], party: Party) -> None:
    holder = _el(parent, APPREC_NS, tag)
    _el(holder, APPREC_NS, "Role", V=role[0], DN=role[1])
    inst = _el(_el(holder, APPREC_NS, "HCP"), APPREC_NS, "Inst")
    if party.name:
        _el(inst, APPREC_NS, "Name", party.name)
    ident, kind = _her(party)
    if ident:
        _el(inst, APPREC_NS, "Id", ident)
        _el(inst, APPREC_NS, "TypeId", V=kind, DN="HER-id" if kind == "HER" else kind)


def apprec(message: Message, department: Party | None = None) -> bytes:
    """The AppRec v1.1 for a Norwegian message: OK when read, avvist (with the 8221 code) when not."""
    error = message.record.error
    root = etree.Element(f"{{{APPREC_NS}}}AppRec", nsmap={None: APPREC_NS})
    _el(root, APPREC_NS, "MsgType", V="APPREC")
    _el(root, APPREC_NS, "MIGversion", "v1.1 2012-02-15")
    _el(root, APPREC_NS, "SoftwareName", "refcheck")
    _el(root, APPREC_NS, "SoftwareVersion", __version__)
    _el(root, APPREC_NS, "GenDate", _now())
    _el(root, APPREC_NS, "Id", str(uuid.uuid4()))
    _apprec_party(root, "Sender", ("PRIM", "Primærmottaker"), department or message.receiver)
    _apprec_party(root, "Receiver", ("AVS", "Avsender"), message.sender)
    if error is None:
        _el(root, APPREC_NS, "Status", V="1", DN="OK")
    else:
        _el(root, APPREC_NS, "Status", V="2", DN="Avvist")
        found = _RC.match(error.message)
        rc = found.group(1) if found else ""
        code, dn = APPREC_ERRORS.get(rc, OTHER_ERROR)
        if rc == "RC412" and "Patient" not in error.message:
            code, dn = OTHER_ERROR  # a missing sender, not missing patient data
        _el(root, APPREC_NS, "Error", V=code, S="2.16.578.1.12.4.1.1.8221", DN=dn, OT=error.message[:200])
    original = _el(root, APPREC_NS, "OriginalMsgId")
    _el(original, APPREC_NS, "MsgType", V=message.msg_type or "UKJENT")
    _el(original, APPREC_NS, "IssueDate", _datetime(message.issued))
    _el(original, APPREC_NS, "Id", message.msg_id or message.record.id)
    return _xml(root)


def _datetime(value: str | None) -> str:
    if value and len(value) >= 10:
        return value if "T" in value else value[:10] + "T00:00:00"
    return _now()


# ----------------------------------------------------------------------- Dialogmelding
def _msghead_party(parent, tag: str, party: Party) -> None:
    org = _el(_el(parent, MSGHEAD_NS, tag), MSGHEAD_NS, "Organisation")
    _el(org, MSGHEAD_NS, "OrganisationName", party.name or "ukjent")
    ident, kind = _her(party)
    box = _el(org, MSGHEAD_NS, "Ident")
    _el(box, MSGHEAD_NS, "Id", ident or "ukjent")
    _el(box, MSGHEAD_NS, "TypeId", V=kind or "HER", DN="HER-id" if (kind or "HER") == "HER" else kind,
        S="2.16.578.1.12.4.1.1.9051")


def advice_text(report: dict, lang: str) -> str:
    """The note to the referrer: what refcheck proposes, each finding's advice with its citation
    (``report``: a refcheck.report/1 dict)."""
    words = HEADINGS.get(lang, HEADINGS["nb"])
    lines = [words.get(report["action"], words["return"]) + ":"]
    for f in report["findings"]:
        lines.append(f"- {f['message']} ({words['source']}: {f['citation']})")
    return "\n".join(lines)


def needs_dialog(report: dict | None) -> bool:
    return report is not None and report["action"] in STATUS_9148


def dialogmelding(message: Message, report: dict, department: Party | None = None) -> bytes:
    """A Dialogmelding v1.1 "Status på henvisning" in MsgHead v1.2, back to the referrer."""
    root = etree.Element(f"{{{MSGHEAD_NS}}}MsgHead", nsmap={None: MSGHEAD_NS})
    info = _el(root, MSGHEAD_NS, "MsgInfo")
    _el(info, MSGHEAD_NS, "Type", V="DIALOG_STATUS_HENVISNING", DN="Status på henvisning")
    _el(info, MSGHEAD_NS, "MIGversion", "v1.2 2006-05-24")
    _el(info, MSGHEAD_NS, "GenDate", _now())
    _el(info, MSGHEAD_NS, "MsgId", str(uuid.uuid4()))
    if message.msg_id:
        ref = _el(info, MSGHEAD_NS, "ConversationRef")
        _el(ref, MSGHEAD_NS, "RefToParent", message.msg_id)
        _el(ref, MSGHEAD_NS, "RefToConversation", message.msg_id)
    _msghead_party(info, "Sender", department or message.receiver)
    _msghead_party(info, "Receiver", message.sender)
    refdoc = _el(_el(root, MSGHEAD_NS, "Document"), MSGHEAD_NS, "RefDoc")
    _el(refdoc, MSGHEAD_NS, "IssueDate", V=_now())
    _el(refdoc, MSGHEAD_NS, "MsgType", V="XML", DN="XML-instans")
    content = _el(refdoc, MSGHEAD_NS, "Content")
    dialog = etree.SubElement(content, f"{{{DIALOG_NS}}}Dialogmelding", nsmap={None: DIALOG_NS})
    note = _el(dialog, DIALOG_NS, "Notat")
    code, dn = STATUS_9148.get(report["action"], STATUS_9148["return"])
    _el(note, DIALOG_NS, "TemaKodet", V=code, DN=dn, S="2.16.578.1.12.4.1.1.9148")
    _el(note, DIALOG_NS, "TekstNotatInnhold", advice_text(report, report.get("language") or "nb"))
    _el(note, DIALOG_NS, "DokIdNotat", message.record.id)
    return _xml(root)


# ----------------------------------------------------------------------- MedCom
def _medcom_party(parent, tag: str, party: Party) -> None:
    holder = _el(parent, MEDCOM_NS, tag)
    _el(holder, MEDCOM_NS, "EANIdentifier", party.ids.get("EAN") or "0000000000000")


def medcom_receipt(message: Message, department: Party | None = None) -> bytes:
    """A MedCom PositiveReceipt, or a NegativeReceipt when the letter could not be read."""
    error = message.record.error
    now = datetime.now(timezone.utc)
    root = etree.Element(f"{{{MEDCOM_NS}}}Emessage", nsmap={None: MEDCOM_NS})
    env = _el(root, MEDCOM_NS, "Envelope")
    sent = _el(env, MEDCOM_NS, "Sent")
    _el(sent, MEDCOM_NS, "Date", now.strftime("%Y-%m-%d"))
    _el(sent, MEDCOM_NS, "Time", now.strftime("%H:%M"))
    _el(env, MEDCOM_NS, "Identifier", uuid.uuid4().hex[:14])
    _el(env, MEDCOM_NS, "AcknowledgementCode", "minuspositivkvitt")
    kind = "PositiveReceipt" if error is None else "NegativeReceipt"
    letter_box = _el(root, MEDCOM_NS, kind)
    letter = _el(letter_box, MEDCOM_NS, "Letter")
    _el(letter, MEDCOM_NS, "Identifier", uuid.uuid4().hex[:14])
    _el(letter, MEDCOM_NS, "VersionCode", "XC0330Q" if error is None else "XC0230Q")
    _el(letter, MEDCOM_NS, "StatisticalCode", "CTL03" if error is None else "CTL02")
    department = department or message.receiver
    _medcom_party(letter_box, "Sender", department)
    _medcom_party(letter_box, "Receiver", message.sender)
    original = _el(letter_box, MEDCOM_NS, "OriginalEmessage")
    _el(original, MEDCOM_NS, "OriginalEnvelopeIdentifier", (message.msg_id or "ukendt")[:14])
    _medcom_party(original, "OriginalSender", message.sender)
    _medcom_party(original, "OriginalReceiver", department)
    if error is not None:
        found = _RC.match(error.message)
        _el(original, MEDCOM_NS, "RefuseCode", "syntaksfejl" if found and found.group(1) in ("RC410", "RC413")
            else "ikke_specificeret")
        _el(original, MEDCOM_NS, "RefuseText", error.message[:200])
    if message.record.id and error is None:
        ol = _el(original, MEDCOM_NS, "OriginalLetter")
        _el(ol, MEDCOM_NS, "OriginalLetterIdentifier", message.record.id[:14])
        _el(ol, MEDCOM_NS, "OriginalVersionCode", "XH0230R" if message.msg_type == "XREF02" else "XH0130R")
    return _xml(root)


def replies(message: Message, report: dict | None) -> list[tuple[str, bytes]]:
    """(kind, XML) of every answer to ``message``: apprec (+ dialog) or a MedCom receipt."""
    if not message.norwegian:
        return [("receipt", medcom_receipt(message))]
    out = [("apprec", apprec(message))]
    if message.record.error is None and message.kind != "cancel" and needs_dialog(report):
        out.append(("dialog", dialogmelding(message, report)))
    return out
