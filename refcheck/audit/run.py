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
import os
import secrets
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from ..errors import input_error
from ..inputs import InputRecord, iter_records
from .rows import Privacy, _rows, age_band  # noqa: F401  (age_band: part of this module's interface)
from .tables import FINDING_COLUMNS, REFERRAL_COLUMNS

WINDOW = 256
KEY_FILE = ".refcheck-audit-key"


# --- worker processes ------------------------------------------------------------------

_WORKER: dict = {}


def _init_worker(privacy: Privacy, guideline: str | None) -> None:
    _WORKER["privacy"], _WORKER["guideline"] = privacy, guideline


def _work(item: tuple[int, InputRecord]) -> tuple[dict, list[dict]]:
    seq, record = item
    return _rows(seq, record, _WORKER["privacy"], _WORKER["guideline"])


# --- checkpointed CSV output ------------------------------------------------------------

def _complete_rows(path: Path) -> int:
    """Number of complete data rows; a partial last line (crash mid-write) is cut off.
    Reads the file in blocks: the whole file in memory cost 180 MB at 1 M referrals."""
    if not path.exists():
        return 0
    with path.open("r+b") as fh:
        size = fh.seek(0, os.SEEK_END)
        if size:
            end = size
            while end > 0:  # the last newline, looked for backwards a block at a time
                start = max(0, end - 65536)
                fh.seek(start)
                block = fh.read(end - start)
                cut = block.rfind(b"\n")
                if cut >= 0:
                    end = start + cut + 1
                    break
                end = start
            if end != size:
                fh.truncate(end)
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


def key_path(out: Path) -> Path:
    """Where the pseudonym key of the audit into ``out`` is kept: the user's configuration
    directory (``$XDG_CONFIG_HOME/refcheck/audit-keys``, else ``~/.config/…``), named by the
    output folder, never inside the outputs (sharing the folder must not share the key)."""
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "refcheck" / "audit-keys"
    name = hashlib.sha256(str(out.resolve()).encode("utf-8")).hexdigest()[:24]
    return base / f"{name}.key"


def _load_key(out: Path, resume: bool) -> tuple[bytes, str]:
    """The key and where it is (for the run's summary): ``REFCHECK_AUDIT_KEY`` if set."""
    env = os.environ.get("REFCHECK_AUDIT_KEY")
    if env:
        return env.encode("utf-8"), "REFCHECK_AUDIT_KEY"
    path = key_path(out)
    legacy = out / KEY_FILE  # where earlier versions kept it: moved out on resume
    if resume and not path.exists() and legacy.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        path.write_text(legacy.read_text().strip())
    if legacy.exists():
        legacy.unlink()
    if resume and path.exists():
        return bytes.fromhex(path.read_text().strip()), str(path)
    key = secrets.token_bytes(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600))
    path.write_text(key.hex())
    return key, str(path)


class Progress:
    """A progress line on stderr with rate and ETA (when the total is known)."""

    def __init__(self, total: int | None, start: int, enabled: bool, label: str = "refcheck audit"):
        self.total, self.done, self.enabled, self.label = total, start, enabled, label
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
        line = f"\r{self.label}: {self.done}" + (f"/{self.total}" if self.total else "") + f" referrals  {rate:,.0f}/s"
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
    key_at: str | None = None  # where the pseudonym key is (not in the outputs)
    phases: dict = field(default_factory=dict)  # seconds per phase: check (incl. reading, writing CSVs), outputs


def _resume_point(ref_csv: Path, find_csv: Path, columns: list[str], resume: bool) -> int:
    """How many referrals an earlier run completed (0 when not resuming: every output of an
    earlier run is removed, the referrer pages too, so old and new are never mixed)."""
    if not (resume and ref_csv.exists()):
        from .report import clear_outputs

        clear_outputs(ref_csv.parent)
        return 0
    with ref_csv.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh), [])
    if header != columns:
        raise input_error("RC701")
    done = _complete_rows(ref_csv)
    _drop_findings_after(find_csv, done)
    return done


def run_audit(source: str, out: Path, *, lang: str = "en", by_referrer: bool = False, keep_ids: bool = False,
              include_text: bool = False, jobs: int = 1, resume: bool = False, guideline: str | None = None,
              progress: bool = True, stop_after: int | None = None, schemas: str | Path | None = None,
              engine: str = "local", scheduler: str | None = None, dask_workers: int = 2,
              partition_by: str | None = None) -> AuditResult:
    """Audit every referral of ``source`` into ``out``; see the module docstring.

    ``engine="dask"`` checks on a Dask cluster (``scheduler`` address, or a local cluster of
    ``dask_workers`` processes; see :mod:`.dask`); ``partition_by="month"`` also writes the
    tables as partitioned Parquet datasets.
    ``stop_after`` simulates an interruption after that many referrals (for tests).
    """
    out.mkdir(parents=True, exist_ok=True)
    ref_csv, find_csv = out / "referrals.csv", out / "findings.csv"
    columns = REFERRAL_COLUMNS + (["text"] if include_text else [])
    done = _resume_point(ref_csv, find_csv, columns, resume)
    key, key_where = _load_key(out, resume)
    privacy = Privacy(keep_ids, include_text, key)
    records = iter_records(source, schemas)  # raises InputError before anything is written
    first = next(records, None)
    if first is None:
        raise input_error("RC702", source=source)
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
    bar = Progress(_count_inputs(source), done, progress)
    t_check = time.perf_counter()
    interrupted = False
    checker = None
    try:
        checker = _Checker(engine, jobs, privacy, guideline, scheduler, dask_workers)
        processed = read = 0
        pending = None  # one window in flight while the previous one is written (workers never wait)
        while True:
            size = checker.window
            window = list(islice(items, size if stop_after is None else min(size, stop_after - read)))
            read += len(window)
            handle = checker.submit(window) if window else None
            if pending is not None:
                results = checker.result(pending)
                for row, finds in results:
                    find_w.writerows(finds)  # findings first: a referral row marks its findings complete
                find_fh.flush()
                os.fsync(find_fh.fileno())  # on disk before the referral rows that mark them complete
                ref_w.writerows(row for row, _ in results)
                ref_fh.flush()
                os.fsync(ref_fh.fileno())
                processed += len(results)
                bar.update(len(results))
                if stop_after is not None and processed >= stop_after:
                    raise KeyboardInterrupt
            if handle is None:
                break
            pending = handle
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if checker is not None:
            checker.close(interrupted)
        ref_fh.close()
        find_fh.close()
    bar.update(0, final=True)
    total = _complete_rows(ref_csv)
    if interrupted:
        return AuditResult(out, total, interrupted=True)
    from .report import write_outputs

    t_out = time.perf_counter()
    summary = write_outputs(out, lang=lang, by_referrer=by_referrer, include_text=include_text,
                            partition_by=partition_by)
    phases = {"check": round(t_out - t_check, 2), "outputs": round(time.perf_counter() - t_out, 2)}
    return AuditResult(out, total, summary, key_at=None if keep_ids else key_where, phases=phases)


class _Checker:
    """Checks windows of (seq, record): in this process, a pool of ``jobs`` processes, or a
    Dask cluster (larger windows: fewer round trips)."""

    def __init__(self, engine: str, jobs: int, privacy: Privacy, guideline: str | None, scheduler: str | None,
                 dask_workers: int):
        self.pool = self.cluster = None
        self.window = WINDOW
        if engine == "dask":
            from .dask import DaskChecker

            self.cluster, self.window = DaskChecker(privacy, guideline, scheduler, dask_workers), WINDOW * 8
        elif jobs > 1:
            import multiprocessing as mp

            self.pool = mp.get_context("fork" if sys.platform != "win32" else "spawn").Pool(
                jobs, initializer=_init_worker, initargs=(privacy, guideline))
        else:
            _init_worker(privacy, guideline)

    def submit(self, window: list):
        """Start checking ``window``; :meth:`result` waits for it (in this process: checked now)."""
        if self.cluster is not None:
            return self.cluster.submit(window)
        if self.pool is not None:
            return self.pool.map_async(_work, window, chunksize=16)
        return [_work(i) for i in window]

    def result(self, handle) -> list:
        if self.cluster is not None:
            return self.cluster.result(handle)
        return handle.get() if self.pool is not None else handle

    def close(self, interrupted: bool) -> None:
        if self.pool is not None:
            self.pool.terminate() if interrupted else self.pool.close()
            self.pool.join()
        if self.cluster is not None:
            self.cluster.close()


def _chain(first: InputRecord, rest: Iterable[InputRecord]) -> Iterator[InputRecord]:
    yield first
    yield from rest
