"""The contract (``refcheck.report/1``): the report dataclasses and every vocabulary, defined once.

Everything that names a language, modality, region, component, appropriateness, action
or severity imports it from here.
"""
from __future__ import annotations

from dataclasses import dataclass, field

SCHEMA = "refcheck.report/1"

LANGUAGES = ("nb", "nn", "da")
GUIDELINES = ("no", "dk")
MODALITIES = ("MR", "CT", "XR", "US", "DXA", "NM", "other")
REGIONS = ("cervical_spine", "thoracic_spine", "lumbar_spine", "sacroiliac", "coccyx", "shoulder", "elbow",
           "hand_wrist", "hip_pelvis", "knee", "ankle_foot", "bone_density", "other")
COMPONENTS = ("history", "clinical_findings", "tentative_diagnosis", "clinical_question")
APPROPRIATENESS = ("urgent", "indicated", "low_value", "specialist", "uncertain", "out_of_scope")
ACTIONS = ("escalate", "accept", "decline", "redirect", "return", "manual")
SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Evidence:
    start: int
    end: int
    text: str

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class Finding:
    """One rule's finding: code, severity, message in the referral's language, citation (the
    guideline as clinicians name it, with ``source`` its machine-readable id), evidence."""

    rule: str
    severity: str
    message: str
    citation: str
    evidence: tuple[Evidence, ...] = ()
    name: str = ""
    message_en: str = ""
    source: str = ""  # the citation's machine-readable source id ("000 Skulder"); citation is its display

    def to_dict(self) -> dict:
        d = {"rule": self.rule, "severity": self.severity, "message": self.message, "citation": self.citation,
             "evidence": [e.to_dict() for e in self.evidence]}
        if self.source:
            d["source"] = self.source
        if self.name:
            d["name"] = self.name
        if self.message_en:
            d["message_en"] = self.message_en
        return d


@dataclass(frozen=True)
class RedFlag:
    code: str
    text: str
    start: int
    end: int

    def to_dict(self) -> dict:
        return {"code": self.code, "text": self.text, "start": self.start, "end": self.end}


def grade(present: dict[str, bool]) -> str:
    """The completeness grade of the contract (aligned with RI-RADS)."""
    n = sum(present.values())
    if n == 4:
        return "A"
    if n == 3:
        return "B" if present["clinical_question"] else "C"
    if n == 2:
        return "C"
    if n == 1:
        return "D"
    return "X"


def action(appropriateness: str, grade_: str, unresolved_alarms: bool = False) -> str:
    """The screening desk's action: the contract's table, first match wins.

    ``unresolved_alarms``: the text holds alarm words that no reading resolved (the
    safety net); a low-value referral then goes to manual review instead of decline.
    """
    if appropriateness == "urgent":
        return "escalate"
    if appropriateness == "out_of_scope" or (appropriateness == "low_value" and unresolved_alarms):
        return "manual"
    if appropriateness == "low_value":
        return "decline"
    if appropriateness == "specialist":
        return "redirect"
    if appropriateness == "uncertain" or grade_ in ("D", "X"):
        return "return"
    return "accept"


@dataclass
class Report:
    """One referral's report. ``to_dict()`` is exactly the contract object (plus optional extras)."""

    id: str
    language: str | None
    guideline: str
    patient: dict = field(default_factory=lambda: {"age": None, "sex": None})
    exam: dict = field(default_factory=lambda: {"modality": None, "region": None, "laterality": None})
    history: dict = field(default_factory=lambda: {"present": False, "symptom_weeks": None, "improving": None,
                                                   "trauma": False, "prior_treatment": False})
    clinical_findings: dict = field(default_factory=lambda: {"present": False})
    tentative_diagnosis: dict = field(default_factory=lambda: {"present": False, "text": None})
    clinical_question: dict = field(default_factory=lambda: {"present": False, "text": None})
    red_flags: list[RedFlag] = field(default_factory=list)
    completeness: dict = field(default_factory=lambda: {"grade": "X", "missing": list(COMPONENTS)})
    appropriateness: str = "uncertain"
    recommended_modality: str | None = None
    action: str = "return"
    findings: list[Finding] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    meta: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "schema": SCHEMA, "id": self.id, "language": self.language, "guideline": self.guideline,
            "patient": dict(self.patient), "exam": dict(self.exam), "history": dict(self.history),
            "clinical_findings": dict(self.clinical_findings), "tentative_diagnosis": dict(self.tentative_diagnosis),
            "clinical_question": dict(self.clinical_question), "red_flags": [f.to_dict() for f in self.red_flags],
            "completeness": {"grade": self.completeness["grade"], "missing": list(self.completeness["missing"])},
            "appropriateness": self.appropriateness, "recommended_modality": self.recommended_modality,
            "action": self.action, "findings": [f.to_dict() for f in self.findings], "errors": list(self.errors),
            **({"meta": self.meta} if self.meta else {}),
        }

    @property
    def flag_codes(self) -> list[str]:
        return [f.code for f in self.red_flags]
