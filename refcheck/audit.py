"""``refcheck audit``: a quality report over a batch of referrals.

Streaming design, so that memory stays flat however large the batch:

1. records are read lazily and checked in windows (one process, or a pool of ``jobs``
   processes that each build the spaCy pipeline once);
2. every window's rows are appended to ``referrals.csv`` and ``findings.csv`` and flushed —
   these files are also the checkpoint: ``--resume`` truncates a partial last line, skips
   the records already written (column ``seq`` is the input position) and goes on;
3. at the end the figures are aggregated by streaming ``referrals.csv``/``findings.csv``
   in chunks, ``referrals.parquet`` is written chunk by chunk with a fixed schema, and
   ``summary.json`` and ``report.html`` (plus per-referrer pages) are rendered.

Privacy: by default no referral text, no evidence snippets and no raw ids leave the
process — ids are replaced by a keyed hash (HMAC-SHA256) and ages by age bands.
"""
from __future__ import annotations

import csv
import hashlib
import hmac
import json
import os
import secrets
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from .errors import InputError
from .reading import InputRecord, iter_records

REFERRAL_COLUMNS = [
    "seq", "id", "date", "month", "referrer", "language", "guideline", "modality", "region", "laterality",
    "age_band", "sex", "grade", "missing", "history", "clinical_findings", "tentative_diagnosis",
    "clinical_question", "red_flags", "appropriateness", "recommended_modality", "modality_mismatch", "action",
    "rules", "error", "error_message",
]
FINDING_COLUMNS = ["seq", "id", "rule", "severity", "evidence"]
BOOL_COLUMNS = ("history", "clinical_findings", "tentative_diagnosis", "clinical_question", "modality_mismatch")
WINDOW = 256
KEY_FILE = ".refcheck-audit-key"


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
    from .api import check_record

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


# --- worker processes ------------------------------------------------------------------

_WORKER: dict = {}


def _init_worker(privacy: Privacy, guideline: str | None) -> None:
    _WORKER["privacy"], _WORKER["guideline"] = privacy, guideline


def _work(item: tuple[int, InputRecord]) -> tuple[dict, list[dict]]:
    seq, record = item
    return _rows(seq, record, _WORKER["privacy"], _WORKER["guideline"])


# --- checkpointed CSV output ------------------------------------------------------------

def _complete_rows(path: Path) -> int:
    """Number of complete data rows; a partial last line (crash mid-write) is cut off."""
    if not path.exists():
        return 0
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        data = data[: data.rfind(b"\n") + 1]
        path.write_bytes(data)
    with path.open(encoding="utf-8", newline="") as fh:
        return max(0, sum(1 for _ in csv.reader(fh)) - 1)


def _drop_findings_after(path: Path, done: int) -> None:
    """Keep only finding rows of referrals already written (seq < done)."""
    if not path.exists():
        return
    tmp = path.with_suffix(".tmp")
    with path.open(encoding="utf-8", newline="") as src, tmp.open("w", encoding="utf-8", newline="") as dst:
        reader = csv.reader(src)
        writer = csv.writer(dst)
        header = next(reader, None)
        if header:
            writer.writerow(header)
            for row in reader:
                if len(row) == len(header) and row[0].isdigit() and int(row[0]) < done:
                    writer.writerow(row)
    tmp.replace(path)


def _load_key(out: Path, resume: bool) -> bytes:
    env = os.environ.get("REFCHECK_AUDIT_KEY")
    if env:
        return env.encode("utf-8")
    path = out / KEY_FILE
    if resume and path.exists():
        return bytes.fromhex(path.read_text().strip())
    key = secrets.token_bytes(32)
    path.write_text(key.hex())
    path.chmod(0o600)
    return key


class _Progress:
    """A progress line on stderr with rate and ETA (when the total is known)."""

    def __init__(self, total: int | None, start: int, enabled: bool):
        self.total, self.done, self.enabled = total, start, enabled
        self.t0, self.last, self.start = time.perf_counter(), 0.0, start
        self.tty = sys.stderr.isatty()
        self.every = 0.5 if self.tty else 10.0  # a log file gets a line every 10 s

    def update(self, n: int, final: bool = False) -> None:
        self.done += n
        now = time.perf_counter()
        if not self.enabled or (not final and now - self.last < self.every):
            return
        self.last = now
        rate = (self.done - self.start) / max(now - self.t0, 1e-9)
        line = f"\rrefcheck audit: {self.done}" + (f"/{self.total}" if self.total else "") + f" referrals  {rate:,.0f}/s"
        if self.total and rate > 0:
            line += f"  ETA {max(0, self.total - self.done) / rate:,.0f} s"
        sys.stderr.write((line if self.tty else line.lstrip("\r") + "\n") + ("\n" if final and self.tty else ""))
        sys.stderr.flush()


def _count_inputs(source: str) -> int | None:
    path = Path(source)
    try:
        if path.is_file() and path.suffix.lower() in (".jsonl", ".ndjson"):
            with path.open("rb") as fh:
                return sum(1 for line in fh if line.strip())
        if path.is_dir():
            files = [p for p in path.iterdir() if p.is_file()]
            if all(p.suffix.lower() == ".txt" for p in files):
                return len(files)
    except OSError:
        return None
    return None


@dataclass
class AuditResult:
    out: Path
    inputs: int
    summary: dict = field(default_factory=dict)
    interrupted: bool = False


def run_audit(source: str, out: Path, *, lang: str = "en", by_referrer: bool = False, keep_ids: bool = False,
              include_text: bool = False, jobs: int = 1, resume: bool = False, guideline: str | None = None,
              progress: bool = True, stop_after: int | None = None) -> AuditResult:
    """Audit every referral of ``source`` into ``out``; see the module docstring.

    ``stop_after`` simulates an interruption after that many referrals (for tests).
    """
    out.mkdir(parents=True, exist_ok=True)
    ref_csv, find_csv = out / "referrals.csv", out / "findings.csv"
    columns = REFERRAL_COLUMNS + (["text"] if include_text else [])
    done = 0
    if resume and ref_csv.exists():
        with ref_csv.open(encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh), [])
        if header != columns:
            raise InputError("[RC701] --resume: the existing referrals.csv was written with other options "
                             "(--include-text differs); start again without --resume")
        done = _complete_rows(ref_csv)
        _drop_findings_after(find_csv, done)
    else:
        for p in (ref_csv, find_csv):
            p.unlink(missing_ok=True)
    privacy = Privacy(keep_ids, include_text, _load_key(out, resume))
    records = iter_records(source)  # raises InputError before anything is written
    first = next(records, None)
    if first is None:
        raise InputError(f"[RC702] {source} holds no referrals")
    items: Iterator[tuple[int, InputRecord]] = enumerate(_chain(first, records))
    items = islice(items, done, None)

    new_files = not ref_csv.exists()
    ref_fh = ref_csv.open("a", encoding="utf-8", newline="")
    find_fh = find_csv.open("a", encoding="utf-8", newline="")
    ref_w = csv.DictWriter(ref_fh, fieldnames=columns)
    find_w = csv.DictWriter(find_fh, fieldnames=FINDING_COLUMNS)
    if new_files:
        ref_w.writeheader()
        find_w.writeheader()
    bar = _Progress(_count_inputs(source), done, progress)
    interrupted = False
    pool = None
    try:
        if jobs > 1:
            import multiprocessing as mp

            pool = mp.get_context("fork" if sys.platform != "win32" else "spawn").Pool(
                jobs, initializer=_init_worker, initargs=(privacy, guideline))
        else:
            _init_worker(privacy, guideline)
        processed = 0
        while True:
            window = list(islice(items, WINDOW if stop_after is None else min(WINDOW, stop_after - processed)))
            if not window:
                break
            results = pool.map(_work, window, chunksize=16) if pool else [_work(i) for i in window]
            for row, finds in results:
                find_w.writerows(finds)  # findings first: a referral row marks its findings complete
            find_fh.flush()
            ref_w.writerows(row for row, _ in results)
            ref_fh.flush()
            os.fsync(ref_fh.fileno())
            processed += len(window)
            bar.update(len(window))
            if stop_after is not None and processed >= stop_after:
                raise KeyboardInterrupt
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if pool is not None:
            pool.terminate() if interrupted else pool.close()
            pool.join()
        ref_fh.close()
        find_fh.close()
    bar.update(0, final=True)
    total = _complete_rows(ref_csv)
    if interrupted:
        return AuditResult(out, total, interrupted=True)
    from .audit_report import write_outputs

    summary = write_outputs(out, lang=lang, by_referrer=by_referrer, include_text=include_text)
    return AuditResult(out, total, summary)


def _chain(first: InputRecord, rest: Iterable[InputRecord]) -> Iterator[InputRecord]:
    yield first
    yield from rest


def read_rows(path: Path, chunksize: int = 50_000):
    """Stream ``referrals.csv``/``findings.csv`` as pandas chunks with stable dtypes."""
    import pandas as pd

    dtype = {c: "string" for c in REFERRAL_COLUMNS + FINDING_COLUMNS + ["text"] if c not in ("seq", *BOOL_COLUMNS)}
    for chunk in pd.read_csv(path, dtype=dtype, keep_default_na=False, chunksize=chunksize):
        for col in BOOL_COLUMNS:
            if col in chunk:
                chunk[col] = chunk[col].map({"True": True, "False": False, True: True, False: False}).astype("boolean")
        yield chunk


def aggregate(out: Path) -> dict:
    """The audit's figures, computed by streaming the CSV outputs."""
    c = defaultdict(Counter)
    per_ref: dict[str, Counter] = defaultdict(Counter)
    n = valid = 0
    for chunk in read_rows(out / "referrals.csv"):
        for r in chunk.itertuples(index=False):
            n += 1
            if r.error:
                c["errors"][r.error] += 1
                continue
            valid += 1
            incomplete = r.grade != "A"
            c["appropriateness"][r.appropriateness] += 1
            c["action"][r.action] += 1
            c["grade"][r.grade] += 1
            c["language"][r.language] += 1
            c["region_x_appropriateness"][f"{r.region or 'unknown'}|{r.appropriateness}"] += 1
            c["modality_x_appropriateness"][f"{r.modality or 'unknown'}|{r.appropriateness}"] += 1
            for comp in filter(None, r.missing.split(";")):
                c["missing"][comp] += 1
            for flag in filter(None, r.red_flags.split(";")):
                c["red_flags"][flag] += 1
            if r.modality_mismatch:
                c["mismatch"][f"{r.modality}->{r.recommended_modality}"] += 1
            if r.month:
                c["month_total"][r.month] += 1
                c["month_low_value"][r.month] += r.appropriateness == "low_value"
                c["month_incomplete"][r.month] += incomplete
            ref = r.referrer or "(unknown)"
            per_ref[ref]["volume"] += 1
            per_ref[ref]["low_value"] += r.appropriateness == "low_value"
            per_ref[ref]["incomplete"] += incomplete
            for comp in filter(None, r.missing.split(";")):
                per_ref[ref][f"missing:{comp}"] += 1
    for chunk in read_rows(out / "findings.csv"):
        c["rules"].update(chunk["rule"].tolist())
    low = c["appropriateness"]["low_value"]
    incomplete = valid - c["grade"]["A"]

    def share(k: int, d: int) -> float:
        return round(k / d, 4) if d else 0.0

    return {
        "schema": "refcheck.audit/1",
        "inputs": n, "errors": sum(c["errors"].values()), "valid": valid, "denominator": "valid referrals",
        "low_value": {"count": low, "of": valid, "share": share(low, valid)},
        "incomplete": {"count": incomplete, "of": valid, "share": share(incomplete, valid)},
        "urgent": {"count": c["appropriateness"]["urgent"], "of": valid},
        "modality_mismatch": {"count": sum(c["mismatch"].values()), "of": valid, "pairs": dict(c["mismatch"].most_common())},
        "errors_by_code": dict(c["errors"]),
        "appropriateness": dict(c["appropriateness"]), "action": dict(c["action"]), "grade": dict(c["grade"]),
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
                             for ref, v in per_ref.items()), key=lambda d: (-d["volume"], d["referrer"])),
    }


def _nest(counter: Counter) -> dict:
    out: dict = defaultdict(dict)
    for key, n in counter.items():
        outer, inner = key.split("|", 1)
        out[outer][inner] = n
    return {k: out[k] for k in sorted(out)}
