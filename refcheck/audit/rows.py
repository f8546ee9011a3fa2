"""One checked referral as the audit's table rows: the referral row and its finding rows,
with the privacy defaults (keyed-hash ids, age bands, evidence as offsets)."""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from ..inputs import InputRecord


def age_band(age: int | None) -> str:
    if age is None:
        return ""
    for upper, label in ((16, "<16"), (30, "16-29"), (45, "30-44"), (60, "45-59"), (75, "60-74")):
        if age < upper:
            return label
    return "75+"


@dataclass(frozen=True)
class Privacy:
    keep_ids: bool = False
    include_text: bool = False
    key: bytes = b""

    def pseudonym(self, rid: str) -> str:
        if self.keep_ids:
            return rid
        return hmac.new(self.key, rid.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def _rows(seq: int, record: InputRecord, privacy: Privacy, guideline: str | None) -> tuple[dict, list[dict]]:
    """Check one record and flatten its report into a referral row and finding rows."""
    from ..api import check_record

    report = check_record(record, guideline)
    d = report.to_dict()
    rid = privacy.pseudonym(record.id)
    date = str(record.meta.get("date") or "")[:10]
    err = d["errors"][0] if d["errors"] else None
    row = {
        "seq": seq, "id": rid, "date": date, "month": date[:7], "referrer": str(record.meta.get("referrer") or ""),
        "language": d["language"] or "", "guideline": d["guideline"], "modality": d["exam"]["modality"] or "",
        "region": d["exam"]["region"] or "", "laterality": d["exam"]["laterality"] or "",
        "age_band": age_band(d["patient"]["age"]), "sex": d["patient"]["sex"] or "",
        "grade": d["completeness"]["grade"], "missing": ";".join(d["completeness"]["missing"]),
        "history": d["history"]["present"], "clinical_findings": d["clinical_findings"]["present"],
        "tentative_diagnosis": d["tentative_diagnosis"]["present"], "clinical_question": d["clinical_question"]["present"],
        "red_flags": ";".join(sorted({f["code"] for f in d["red_flags"]})), "appropriateness": d["appropriateness"],
        "recommended_modality": d["recommended_modality"] or "",
        "modality_mismatch": any(f["rule"] == "GEN-005" for f in d["findings"]), "action": d["action"],
        "rules": ";".join(f["rule"] for f in d["findings"]),
        "error": err["code"] if err else "", "error_message": err["message"] if err else "",
    }
    if privacy.include_text:
        row["text"] = record.text or ""
    findings = []
    for f in d["findings"]:
        if privacy.include_text:
            evidence = " | ".join(e["text"] for e in f["evidence"])
        else:
            evidence = ";".join(f"{e['start']}:{e['end']}" for e in f["evidence"])
        findings.append({"seq": seq, "id": rid, "rule": f["rule"], "severity": f["severity"], "evidence": evidence})
    return row, findings
