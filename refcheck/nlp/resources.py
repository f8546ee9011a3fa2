"""Every loader of ``lexicons/<lang>/``: lexicon entries, abbreviations, context and section rules.

Nynorsk builds on bokmål: the files of ``nb`` are read first and those of ``nn`` layered
over them. That fallback is written once, in :func:`layers`; every loader here uses it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..errors import data_error
from ..paths import lexicon_dir
from ..text.fold import fold

#: Lexicon file name → category label, and the codes each category allows.
CATEGORY_CODES: dict[str, tuple[str, ...]] = {
    "red_flag": ("cauda_equina", "progressive_neuro_deficit", "malignancy", "weight_loss", "fever_infection",
                 "infection_risk", "steroid_use", "trauma", "osteoporosis", "night_rest_pain", "general_malaise",
                 "inflammatory_signs", "deformity"),
    "condition": ("nonspecific_back_pain", "radiculopathy", "prolapse", "spinal_stenosis", "spondylolisthesis",
                  "fracture", "stress_fracture", "dislocation", "ankylosing_spondylitis", "sacroiliitis",
                  "rheumatoid_arthritis", "inflammatory_arthritis", "septic_arthritis", "osteoarthritis", "impingement",
                  "frozen_shoulder", "myalgia", "rotator_cuff_tear", "ac_joint", "tendinopathy", "epicondylitis",
                  "bursitis", "ganglion", "trigger_finger", "carpal_tunnel", "foreign_body", "loose_body",
                  "meniscus_tear", "ligament_injury", "cartilage_injury", "pelvic_girdle_pain", "coccydynia",
                  "labral_tear", "whiplash", "tumour", "spinal_infection", "osteoporosis", "biceps_rupture",
                  "achilles", "plantar_fasciitis", "scoliosis", "spondylolysis", "modic", "radiolucent_foreign_body",
                  "ulnar_wrist_pain", "spinal_haematoma", "degenerative_meniscus"),
    "finding": ("neuro_exam", "lasegue", "reflexes", "paresis", "sensory_deficit", "tenderness", "reduced_rom",
                "swelling", "crepitus", "axis_deviation", "special_test", "strength_normal", "lab", "temperature",
                "gait", "prior_imaging_result"),
    "symptom": ("pain", "stiffness", "numbness", "paraesthesia", "swelling_reported", "locking", "instability",
                "radiating_pain", "weakness_reported", "limp", "reduced_function"),
    "course": ("improving", "not_improving"),
    "treatment": ("prior_treatment",),
    "intent": ("surgery_considered", "follow_up", "treatment_wish", "xray_negative", "repeat_measurement",
               "pregnancy", "prior_back_surgery", "mr_contraindicated", "screening", "gradual_unexplained", "no_treatment_wish",
               "myelography", "no_surgery"),
    "risk_factor": ("early_menopause", "smoking", "low_bmi", "corticosteroid_use", "fall_tendency", "heredity",
                    "previous_fragility_fracture"),
    "modality": ("MR", "CT", "XR", "US", "DXA", "NM", "other"),
    "region": ("cervical_spine", "thoracic_spine", "lumbar_spine", "sacroiliac", "coccyx", "shoulder", "elbow",
               "hand_wrist", "hip_pelvis", "knee", "ankle_foot", "bone_density", "other", "spine"),
    "laterality": ("left", "right", "bilateral"),
    "question_cue": ("question", "rule_out", "evaluate"),
}
FILES: dict[str, str] = {
    "red_flags.jsonl": "red_flag", "conditions.jsonl": "condition", "findings.jsonl": "finding",
    "symptoms.jsonl": "symptom", "course.jsonl": "course", "treatments.jsonl": "treatment",
    "intents.jsonl": "intent", "risk_factors.jsonl": "risk_factor", "modality.jsonl": "modality",
    "region.jsonl": "region", "laterality.jsonl": "laterality", "question_cues.jsonl": "question_cue",
}
ENTRY_KEYS = {"id", "code", "terms", "source", "note"}

@dataclass(frozen=True)
class Entry:
    """One lexicon concept: a stable id, its category and code, and where it comes from."""

    id: str
    category: str
    code: str
    terms: tuple[str, ...]
    source: str


def _read_jsonl(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise data_error("RC501", path=path, n=n, problem=exc.msg) from exc
    return rows


def load_entries(lang: str, root: Path | None = None) -> list[Entry]:
    """Load every lexicon file of ``lang``, strictly: unknown keys or codes are errors."""
    root = root or lexicon_dir()
    folder = root / lang
    if not folder.is_dir():
        raise data_error("RC502", lang=lang, root=root)
    entries: list[Entry] = []
    seen: set[str] = set()
    for name, category in FILES.items():
        path = folder / name
        if not path.exists():
            continue
        for row in _read_jsonl(path):
            unknown = set(row) - ENTRY_KEYS
            if unknown:
                raise data_error("RC503", path=path, id=row.get("id"), unknown=sorted(unknown),
                                 allowed=sorted(ENTRY_KEYS))
            if row.get("code") not in CATEGORY_CODES[category]:
                raise data_error("RC504", path=path, id=row.get("id"), code=row.get("code"),
                                 allowed=", ".join(CATEGORY_CODES[category]))
            if not row.get("id") or row["id"] in seen:
                raise data_error("RC505", path=path, id=row.get("id"))
            if not isinstance(row.get("terms"), list) or not all(isinstance(t, str) for t in row["terms"]):
                raise data_error("RC506", path=path, id=row["id"])
            seen.add(row["id"])
            entries.append(Entry(row["id"], category, row["code"], tuple(row["terms"]), row.get("source", "")))
    return entries


@cache
def abbreviations(lang: str) -> dict[str, str]:
    """Clinicians' abbreviations of ``lang``: folded form → expansion (one word)."""
    path = lexicon_dir() / lang / "abbreviations.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {fold(k): v for k, v in data["abbreviations"].items()}


def layers(lang: str) -> tuple[str, ...]:
    """Lexicon folders read for ``lang``: nynorsk builds on bokmål."""
    return ("nb", "nn") if lang == "nn" else (lang,)


def layer_documents(lang: str, name: str, code: str):
    """(path, parsed JSON) of file ``name`` in each lexicon layer of ``lang`` that has it.

    ``code`` is the error (RC5xx) raised for a file that is not valid JSON.
    """
    for layer in layers(lang):
        path = lexicon_dir() / layer / name
        if not path.exists():
            continue
        try:
            yield path, json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise data_error(code, path=path, problem=f"not valid JSON ({exc.msg})") from exc


def read_json(lang: str, name: str, key: str) -> list[dict]:
    rows: list[dict] = []
    for layer in layers(lang):
        path = lexicon_dir() / layer / name
        if path.exists():
            try:
                rows += json.loads(path.read_text(encoding="utf-8"))[key]
            except (json.JSONDecodeError, KeyError) as exc:
                raise data_error("RC507", path=path, key=key, problem=exc) from exc
    return rows


def entries(lang: str) -> list[Entry]:
    """The lexicon entries read for ``lang`` (its layers in order)."""
    out: list[Entry] = []
    for layer in layers(lang):
        out += load_entries(layer)
    return out


def abbreviations_for(lang: str) -> dict[str, str]:
    """The abbreviations read for ``lang``: its layers merged, the later layer winning."""
    out: dict[str, str] = {}
    for layer in layers(lang):
        out.update(abbreviations(layer))
    return out
