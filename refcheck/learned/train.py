"""``refcheck train``: rebuild every learned model from data in the repository, deterministically.

Sentence-role training data:

- ``models/training/sentence_roles.jsonl``: sentences written without headers, each with
  its roles (the target situation of the model);
- sentences of ``sample_referrals/gold_*.jsonl`` that stand under a section header
  (Anamnese:, Funn:, Spørsmål: …), labelled by their header.

``eval/heldout.jsonl`` is never read here: it measures the shipped system (the ablation).
A seeded 20 % of the sentences is the model's own evaluation split; the model is fitted on
the rest, its per-role thresholds chosen by 5-fold cross-validation for precision ≥ 0.9.
"""
from __future__ import annotations

import hashlib
import json
import platform
import random
from datetime import date
from pathlib import Path

from ..paths import model_dir
from .roles import COMPONENT_OF_ROLE, FORMAT, NAME, ROLES, SEED, USED_ROLES, build_estimator, export, preprocess
from ..nlp.extensions import state

SECTION_ROLE = {"history": ["history"], "clinical_findings": ["clinical_finding"],
                "tentative_diagnosis": ["tentative_diagnosis"], "clinical_question": ["clinical_question"],
                "exam_request": [], "other": []}
TARGET_PRECISION = 0.95


def headed_sentences(gold_files: list[Path]) -> list[dict]:
    """Sentences that stand under a section header, labelled by that header."""
    from ..api import analyse

    out = []
    for path in gold_files:
        for line in path.read_text(encoding="utf-8").splitlines():
            case = json.loads(line)
            analysis = analyse(case["text"], case["gold"].get("language"))
            text, lang, doc = analysis.norm.text, analysis.lang, analysis.doc
            for section in state(doc).sections or []:
                for s, e in state(doc).tokens.sentences():
                    if section.start <= s < section.end:
                        body = text[max(s, section.body_start):min(e, section.end)].strip(" \n:-")
                        if len(body) >= 3:
                            out.append({"text": body, "lang": lang, "roles": SECTION_ROLE[section.category],
                                        "source": f"{path.name}#{case['id']}"})
    return out


def load_data(subset: int | None = None) -> list[dict]:
    from ..paths import model_dir, samples_dir

    rows = []
    written = model_dir() / "training" / "sentence_roles.jsonl"
    for line in written.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rows.append(json.loads(line))
    gold = sorted(samples_dir().glob("gold_*.jsonl"))
    if not gold:
        raise FileNotFoundError(f"no gold_*.jsonl in {samples_dir()} (set REFCHECK_SAMPLES)")
    rows += headed_sentences(gold)
    seen, unique = set(), []
    for r in rows:
        key = preprocess(r["text"])
        if key not in seen:
            seen.add(key)
            unique.append(r)
    unique.sort(key=lambda r: hashlib.sha256(preprocess(r["text"]).encode()).hexdigest())
    return unique[:subset] if subset else unique


def _matrix(rows: list[dict]):
    import numpy as np

    return np.array([[int(role in r["roles"]) for role in ROLES] for r in rows])


def _prf(y_true, y_pred) -> dict:
    tp = int(((y_true == 1) & (y_pred == 1)).sum())
    fp = int(((y_true == 0) & (y_pred == 1)).sum())
    fn = int(((y_true == 1) & (y_pred == 0)).sum())
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
            "support": int((y_true == 1).sum())}


def evaluate(estimator, thresholds: dict[str, float], rows: list[dict]) -> dict:
    """Per-role precision/recall/F1 of ``estimator`` on ``rows`` at ``thresholds``."""
    y = _matrix(rows)
    probs = estimator.predict_proba([preprocess(r["text"]) for r in rows])
    return {role: _prf(y[:, i], (probs[:, i] >= thresholds[role]).astype(int)) for i, role in enumerate(ROLES)}


def train_sentence_roles(out: Path | None = None, subset: int | None = None) -> dict:
    """Train, evaluate and write the sentence-role model; returns its metadata."""
    import numpy as np
    import sklearn
    from sklearn.model_selection import KFold

    random.seed(SEED)
    np.random.seed(SEED)
    rows = load_data(subset)
    n_eval = max(1, len(rows) // 5)
    eval_rows, train_rows = rows[:n_eval], rows[n_eval:]
    y = _matrix(train_rows)
    texts = [preprocess(r["text"]) for r in train_rows]

    oof = np.zeros(y.shape, dtype=float)
    for fit_idx, val_idx in KFold(n_splits=5, shuffle=True, random_state=SEED).split(texts):
        est = build_estimator().fit([texts[i] for i in fit_idx], y[fit_idx])
        oof[val_idx] = est.predict_proba([texts[i] for i in val_idx])
    thresholds, cv = {}, {}
    for i, role in enumerate(ROLES):
        chosen = 0.95
        for t in [x / 100 for x in range(50, 96)]:
            pred = (oof[:, i] >= t).astype(int)
            if _prf(y[:, i], pred)["precision"] >= TARGET_PRECISION:
                chosen = t
                break
        thresholds[role] = chosen
        cv[role] = _prf(y[:, i], (oof[:, i] >= chosen).astype(int))

    estimator = build_estimator().fit(texts, y)
    held = evaluate(estimator, thresholds, eval_rows)

    folder = (out or model_dir()) / NAME
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.joblib").unlink(missing_ok=True)
    files = export(estimator, folder)
    langs = {lang: sum(r["lang"] == lang for r in rows) for lang in ("nb", "nn", "da")}
    meta = {
        "name": NAME, "roles": list(ROLES), "used_roles": list(USED_ROLES), "components": COMPONENT_OF_ROLE, "thresholds": thresholds,
        "target_precision": TARGET_PRECISION, "seed": SEED, "sentences": len(rows), "train": len(train_rows),
        "evaluation_split": len(eval_rows), "languages": langs,
        "cv_metrics": cv, "evaluation_metrics": held, "sklearn_version": sklearn.__version__,
        "python": platform.python_version(), "trained": date.today().isoformat(), "subset": subset,
        "format": FORMAT,
        "files": {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in files},
    }
    (folder / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (folder / "README.md").write_text(model_card(meta), encoding="utf-8")
    return meta


def model_card(meta: dict) -> str:
    def table(metrics: dict) -> str:
        lines = ["| role | precision | recall | F1 | support |", "|---|---|---|---|---|"]
        for role in ROLES:
            m = metrics[role]
            lines.append(f"| {role} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |")
        return "\n".join(lines)

    return f"""# Model card: sentence_roles

**What it does.** Reads one sentence of an imaging referral (nb, nn or da) and gives the
probability that it carries each completeness role: {", ".join(ROLES)} (a sentence may carry
several; none = other). refcheck uses it only for sentences outside any headed section, and
only to *add* a component the rules did not find, when the probability clears the role's
threshold.

**Training data** ({meta['sentences']} unique sentences; nb {meta['languages']['nb']}, nn {meta['languages']['nn']},
da {meta['languages']['da']}):
`models/training/sentence_roles.jsonl` (sentences written without headers and labelled by
role) and the sentences of `sample_referrals/gold_*.jsonl` that stand under a section header,
labelled by that header. `eval/heldout.jsonl` is not used. Sentences are deduplicated and
ordered by a hash of their text; the first 20 % ({meta['evaluation_split']}) are the evaluation split, the
model is fitted on the other {meta['train']}.

**Features.** Folded text (lower case, æ/ø/å folded, accents dropped, digits as 0): TF-IDF
of character 2–5-grams within word boundaries (max 60,000) and of words and word pairs
(with "?" as a token).

**Model.** One-vs-rest logistic regression (liblinear, C = 4, balanced class weights,
random_state = {meta['seed']}). Thresholds per role: the lowest in 0.50–0.95 whose 5-fold
cross-validated precision reaches {meta['target_precision']}:
{", ".join(f"{r} {t:.2f}" for r, t in meta['thresholds'].items())}.

**Cross-validated metrics (training part, 5 folds, at the thresholds)**

{table(meta['cv_metrics'])}

**Metrics on the evaluation split**

{table(meta['evaluation_metrics'])}

**How refcheck uses it.** Only the roles {", ".join(meta['used_roles'])} act on reports. On the held-out
referrals (`benchmarks/ablation_models.py`) the history role lowered history accuracy (the
rules already reach 100 %) and the tentative-diagnosis role changed nothing (F1 above), so
both are predicted but not used.

**Known limits.** Written training sentences are one writer's idea of clinical phrasing;
real referrals have more abbreviations, dictation errors and mixed languages. The model
does not see the rest of the referral, so a sentence like "Ingen bedring." is judged
without its context. Precision is favoured over recall: it is meant to rescue headerless
referrals, not to replace the rules.

**Versions.** scikit-learn {meta['sklearn_version']}, Python {meta['python']}; trained {meta['trained']}
with `refcheck train`. The fitted model is exported to `arrays.npz` + `vocabulary.json` (format
`{meta['format']}`), scored at run time without scikit-learn; `meta.json` holds each file's
sha256 and refcheck refuses a file whose checksum or format does not match.
"""
