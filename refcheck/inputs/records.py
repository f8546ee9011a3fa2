"""One referral as read, before checking: :class:`InputRecord` and how records are made.

A record that cannot be read carries a :class:`~refcheck.errors.RecordError` instead of
text, so that a batch goes on and the number of reports equals the number of inputs.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from ..contract import LANGUAGES, MODALITIES, REGIONS
from ..errors import MAX_CHARS, RecordError, record_error
from . import fhir

META_FIELDS = ("age", "sex", "language", "modality", "region", "referrer", "date")
_SEX = {"female": "female", "f": "female", "k": "female", "kvinne": "female", "kvinde": "female", "woman": "female",
        "male": "male", "m": "male", "mann": "male", "mand": "male", "man": "male"}
_MODALITY_ALIASES = {"MRI": "MR", "RTG": "XR", "X-RAY": "XR", "XRAY": "XR", "UL": "US", "DEXA": "DXA"}


@dataclass
class InputRecord:
    """One referral as read from the input, before checking."""

    id: str
    text: str | None
    meta: dict = field(default_factory=dict)
    error: RecordError | None = None


def size_error(text: str | None) -> RecordError | None:
    """The one text-length check: a text over ``MAX_CHARS`` characters is ``too_long``."""
    if text is not None and len(text) > MAX_CHARS:
        return record_error("RC204", chars=len(text), limit=MAX_CHARS)
    return None


def check_size(rec: InputRecord) -> InputRecord:
    """``rec``, or a ``too_long`` error record in its place."""
    error = size_error(rec.text)
    return rec if error is None else InputRecord(rec.id, None, rec.meta, error)


def pick_meta(row: dict) -> dict:
    """The structured fields of an input row (blank values dropped, strings stripped)."""
    meta = {}
    for key in META_FIELDS:
        value = row.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        meta[key] = value.strip() if isinstance(value, str) else value
    return meta


def clean_meta(meta: dict) -> dict:
    """Coerce structured fields; values that do not fit the contract are dropped."""
    out: dict = {}
    if meta.get("age") not in (None, ""):
        try:
            age = int(float(meta["age"]))
            if 0 <= age <= 130:
                out["age"] = age
        except (TypeError, ValueError, OverflowError):  # "inf", 1e999, "NaN"
            pass
    sex = _SEX.get(str(meta.get("sex", "")).strip().lower())
    if sex:
        out["sex"] = sex
    if meta.get("language") in LANGUAGES:
        out["language"] = meta["language"]
    mod = str(meta.get("modality") or "").strip()
    mod = _MODALITY_ALIASES.get(mod.upper(), mod.upper() if mod.upper() in MODALITIES else mod)
    if mod in MODALITIES:
        out["modality"] = mod
    if meta.get("region") in REGIONS:
        out["region"] = meta["region"]
    if meta.get("guideline") in ("no", "dk"):
        out["guideline"] = meta["guideline"]
    n = meta.get("replaced_characters")
    if isinstance(n, int) and not isinstance(n, bool) and n > 0:
        out["replaced_characters"] = n  # set by the file readers, not an input field
    for key in ("referrer", "date"):
        if meta.get(key) not in (None, ""):
            out[key] = str(meta[key])
    return out


def from_fields(fields: fhir.Fields) -> InputRecord:
    """A record from the (id, text, meta, error) a converter such as :mod:`.fhir` returns."""
    rid, text, meta, error = fields
    return check_size(InputRecord(rid, text, meta, error))


def record_from_mapping(row: object, fallback_id: str) -> InputRecord:
    """One JSON object (a record, a gold-format case or a FHIR resource) → a record."""
    if not isinstance(row, dict):
        return InputRecord(fallback_id, None, error=record_error("RC201"))
    rid = row.get("id")
    rid = str(rid) if rid not in (None, "") else fallback_id
    if fhir.is_fhir(row):
        return from_fields(fhir.resource_fields(row, rid))
    if isinstance(row.get("meta"), dict):  # the gold format nests structured fields under "meta"
        row = {**row["meta"], **{k: v for k, v in row.items() if k != "meta"}}
    text = row.get("text")
    if text is None:
        return InputRecord(rid, None, pick_meta(row), record_error("RC202"))
    if not isinstance(text, str):
        return InputRecord(rid, None, pick_meta(row), record_error("RC203"))
    return check_size(InputRecord(rid, text, pick_meta(row)))


def fhir_records(doc: dict, fallback_id: str) -> Iterator[InputRecord]:
    """The records of a FHIR resource or Bundle (one per ServiceRequest), in entry order."""
    return map(from_fields, fhir.json_fields(doc, fallback_id))
