"""A learned sentence-role classifier for referrals without section headers.

Rules find history, findings, tentative diagnoses and questions from the lexicons and the
headers clinicians use; where a referral has no headers and its phrasing escapes the
lexicons, this model reads the role from the sentence itself. It is combined with the
rules, never replacing them: it may only add a component the rules did not find, for a
sentence outside any headed section, when its probability clears a per-role threshold
chosen for precision at training time (``refcheck train``).

Artefacts live in ``models/sentence_roles/``: ``arrays.npz`` and ``vocabulary.json`` (the
fitted TF-IDF + logistic-regression model exported to plain arrays, so that scikit-learn
is needed to train but not to run), ``meta.json`` (format, roles, thresholds, metrics,
scikit-learn version, sha256 of each file) and ``README.md`` (the model card).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..errors import data_error
from ..text.fold import fold
from ..paths import model_dir

ROLES = ("history", "clinical_finding", "tentative_diagnosis", "clinical_question")
COMPONENT_OF_ROLE = {"history": "history", "clinical_finding": "clinical_findings",
                     "tentative_diagnosis": "tentative_diagnosis", "clinical_question": "clinical_question"}
# Roles refcheck acts on. The ablation on held-out referrals (benchmarks/ablation_models.py)
# showed gains for findings and questions; the history role cost accuracy (rules already
# reach 100 %) and the tentative-diagnosis role gained nothing, so those two are predicted
# but not used.
USED_ROLES = ("clinical_finding", "clinical_question")
NAME = "sentence_roles"
FORMAT = "refcheck.linear-tfidf/1"
SEED = 13


class _DigitsToZero(dict):
    """A ``str.translate`` table mapping every character that ``str.isdigit`` accepts
    (also "²" and "①") to "0"; filled in as characters are met."""

    def __missing__(self, code: int) -> int:
        value = 48 if chr(code).isdigit() else code
        self[code] = value
        return value


_DIGITS_TO_ZERO = _DigitsToZero()


def preprocess(text: str) -> str:
    """The model's view of a sentence: folded (lower-case, æøå, no accents), digits as 0."""
    return fold(text).translate(_DIGITS_TO_ZERO)


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


_WHITE = re.compile(r"\s\s+")
_WORD_TOKEN = re.compile(r"(?u)\b\w+\b|\?")


def char_wb_ngrams(text: str, lo: int, hi: int) -> list[str]:
    """scikit-learn's ``char_wb`` analyzer: n-grams inside space-padded words."""
    text = _WHITE.sub(" ", text)
    out = []
    for w in text.split():
        w = f" {w} "
        for n in range(lo, hi + 1):
            offset = 0
            out.append(w[offset:offset + n])
            while offset + n < len(w):
                offset += 1
                out.append(w[offset:offset + n])
            if offset == 0:  # the word is shorter than n: one n-gram only
                break
    return out


def word_ngrams(text: str, lo: int, hi: int) -> list[str]:
    tokens = _WORD_TOKEN.findall(text)
    out = list(tokens) if lo == 1 else []
    for n in range(max(lo, 2), hi + 1):
        out += [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
    return out


class LinearRoleModel:
    """The trained model exported to plain arrays: TF-IDF (sublinear tf, l2 norm per
    block) and one logistic regression per role. No scikit-learn needed at run time."""

    def __init__(self, blocks: list[dict], coef, intercept):
        self.blocks = blocks  # each: analyzer, ngram_range, vocabulary (term → column), idf
        self.coef = coef  # (roles, features)
        self.intercept = intercept  # (roles,)
        import numpy as np

        self._idf = np.concatenate([b["idf"] for b in blocks])  # all blocks' columns side by side
        # One row per feature, [idf, coef of each role]: a referral's few hundred features
        # are read as rows that each sit in one or two cache lines, instead of five
        # scattered reads per feature (measured: about 2x faster inside a full check).
        self._rows = np.ascontiguousarray(np.column_stack([self._idf, np.asarray(coef).T]))
        self._offsets = np.cumsum([0] + [len(b["idf"]) for b in blocks])[:-1].tolist()

    # Character n-grams never cross a word boundary, so each word's columns are computed
    # once and kept (clinical vocabulary repeats: the cache hit rate on a batch is high).
    _WORD_CACHE_SIZE = 50_000

    def _word_columns(self, b: dict, offset: int, word: str):
        """The columns (an int64 array, block offset added) of one word's character n-grams; cached."""
        cache = b.get("_cache")
        if cache is None:
            cache = b["_cache"] = {}
        cols = cache.get(word)
        if cols is None:
            import numpy as np

            lo, hi = b["ngram_range"]
            vocab = b["vocabulary"]
            cols = np.array([j + offset for j in map(vocab.get, char_wb_ngrams(word, lo, hi)) if j is not None],
                            dtype=np.int64)
            if len(cache) >= self._WORD_CACHE_SIZE:
                cache.clear()
            cache[word] = cols
        return cols

    def _column_arrays(self, text: str) -> list:
        """The feature columns of every n-gram of ``text`` found in the vocabulary (with
        repeats), as int64 arrays: one per word for character blocks, one for word blocks.
        (Concatenating cached arrays is about 3x faster than building one list of ints.)"""
        import numpy as np

        out = []
        for b, offset in zip(self.blocks, self._offsets):
            if b["analyzer"] == "char_wb":
                out.extend([self._word_columns(b, offset, w) for w in text.split()])
            else:
                lo, hi = b["ngram_range"]
                vocab = b["vocabulary"]
                cols = [j + offset for j in map(vocab.get, word_ngrams(text, lo, hi)) if j is not None]
                if cols:
                    out.append(np.array(cols, dtype=np.int64))
        return out

    def predict_proba(self, texts: list[str]):
        """Probabilities (texts × roles), computed for all texts in one set of array operations."""
        import numpy as np

        n = len(texts)
        nblocks = len(self.blocks)
        width = len(self._idf)
        arrays: list = []
        owner: list[int] = []  # the text of each array
        for k, text in enumerate(texts):
            cols = self._column_arrays(text)
            arrays += cols
            owner += [k] * len(cols)
        flat = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int64)
        z = np.tile(self.intercept, (n, 1))
        if len(flat):
            text_of = np.repeat(np.array(owner, dtype=np.int64), list(map(len, arrays)))
            keys, counts = np.unique(text_of * width + flat, return_counts=True)
            text_of, col = np.divmod(keys, width)
            # sublinear tf × idf, l2-normalised per (text, block) as the fitted TfidfVectorizers do
            group = text_of * nblocks + (np.searchsorted(self._offsets, col, side="right") - 1)
            rows = self._rows[col]
            w = (1.0 + np.log(counts)) * rows[:, 0]
            w /= np.sqrt(np.bincount(group, w * w, minlength=n * nblocks))[group]
            contrib = rows[:, 1:] * w[:, None]  # features × roles
            # keys are sorted, so each text's features are one run of rows: sum the runs
            bounds = np.searchsorted(text_of, np.arange(n + 1))
            has = bounds[1:] > bounds[:-1]
            if has.any():
                z[has] += np.add.reduceat(contrib, bounds[:-1][has], axis=0)
        return 1.0 / (1.0 + np.exp(-z))


@dataclass(frozen=True)
class RoleModel:
    """A loaded sentence-role model with its per-role decision thresholds."""

    estimator: object  # anything with predict_proba(list[str]) (LinearRoleModel when shipped)
    thresholds: dict[str, float]
    meta: dict

    def _proba(self, sentences: list[str]) -> list[list[float]]:
        if not sentences:
            return []
        return self.estimator.predict_proba([preprocess(s) for s in sentences]).tolist()

    def probabilities(self, sentences: list[str]) -> list[dict[str, float]]:
        return [dict(zip(ROLES, row)) for row in self._proba(sentences)]

    def roles(self, sentences: list[str]) -> list[set[str]]:
        """The roles each sentence carries (probability at or above the role's threshold)."""
        probs = self._proba(sentences)
        used = [(k, r, self.thresholds[r]) for k, r in enumerate(ROLES) if r in USED_ROLES]
        return [{r for k, r, threshold in used if row[k] >= threshold} for row in probs]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def export(estimator, folder: Path) -> list[str]:
    """Write a fitted scikit-learn pipeline as ``arrays.npz`` + ``vocabulary.json``."""
    import numpy as np

    blocks, idfs = [], []
    for name, vec in estimator.named_steps["features"].transformer_list:
        blocks.append({"name": name, "analyzer": vec.analyzer, "ngram_range": list(vec.ngram_range),
                       "vocabulary": {k: int(v) for k, v in sorted(vec.vocabulary_.items())}})
        idfs.append(vec.idf_.astype(np.float64))
    clfs = estimator.named_steps["clf"].estimators_
    coef = np.vstack([c.coef_.ravel() for c in clfs]).astype(np.float64)
    intercept = np.array([float(c.intercept_[0]) for c in clfs])
    np.savez_compressed(folder / "arrays.npz", coef=coef, intercept=intercept,
                        **{f"idf_{b['name']}": idf for b, idf in zip(blocks, idfs)})
    (folder / "vocabulary.json").write_text(json.dumps(blocks, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    return ["arrays.npz", "vocabulary.json"]


def load(folder: Path | None = None) -> RoleModel:
    """Load the model, checking that it is present, intact and in the expected format.

    Raises:
        DataError: with a message that says what is wrong and how to rebuild the model.
    """
    import numpy as np

    folder = folder or model_dir() / NAME
    meta_file = folder / "meta.json"
    if not meta_file.exists():
        raise data_error("RC801", path=meta_file)
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise data_error("RC802", path=meta_file) from exc
    if meta.get("format") != FORMAT:
        raise data_error("RC804", found=meta.get("format"), expected=FORMAT)
    for name, digest in meta.get("files", {}).items():
        path = folder / name
        if not path.exists():
            raise data_error("RC801", path=path)
        if _sha256(path) != digest:
            raise data_error("RC803", path=path)
    try:
        arrays = np.load(folder / "arrays.npz")
        blocks = json.loads((folder / "vocabulary.json").read_text(encoding="utf-8"))
        for b in blocks:
            b["idf"] = arrays[f"idf_{b['name']}"]
        estimator = LinearRoleModel(blocks, arrays["coef"], arrays["intercept"])
    except (OSError, KeyError, ValueError, json.JSONDecodeError) as exc:
        raise data_error("RC805", folder=folder, problem=type(exc).__name__) from exc
    return RoleModel(estimator, {r: float(meta["thresholds"][r]) for r in ROLES}, meta)


def enabled() -> bool:
    """Learned components are on unless REFCHECK_LEARNED=off (used for ablations)."""
    return os.environ.get("REFCHECK_LEARNED", "on").lower() not in ("off", "0", "no", "false")


@cache
def shipped() -> RoleModel | None:
    """The shipped model (once per process), or None when learned components are off."""
    return load() if enabled() else None
