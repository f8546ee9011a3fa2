"""The audit's tables: the CSV columns and the streaming aggregation both the run and the report use."""
from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

REFERRAL_COLUMNS = [
    "seq", "id", "date", "month", "referrer", "language", "guideline", "modality", "region", "laterality",
    "age_band", "sex", "grade", "missing", "history", "clinical_findings", "tentative_diagnosis",
    "clinical_question", "red_flags", "appropriateness", "recommended_modality", "modality_mismatch", "action",
    "rules", "error", "error_message",
]
FINDING_COLUMNS = ["seq", "id", "rule", "severity", "evidence"]
BOOL_COLUMNS = ("history", "clinical_findings", "tentative_diagnosis", "clinical_question", "modality_mismatch")


def read_rows(path: Path, chunksize: int = 10_000):
    """Stream ``referrals.csv``/``findings.csv`` as pandas chunks with stable dtypes."""
    import pandas as pd

    dtype = {c: "string" for c in REFERRAL_COLUMNS + FINDING_COLUMNS + ["text"] if c not in ("seq", *BOOL_COLUMNS)}
    for chunk in pd.read_csv(path, dtype=dtype, keep_default_na=False, chunksize=chunksize):
        for col in BOOL_COLUMNS:
            if col in chunk:
                chunk[col] = chunk[col].map({"True": True, "False": False, True: True, False: False}).astype("boolean")
        yield chunk


class Figures:
    """The audit's counts over a set of referral rows, added one row at a time."""

    def __init__(self) -> None:
        self.c: dict[str, Counter] = defaultdict(Counter)
        self.per_ref: dict[str, Counter] = defaultdict(Counter)
        self.n = self.valid = 0

    def add(self, r) -> None:
        c = self.c
        self.n += 1
        if r.error:
            c["errors"][r.error] += 1
            return
        self.valid += 1
        incomplete = r.grade != "A"
        c["appropriateness"][r.appropriateness] += 1
        c["action"][r.action] += 1
        mismatch = r.modality_mismatch and r.recommended_modality and r.action in ("accept", "escalate")
        c["decision"][f"{r.action}|{r.recommended_modality if mismatch else ''}|{r.modality if mismatch else ''}"] += 1
        c["grade"][r.grade] += 1
        c["language"][r.language] += 1
        c["region_x_appropriateness"][f"{r.region or 'unknown'}|{r.appropriateness}"] += 1
        c["modality_x_appropriateness"][f"{r.modality or 'unknown'}|{r.appropriateness}"] += 1
        missing = [m for m in r.missing.split(";") if m]
        c["missing"].update(missing)
        c["red_flags"].update(f for f in r.red_flags.split(";") if f)
        c["rules"].update(x for x in r.rules.split(";") if x)
        if r.modality_mismatch:
            c["mismatch"][f"{r.modality}->{r.recommended_modality}"] += 1
        if r.month:
            c["month_total"][r.month] += 1
            c["month_low_value"][r.month] += r.appropriateness == "low_value"
            c["month_incomplete"][r.month] += incomplete
        ref = self.per_ref[r.referrer or "(unknown)"]
        ref["volume"] += 1
        ref["low_value"] += r.appropriateness == "low_value"
        ref["incomplete"] += incomplete
        for comp in missing:
            ref[f"missing:{comp}"] += 1

    def summary(self) -> dict:
        c, valid = self.c, self.valid
        low = c["appropriateness"]["low_value"]
        incomplete = valid - c["grade"]["A"]

        def share(k: int, d: int) -> float:
            return round(k / d, 4) if d else 0.0

        return {
            "schema": "refcheck.audit/1",
            "inputs": self.n, "errors": sum(c["errors"].values()), "valid": valid, "denominator": "valid referrals",
            "low_value": {"count": low, "of": valid, "share": share(low, valid)},
            "incomplete": {"count": incomplete, "of": valid, "share": share(incomplete, valid)},
            "urgent": {"count": c["appropriateness"]["urgent"], "of": valid},
            "modality_mismatch": {"count": sum(c["mismatch"].values()), "of": valid,
                                  "pairs": dict(c["mismatch"].most_common())},
            "errors_by_code": dict(c["errors"]),
            "appropriateness": dict(c["appropriateness"]), "action": dict(c["action"]), "grade": dict(c["grade"]),
            "decisions": dict(c["decision"].most_common()),
            "language": dict(c["language"]),
            "missing_components": dict(c["missing"].most_common()), "red_flags": dict(c["red_flags"].most_common()),
            "rules": dict(c["rules"].most_common()),
            "region_x_appropriateness": _nest(c["region_x_appropriateness"]),
            "modality_x_appropriateness": _nest(c["modality_x_appropriateness"]),
            "by_month": {m: {"count": t, "low_value": c["month_low_value"][m], "incomplete": c["month_incomplete"][m]}
                         for m, t in sorted(c["month_total"].items())},
            "referrers": sorted(({"referrer": ref, "volume": v["volume"], "low_value": v["low_value"],
                                  "share_low_value": share(v["low_value"], v["volume"]), "incomplete": v["incomplete"],
                                  "share_incomplete": share(v["incomplete"], v["volume"]),
                                  "missing": {k.split(":", 1)[1]: n_ for k, n_ in v.items() if k.startswith("missing:")}}
                                 for ref, v in self.per_ref.items()), key=lambda d: (-d["volume"], d["referrer"])),
        }


def aggregate(out: Path, by_referrer: bool = False):
    """The audit's figures, in one streaming pass over ``referrals.csv`` (rule counts come
    from its ``rules`` column). With ``by_referrer``: (the department's figures, each
    referrer's figures), still one pass — the pages no longer re-read the tables."""
    everyone = Figures()
    referrers: dict[str, Figures] = defaultdict(Figures)
    for chunk in read_rows(out / "referrals.csv"):
        for r in chunk.itertuples(index=False):
            everyone.add(r)
            if by_referrer:
                referrers[r.referrer or "(unknown)"].add(r)
    if not by_referrer:
        return everyone.summary()
    return everyone.summary(), {name: f.summary() for name, f in referrers.items()}


def _nest(counter: Counter) -> dict:
    out: dict = defaultdict(dict)
    for key, n in counter.items():
        outer, inner = key.split("|", 1)
        out[outer][inner] = n
    return {k: out[k] for k in sorted(out)}
