"""FHIR R4 ServiceRequest (and Bundle) → referral records, validated with fhir.resources (R4B).

The clinical text of a ServiceRequest is spread over ``code.text`` (the exam asked for),
``reasonCode[].text``/``coding.display``, ``reasonReference[].display``, ``note[].text`` and
``supportingInfo[].display``; the patient's age and sex come from a contained or bundled
``Patient``. Coded ``code``/``bodySite`` display texts are read as text too, so the
pipeline finds modality and region where they are coded. A resource that does not
validate becomes a ``bad_record`` whose message names the failing fields (never values).
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from ..errors import RecordError, record_error

#: What a converter returns for one referral: (id, text or None, meta, error or None).
#: :func:`refcheck.inputs.records.from_fields` makes the record (and checks its size).
Fields = tuple[str, str | None, dict, RecordError | None]


def _bad(rid: str, code: str, **values) -> Fields:
    return rid, None, {}, record_error(code, **values)


def is_fhir(doc: object) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("resourceType"), str)


def _validate(resource: dict):
    """Parse ``resource`` with the R4B model of its type; returns (model, error message)."""
    from fhir.resources.R4B import get_fhir_model_class
    from pydantic import ValidationError

    try:
        cls = get_fhir_model_class(resource["resourceType"])
    except (KeyError, ValueError):
        return None, "unknown FHIR resource type"  # never the input's value in a message
    try:
        return cls.model_validate(resource), None
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in e["loc"]) or "(resource)" for e in exc.errors()})[:5]
        return None, f"the resource does not validate as FHIR R4B (fields: {', '.join(fields)})"


def _concept_texts(concepts) -> list[str]:
    out: list[str] = []
    for c in concepts or []:
        if c is None:
            continue
        if c.text:
            out.append(c.text.strip())
        else:
            out += [cd.display.strip() for cd in (c.coding or []) if cd.display]
    return [t for t in out if t]


def _age(birth: date | None, on: str | None) -> int | None:
    if birth is None:
        return None
    try:
        ref = date.fromisoformat(str(on)[:10]) if on else date.today()
    except ValueError:
        ref = date.today()
    if not isinstance(birth, date):
        try:
            birth = date.fromisoformat(str(birth)[:10])
        except ValueError:
            return None
    years = ref.year - birth.year - ((ref.month, ref.day) < (birth.month, birth.day))
    return years if 0 <= years <= 130 else None


def _patient(sr, bundled: dict[str, object]):
    ref = sr.subject.reference if sr.subject is not None else None
    contained = [r for r in (sr.contained or []) if r.get_resource_type() == "Patient"]
    for p in contained:
        if ref in (None, f"#{p.id}") or len(contained) == 1:
            return p
    if ref:
        return bundled.get(ref) or bundled.get(ref.split("/")[-1])
    return None


def resource_fields(resource: dict, rid: str, bundled: dict[str, object] | None = None) -> Fields:
    """Turn one ServiceRequest (as JSON) into record fields; anything else is a ``bad_record``."""
    if resource.get("resourceType") != "ServiceRequest":
        return _bad(rid, "RC401")
    rid = str(resource.get("id") or rid)
    sr, problem = _validate(resource)
    if sr is None:
        return _bad(rid, "RC404", problem=problem)
    missing = [name for name in ("status", "intent") if getattr(sr, name) is None]
    if missing:  # 1..1 in FHIR R4; the model library does not enforce cardinality
        return _bad(rid, "RC405", missing=", ".join(missing))
    parts: list[str] = []
    parts += _concept_texts([sr.code] if sr.code is not None else [])
    parts += _concept_texts(sr.bodySite)
    parts += _concept_texts(sr.reasonCode)
    parts += [r.display.strip() for r in (sr.reasonReference or []) if r.display]
    parts += [n.text.strip() for n in (sr.note or []) if n.text]
    parts += [r.display.strip() for r in (sr.supportingInfo or []) if r.display]
    meta: dict = {}
    patient = _patient(sr, bundled or {})
    when = sr.authoredOn or sr.occurrenceDateTime
    if patient is not None:
        if patient.gender in ("female", "male"):
            meta["sex"] = patient.gender
        age = _age(patient.birthDate, str(when) if when else None)
        if age is not None:
            meta["age"] = age
    if when:
        meta["date"] = str(when)[:10]
    if sr.requester is not None and sr.requester.reference:
        meta["referrer"] = sr.requester.reference
    return rid, "\n".join(p for p in parts if p), meta, None


def json_fields(doc: dict, fallback_id: str) -> Iterator[Fields]:
    """Yield the ServiceRequests of a resource or a Bundle, in entry order."""
    if doc.get("resourceType") != "Bundle":
        yield resource_fields(doc, fallback_id)
        return
    entries = [e.get("resource") if isinstance(e, dict) else None for e in doc.get("entry") or []]
    bundled: dict[str, object] = {}
    for res in entries:
        if isinstance(res, dict) and res.get("resourceType") == "Patient":
            patient, _ = _validate(res)
            if patient is not None and patient.id:
                bundled[f"Patient/{patient.id}"] = patient
                bundled[patient.id] = patient
    n = 0
    for i, res in enumerate(entries, start=1):
        if isinstance(res, dict) and res.get("resourceType") == "ServiceRequest":
            n += 1
            yield resource_fields(res, f"{fallback_id}:{i}", bundled)
        elif not isinstance(res, dict):
            n += 1
            yield _bad(f"{fallback_id}:{i}", "RC402", i=i)
    if n == 0:
        yield _bad(fallback_id, "RC403")
