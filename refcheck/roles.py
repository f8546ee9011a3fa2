"""A learned sentence-role classifier for referrals without section headers.

Rules find history, findings, tentative diagnoses and questions from the lexicons and the
headers clinicians use; where a referral has no headers and its phrasing escapes the
lexicons, this model reads the role from the sentence itself. It is combined with the
rules, never replacing them: it may only add a component the rules did not find, for a
sentence outside any headed section, when its probability clears a per-role threshold
chosen for precision at training time (``refcheck train``).

Artefacts live in ``models/sentence_roles/``: ``model.joblib`` (scikit-learn pipeline),
``meta.json`` (roles, thresholds, metrics, scikit-learn version, sha256 of the model file)
and ``README.md`` (the model card).
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .errors import DataError
from .lexicon import fold
from .paths import model_dir

ROLES = ("history", "clinical_finding", "tentative_diagnosis", "clinical_question")
COMPONENT_OF_ROLE = {"history": "history", "clinical_finding": "clinical_findings",
                     "tentative_diagnosis": "tentative_diagnosis", "clinical_question": "clinical_question"}
# Roles refcheck acts on. The ablation on held-out referrals (benchmarks/ablation_models.py)
# showed gains for findings and questions; the history role cost accuracy (rules already
# reach 100 %) and the tentative-diagnosis role gained nothing, so those two are predicted
# but not used.
USED_ROLES = ("clinical_finding", "clinical_question")
NAME = "sentence_roles"
SEED = 13


def preprocess(text: str) -> str:
    """The model's view of a sentence: folded (lower-case, æøå, no accents), digits as 0."""
    return "".join("0" if ch.isdigit() else ch for ch in fold(text))


def build_estimator():
    """The untrained scikit-learn pipeline (fixed seeds: same data → same model)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion([
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True,
                                  max_features=60000)),
        ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=1, sublinear_tf=True,
                                  token_pattern=r"(?u)\b\w+\b|\?")),
    ])
    clf = OneVsRestClassifier(LogisticRegression(C=4.0, class_weight="balanced", solver="liblinear",
                                                 random_state=SEED, max_iter=2000))
    return Pipeline([("features", features), ("clf", clf)])


@dataclass(frozen=True)
class RoleModel:
    """A loaded sentence-role model with its per-role decision thresholds."""

    estimator: object
    thresholds: dict[str, float]
    meta: dict

    def probabilities(self, sentences: list[str]) -> list[dict[str, float]]:
        if not sentences:
            return []
        probs = self.estimator.predict_proba([preprocess(s) for s in sentences])
        return [dict(zip(ROLES, map(float, row))) for row in probs]

    def roles(self, sentences: list[str]) -> list[set[str]]:
        """The roles each sentence carries (probability at or above the role's threshold)."""
        return [{r for r, p in row.items() if p >= self.thresholds[r] and r in USED_ROLES}
                for row in self.probabilities(sentences)]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load(folder: Path | None = None) -> RoleModel:
    """Load the model, checking that it is present, intact and from a compatible scikit-learn.

    Raises:
        DataError: with a message that says what is wrong and how to rebuild the model.
    """
    import sklearn

    folder = folder or model_dir() / NAME
    model_file, meta_file = folder / "model.joblib", folder / "meta.json"
    if not model_file.exists() or not meta_file.exists():
        raise DataError(f"[RC801] the sentence-role model is missing from {folder}; run `refcheck train` "
                        "(or set REFCHECK_LEARNED=off to run on rules alone)")
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(f"[RC802] {meta_file} is not valid JSON; run `refcheck train`") from exc
    if _sha256(model_file) != meta.get("sha256"):
        raise DataError(f"[RC803] {model_file} is corrupted (its checksum does not match meta.json); "
                        "run `refcheck train` to rebuild it")
    trained_with = meta.get("sklearn_version", "?")
    if trained_with.split(".")[:2] != sklearn.__version__.split(".")[:2]:
        raise DataError(f"[RC804] the sentence-role model was trained with scikit-learn {trained_with}, "
                        f"but {sklearn.__version__} is installed; run `refcheck train` to rebuild it")
    import joblib

    try:
        estimator = joblib.load(model_file)
    except Exception as exc:  # joblib/pickle raise many kinds on a bad file
        raise DataError(f"[RC805] cannot load {model_file} ({type(exc).__name__}); run `refcheck train`") from exc
    return RoleModel(estimator, {r: float(meta["thresholds"][r]) for r in ROLES}, meta)


def enabled() -> bool:
    """Learned components are on unless REFCHECK_LEARNED=off (used for ablations)."""
    return os.environ.get("REFCHECK_LEARNED", "on").lower() not in ("off", "0", "no", "false")


@cache
def shipped() -> RoleModel | None:
    """The shipped model (once per process), or None when learned components are off."""
    return load() if enabled() else None
