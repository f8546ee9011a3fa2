"""FHIR R4 ServiceRequest (and Bundle) → referral records.

The clinical text of a ServiceRequest is spread over ``code.text`` (the exam asked for),
``reasonCode[].text``, ``reasonReference[].display``, ``note[].text`` and
``supportingInfo[].display``; the patient's age and sex come from a contained or bundled
``Patient``. Anything that is not a readable ServiceRequest becomes a ``bad_record``.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING

from .errors import BAD_RECORD, RecordError

if TYPE_CHECKING:
    from .reading import InputRecord


def is_fhir(doc: object) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("resourceType"), str)


def _texts(items: object, key: str) -> list[str]:
    out = []
    if isinstance(items, list):
        for item in items:
            if isinstance(item, dict):
                value = item.get(key)
                if isinstance(value, str) and value.strip():
                    out.append(value.strip())
                elif key == "text" and isinstance(item.get("coding"), list):
                    out += [c["display"] for c in item["coding"] if isinstance(c, dict) and isinstance(c.get("display"), str)]
    return out


def _age(birth: str | None, on: str | None) -> int | None:
    try:
        b = date.fromisoformat(birth[:10]) if birth else None
        ref = date.fromisoformat(on[:10]) if on else date.today()
    except (TypeError, ValueError):
        return None
    if b is None:
        return None
    years = ref.year - b.year - ((ref.month, ref.day) < (b.month, b.day))
    return years if 0 <= years <= 130 else None


def _find_patient(sr: dict, bundled: dict[str, dict]) -> dict | None:
    ref = (sr.get("subject") or {}).get("reference") if isinstance(sr.get("subject"), dict) else None
    for res in sr.get("contained") or []:
        if isinstance(res, dict) and res.get("resourceType") == "Patient":
            if ref in (None, f"#{res.get('id')}") or len(sr.get("contained")) == 1:
                return res
    if ref:
        return bundled.get(ref) or bundled.get(ref.split("/")[-1])
    return None


def record_from_resource(sr: dict, rid: str, bundled: dict[str, dict] | None = None) -> "InputRecord":
    """Turn one ServiceRequest into a record (a ``bad_record`` if it is not one)."""
    from .reading import InputRecord, _sized

    if sr.get("resourceType") != "ServiceRequest":
        return InputRecord(rid, None, error=RecordError(
            BAD_RECORD, f"[RC401] FHIR resource type '{sr.get('resourceType')}' is not a ServiceRequest"))
    parts: list[str] = []
    code = sr.get("code")
    if isinstance(code, dict):
        parts += [code["text"]] if isinstance(code.get("text"), str) else _texts([code], "text")
    parts += _texts(sr.get("reasonCode"), "text")
    parts += _texts(sr.get("reasonReference"), "display")
    parts += _texts(sr.get("note"), "text")
    parts += _texts(sr.get("supportingInfo"), "display")
    meta: dict = {}
    patient = _find_patient(sr, bundled or {})
    if patient:
        if patient.get("gender") in ("female", "male"):
            meta["sex"] = patient["gender"]
        age = _age(patient.get("birthDate"), sr.get("authoredOn") or sr.get("occurrenceDateTime"))
        if age is not None:
            meta["age"] = age
    when = sr.get("authoredOn") or sr.get("occurrenceDateTime")
    if isinstance(when, str):
        meta["date"] = when[:10]
    requester = sr.get("requester")
    if isinstance(requester, dict) and isinstance(requester.get("reference"), str):
        meta["referrer"] = requester["reference"]
    rid = str(sr.get("id") or rid)
    return _sized(InputRecord(rid, "\n".join(parts), meta))


def records_from_json(doc: dict, fallback_id: str) -> Iterator["InputRecord"]:
    """Yield the ServiceRequests of a resource or a Bundle, in entry order."""
    from .reading import InputRecord

    if doc.get("resourceType") != "Bundle":
        yield record_from_resource(doc, fallback_id)
        return
    entries = [e.get("resource") for e in doc.get("entry") or [] if isinstance(e, dict)]
    bundled: dict[str, dict] = {}
    for res in entries:
        if isinstance(res, dict) and res.get("resourceType") == "Patient" and res.get("id"):
            bundled[f"Patient/{res['id']}"] = res
            bundled[res["id"]] = res
    n = 0
    for i, res in enumerate(entries, start=1):
        if isinstance(res, dict) and res.get("resourceType") == "ServiceRequest":
            n += 1
            yield record_from_resource(res, f"{fallback_id}:{i}", bundled)
        elif not isinstance(res, dict):
            yield InputRecord(f"{fallback_id}:{i}", None, error=RecordError(BAD_RECORD, f"[RC402] Bundle entry {i} has no resource"))
    if n == 0:
        yield InputRecord(fallback_id, None, error=RecordError(BAD_RECORD, "[RC403] the Bundle holds no ServiceRequest"))
