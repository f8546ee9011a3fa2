"""Lexicons: loading the per-language data files and matching them against tokens.

A lexicon entry is one concept with a stable id, a code, its terms and its source::

    {"id": "nb.red_flag.night_pain", "code": "night_rest_pain",
     "terms": ["nattesmert*", "smerter om natten"], "source": "001 §6.1"}

Terms are matched on *keys*, not on raw text: a token's key is its lower-cased form with
``ae/oe/aa`` folded to ``æ/ø/å`` and accents dropped, clinicians' abbreviations expanded
(``hø.`` → ``høyre``), then stemmed by a small suffix stripper. The same function makes
the keys of lexicon terms, so "smerte" matches "smertene" and "Smerter". A term word
ending in ``*`` matches any token whose folded form begins with it (compounds:
``nattesmert*``), and ``#num`` matches a number.

Matching walks a token trie from every start position; it is linear in the number of
tokens, and per-token work is cached per vocabulary entry.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .errors import DataError
from .paths import lexicon_dir

LANGUAGES = ("nb", "nn", "da")

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
                  "achilles", "plantar_fasciitis", "scoliosis"),
    "finding": ("neuro_exam", "lasegue", "reflexes", "paresis", "sensory_deficit", "tenderness", "reduced_rom",
                "swelling", "crepitus", "axis_deviation", "special_test", "strength_normal", "lab", "temperature",
                "gait", "prior_imaging_result"),
    "symptom": ("pain", "stiffness", "numbness", "paraesthesia", "swelling_reported", "locking", "instability",
                "radiating_pain", "weakness_reported", "limp", "reduced_function"),
    "course": ("improving", "not_improving"),
    "treatment": ("prior_treatment",),
    "intent": ("surgery_considered", "follow_up", "treatment_wish", "xray_negative", "repeat_measurement",
               "pregnancy", "prior_back_surgery"),
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

_ACCENTS = str.maketrans("éèêëáàâäíìîïóòôúùûüç", "eeeeaaaaiiiiooouuuuc")
_FOLDS = (("aa", "å"), ("ae", "æ"), ("oe", "ø"))
_SUFFIXES = {
    "nb": ("erne", "ene", "ane", "ers", "er", "ar", "en", "et", "a", "e", "s"),
    "nn": ("erne", "ene", "ane", "ers", "er", "ar", "en", "et", "a", "e", "s"),
    "da": ("ernes", "erne", "ene", "ers", "er", "en", "et", "e", "s"),
}
_NUM = re.compile(r"^\d+(?:[.,]\d+)?[.,]?$")
_MIN_STEM = 3


def fold(word: str) -> str:
    """Lower-case, drop accents (Lasègue → lasegue), fold ae/oe/aa to æ/ø/å."""
    word = word.lower().translate(_ACCENTS)
    for a, b in _FOLDS:
        if a in word:
            word = word.replace(a, b)
    return word


def stem(word: str, lang: str) -> str:
    """Strip up to two inflectional suffixes, keeping at least three letters."""
    if not word.isalpha():
        return word
    suffixes = _SUFFIXES[lang]
    for _ in range(2):
        for suf in suffixes:
            if word.endswith(suf) and len(word) - len(suf) >= _MIN_STEM:
                word = word[: -len(suf)]
                break
        else:
            break
    return word


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
            raise DataError(f"[RC501] {path}:{n}: not valid JSON ({exc.msg})") from exc
    return rows


def load_entries(lang: str, root: Path | None = None) -> list[Entry]:
    """Load every lexicon file of ``lang``, strictly: unknown keys or codes are errors."""
    root = root or lexicon_dir()
    folder = root / lang
    if not folder.is_dir():
        raise DataError(f"[RC502] no lexicon directory for language '{lang}' under {root}")
    entries: list[Entry] = []
    seen: set[str] = set()
    for name, category in FILES.items():
        path = folder / name
        if not path.exists():
            continue
        for row in _read_jsonl(path):
            unknown = set(row) - ENTRY_KEYS
            if unknown:
                raise DataError(f"[RC503] {path}: entry {row.get('id')!r} has unknown keys {sorted(unknown)}; "
                                f"allowed: {sorted(ENTRY_KEYS)}")
            if row.get("code") not in CATEGORY_CODES[category]:
                raise DataError(f"[RC504] {path}: entry {row.get('id')!r} has code {row.get('code')!r}; "
                                f"allowed: {', '.join(CATEGORY_CODES[category])}")
            if not row.get("id") or row["id"] in seen:
                raise DataError(f"[RC505] {path}: missing or duplicate id {row.get('id')!r}")
            if not isinstance(row.get("terms"), list) or not all(isinstance(t, str) for t in row["terms"]):
                raise DataError(f"[RC506] {path}: entry {row['id']!r} needs a list of string terms")
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


# --- matching ------------------------------------------------------------------------

# Trie nodes map a word key (a str) to the next node; these non-str keys hold the rest.
_END = 0  # payload indices of the terms ending here
_NUMBER = 1  # the node after a "#num" element
_PREFIXES = 2  # "word*" elements: first three letters → prefix → node


class TermMatcher:
    """Match lexicon terms (and context/section literals) against a token sequence.

    Args:
        lang: language whose stemmer and abbreviations make the keys.
        tokenize: a function splitting a term into words the way the pipeline's
            tokenizer splits text (so "L5/S1" or "us." key the same on both sides).
    """

    def __init__(self, lang: str, tokenize):
        self.lang = lang
        self._tokenize = tokenize
        self._abbr = abbreviations(lang if lang != "nn" else "nb") | abbreviations(lang)
        self._root: dict = {}
        self._cache: dict[str, tuple[str, str, bool]] = {}
        self.payloads: list[object] = []
        self._complex: set[int] | None = None

    def features(self, text: str) -> tuple[str, str, bool]:
        """(key, folded form, is-number) of one token text; cached."""
        hit = self._cache.get(text)
        if hit is None:
            folded = fold(text)
            expanded = self._abbr.get(folded)
            if expanded:
                folded = fold(expanded)
            key = stem(folded, self.lang)
            hit = (key, folded, bool(_NUM.match(text)))
            self._cache[text] = hit
        return hit

    def _compile(self, term: str) -> list[tuple[str, str]]:
        elems: list[tuple[str, str]] = []
        for word in term.split():
            if word == "#num":
                elems.append(("n", ""))
            elif word.endswith("*") and len(word) > 1:
                elems.append(("p", fold(word[:-1])))
            elif word.isalnum():
                elems.append(("k", self.features(word)[0]))  # nothing for the tokenizer to split
            else:
                for tok in self._tokenize(word):
                    elems.append(("k", self.features(tok)[0]))
        return elems

    def add(self, term: str, payload: object) -> None:
        """Register ``term``; a match returns ``payload``."""
        elems = self._compile(term)
        if not elems:
            return
        node = self._root
        for kind, value in elems:
            if kind == "k":
                node = node.setdefault(value, {})
            elif kind == "n":
                node = node.setdefault(_NUMBER, {})
            else:
                bucket = node.setdefault(_PREFIXES, {}).setdefault(value[:3], {})
                node = bucket.setdefault(value, {})
        node.setdefault(_END, []).append(len(self.payloads))
        self.payloads.append(payload)
        self._complex = None

    def _complex_nodes(self) -> set[int]:
        """ids of the trie nodes with "#num" or "word*" children (walked the general way)."""
        if self._complex is None:
            out, stack = set(), [self._root]
            while stack:
                node = stack.pop()
                if _PREFIXES in node or _NUMBER in node:
                    out.add(id(node))
                for key, child in node.items():
                    if key == _PREFIXES:
                        stack.extend(c for bucket in child.values() for c in bucket.values())
                    elif key != _END:
                        stack.append(child)
            self._complex = out
        return self._complex

    def match(self, words: list[str]) -> list[tuple[int, int, object]]:
        """All matches in ``words`` as (start, end, payload), end exclusive.

        Matches are listed by start, then by end, then in the order the terms were added.
        """
        feats = list(map(self._cache.get, words))
        if None in feats:  # words not seen before
            feats = [f if f is not None else self.features(w) for f, w in zip(feats, words)]
        out: list[tuple[int, int, object]] = []
        n = len(feats)
        root = self._root
        payloads = self.payloads
        root_prefixes = root.get(_PREFIXES, {})
        root_num = _NUMBER in root
        complex_nodes = self._complex_nodes()
        for i in range(n):
            key, folded, is_num = feats[i]
            bucket = root_prefixes.get(folded[:3])
            if (is_num and root_num) or (bucket and any(folded.startswith(p) for p in bucket)):
                self._walk(feats, i, out)
                continue
            node = root.get(key)
            if node is None:
                continue  # nothing can start here
            # Fast path: a chain of plain word keys (most terms).
            j = i + 1
            while True:
                ends = node.get(_END)
                if ends:
                    for idx in ends:
                        out.append((i, j, payloads[idx]))
                if id(node) in complex_nodes:
                    # "#num" or "word*" below: continue this start the general way.
                    self._walk(feats, i, out, [node], j)
                    break
                if j >= n:
                    break
                node = node.get(feats[j][0])
                if node is None:
                    break
                j += 1
        return out

    def _walk(self, feats, i: int, out: list, frontier: list | None = None, j: int | None = None) -> None:
        """The general walk from start ``i``: several nodes may be live at once.

        Without ``frontier``, starts at the root at token ``i``; otherwise continues from
        the given nodes (already matched up to token ``j``; their own ends are emitted).
        """
        n = len(feats)
        payloads = self.payloads
        if frontier is None:
            frontier, j = [self._root], i
        while j < n:
            key, folded, is_num = feats[j]
            nxt = []
            for node in frontier:
                child = node.get(key)
                if child is not None:
                    nxt.append(child)
                if is_num:
                    child = node.get(_NUMBER)
                    if child is not None:
                        nxt.append(child)
                pref = node.get(_PREFIXES)
                if pref:
                    bucket = pref.get(folded[:3])
                    if bucket:
                        for p, child in bucket.items():
                            if folded.startswith(p):
                                nxt.append(child)
            if not nxt:
                break
            j += 1
            for node in nxt:
                ends = node.get(_END)
                if ends:
                    for idx in ends:
                        out.append((i, j, payloads[idx]))
            frontier = nxt
