"""Reading referral files: files, directories, JSONL/CSV batches, FHIR JSON and stdin.

Every reader yields :class:`~refcheck.inputs.records.InputRecord` objects in input order, one per referral, and
never raises for a bad record: a record that cannot be read carries a
:class:`~refcheck.errors.RecordError` instead of text, so that the batch goes on and the
number of reports equals the number of inputs.
"""
from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from charset_normalizer import from_bytes

from ..errors import MAX_CHARS, RecordError, input_error, record_error
from . import fhir
from .records import META_FIELDS, InputRecord, check_size, fhir_records, record_from_mapping

SUPPORTED_SUFFIXES = (".txt", ".jsonl", ".ndjson", ".csv", ".json", ".xml", ".parquet")
# A CSV field may hold a whole referral (up to the text limit, with room for markup); the
# csv module's default of 131,072 characters failed the batch at the first long one.
csv.field_size_limit(max(csv.field_size_limit(), 4 * MAX_CHARS))


#: A UTF-8 text with at most this share of undecodable bytes is read with U+FFFD in their
#: place (and a warning finding), not refused: one stray byte must not lose a referral.
STRAY_BYTES = 0.01


def decode_bytes(data: bytes) -> tuple[str | None, RecordError | None]:
    """Decode a referral file: UTF-16 with a BOM, UTF-8 (with or without BOM), UTF-8 with a
    few stray bytes (replaced by U+FFFD: see :func:`replaced`), else the best legacy guess.

    Windows-1252 / Latin-1 exports are common from older EPR systems; charset-normalizer
    chooses among the encodings such a file can have. Binary data is a decode error.
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError:
            return None, record_error("RC102")
    if b"\x00" in data[:4096]:
        return None, record_error("RC101")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    lenient = data.decode("utf-8-sig", errors="replace")
    legacy = from_bytes(data, cp_isolation=["cp1252", "latin_1", "iso8859_15", "cp865", "mac_roman"]).best()
    # A valid multi-byte UTF-8 sequence ("Ã¸" in cp1252) says the file is UTF-8 with stray
    # bytes; a file without any is a legacy single-byte encoding.
    if _UTF8_SEQUENCE.search(data) and lenient.count("\ufffd") <= max(1, STRAY_BYTES * len(lenient)):
        return lenient, None
    if legacy is None:
        if lenient.count("\ufffd") <= max(1, STRAY_BYTES * len(lenient)):
            return lenient, None
        return None, record_error("RC102")
    return str(legacy), None


_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")


def replaced(text: str) -> int:
    """How many characters of a decoded text are U+FFFD (bytes that could not be read)."""
    return text.count("\ufffd")


def read_text_file(path: Path, rid: str | None = None) -> InputRecord:
    """One ``.txt`` file = one referral; its id is the file name without suffix."""
    rid = rid or path.stem
    text, err = decode_bytes(path.read_bytes())
    if err:
        return InputRecord(rid, None, error=err)
    return check_size(InputRecord(rid, text, {"replaced_characters": replaced(text)} if replaced(text) else {}))


def iter_jsonl(lines: Iterator[bytes], source: str) -> Iterator[InputRecord]:
    """Read a JSON Lines batch; a line that is not JSON becomes a ``bad_record``."""
    for n, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        fallback = f"{source}:{n}"
        try:
            line = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
        except UnicodeDecodeError:
            yield InputRecord(fallback, None, error=record_error("RC103", n=n))
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputRecord(fallback, None, error=record_error("RC205", n=n, problem=exc.msg))
            continue
        except RecursionError:
            yield InputRecord(fallback, None, error=record_error("RC205", n=n, problem="nested too deeply"))
            continue
        yield record_from_mapping(row, fallback)


def _sniff_encoding(path: Path) -> tuple[str, RecordError | None]:
    """The encoding of a CSV file, judged from its first 64 KiB (so the file is streamed,
    never read whole): UTF-16 with a BOM, UTF-8 (stray bytes replaced), else the legacy
    encoding charset-normalizer finds."""
    with path.open("rb") as fh:
        sample = fh.read(65536)
    if sample[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16", None
    if b"\x00" in sample[:4096]:
        return "", record_error("RC101")
    cut = sample if len(sample) < 65536 else sample[:len(sample) - 4]  # a character may be cut at the end
    try:
        cut.decode("utf-8-sig")
        return "utf-8-sig", None
    except UnicodeDecodeError:
        pass
    text, err = decode_bytes(sample)
    if err is not None:
        return "", err
    if "\ufffd" in text or _UTF8_SEQUENCE.search(sample):
        return "utf-8-sig", None  # UTF-8 with a few stray bytes: replaced (and warned about)
    legacy = from_bytes(sample, cp_isolation=["cp1252", "latin_1", "iso8859_15", "cp865", "mac_roman"]).best()
    return (legacy.encoding if legacy is not None else "utf-8-sig"), None


class _Lines:
    """Physical lines of a text stream, remembering those of the row being read so that a
    broken row can be skipped by its first line and the rest read again."""

    def __init__(self, fh):
        self.fh, self.pending, self.row, self.consumed = fh, [], [], 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.pending.pop() if self.pending else self.fh.readline()
        if not line:
            raise StopIteration
        self.row.append(line)
        self.consumed += 1
        return line

    def rewind_after_first(self) -> None:
        """Give back every line of the broken row but its first."""
        rest = self.row[1:]
        self.pending.extend(reversed(rest))
        self.consumed -= len(rest)
        self.row = []


def iter_csv(path: Path) -> Iterator[InputRecord]:
    """Read a CSV batch with a header row naming at least ``text`` (and usually ``id``),
    streamed a row at a time (memory does not grow with the file).

    A row that cannot be read (an unterminated quote, a field over the limit) becomes
    that row's error record and reading goes on at the next line, so a broken row never
    swallows the rows after it.
    """
    encoding, err = _sniff_encoding(path)
    if err:
        raise input_error("RC301", name=path.name, problem=err.message)
    with path.open(encoding=encoding, errors="replace", newline="") as fh:
        head_text = fh.read(4096)
        fh.seek(0)
        try:
            dialect = csv.Sniffer().sniff(head_text, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        lines = _Lines(fh)
        try:
            fieldnames = next(csv.reader(lines, dialect=dialect))
        except (StopIteration, csv.Error):
            fieldnames = []
        if not fieldnames or "text" not in [f.strip().lower() for f in fieldnames]:
            raise input_error("RC302", name=path.name, fields=", ".join(META_FIELDS))
        lines.row = []
        while True:
            reader = csv.DictReader(lines, fieldnames=fieldnames, dialect=dialect, strict=True)
            try:
                for row in reader:
                    n = lines.consumed - len(lines.row) + 1  # the row's first physical line
                    lines.row = []
                    yield _csv_record(row, path.name, n)
                return
            except csv.Error as exc:
                n = lines.consumed - len(lines.row) + 1
                yield InputRecord(f"{path.name}:{n}", None, error=record_error("RC209", n=n, problem=_csv_problem(exc)))
                lines.rewind_after_first()  # go on after the broken row's first line


def _csv_record(row: dict, name: str, n: int) -> InputRecord:
    row = {(k or "").strip().lower(): v for k, v in row.items()}
    if None in row.values() or "" in row and row[""]:
        # Unequal column count: DictReader fills missing values with None / extra in ''.
        return InputRecord(str(row.get("id") or f"{name}:{n}"), None, error=record_error("RC206", n=n))
    return record_from_mapping(row, f"{name}:{n}")


def _csv_problem(exc: csv.Error) -> str:
    """The csv module's complaint without any of the row's values."""
    text = str(exc)
    return "field larger than the limit" if "field larger" in text else "malformed row"


def iter_json_file(path: Path) -> Iterator[InputRecord]:
    """A ``.json`` file: a FHIR resource or Bundle, one record object, or a list of them."""
    try:
        doc = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        yield InputRecord(path.stem, None, error=record_error("RC207", name=path.name, problem=exc))
        return
    except RecursionError:
        yield InputRecord(path.stem, None, error=record_error("RC207", name=path.name, problem="nested too deeply"))
        return
    if isinstance(doc, list):
        for i, row in enumerate(doc, start=1):
            yield record_from_mapping(row, f"{path.stem}:{i}")
    elif fhir.is_fhir(doc):
        yield from fhir_records(doc, path.stem)
    else:
        yield record_from_mapping(doc, path.stem)


def read_xml_file(path: Path, schemas: str | Path | None = None) -> InputRecord:
    """A KITH or MedCom referral message (see :mod:`.messages`)."""
    from .messages import read_message

    return read_message(path.read_bytes(), path.stem, schemas).record


def iter_parquet(path: Path) -> Iterator[InputRecord]:
    """A Parquet file or a (partitioned) Parquet dataset directory, with the columns of a
    JSONL/CSV batch (``id``, ``text``, ``age`` …), streamed in record batches."""
    import pyarrow.dataset as ds

    try:
        dataset = ds.dataset(str(path), format="parquet", partitioning="hive")
    except (OSError, ValueError) as exc:
        raise input_error("RC309", name=path.name, problem=type(exc).__name__) from None
    if "text" not in dataset.schema.names:
        raise input_error("RC302", name=path.name, fields=", ".join(META_FIELDS))
    n = 0
    for batch in _parquet_batches(path, dataset):
        for row in batch.to_pylist():
            n += 1
            yield record_from_mapping({k: v for k, v in row.items() if v is not None}, f"{path.name}:{n}")


#: Rows per batch read from Parquet; memory is bounded by this and one row group.
PARQUET_BATCH = 2048


def _parquet_batches(path: Path, dataset):
    """Record batches without read-ahead: the scanner's defaults (16 batches and 4 files
    ahead, whole column chunks pre-buffered) held 455-539 MB at 1 M referrals, and forked
    workers inherited it. One file is read row group by row group (measured on a 1 M-row
    file of 50k-row groups: 193 MB while iterating, against 534 MB); a dataset directory
    keeps its partition columns through the scanner, with read-ahead and pre-buffering
    off (263 MB)."""
    import pyarrow.dataset as ds

    if path.is_file():
        import pyarrow.parquet as pq

        yield from pq.ParquetFile(str(path), pre_buffer=False, buffer_size=1 << 20).iter_batches(
            batch_size=PARQUET_BATCH)
        return
    opts = ds.ParquetFragmentScanOptions(pre_buffer=False, buffer_size=1 << 20)
    yield from dataset.to_batches(batch_size=PARQUET_BATCH, batch_readahead=0, fragment_readahead=0,
                                  use_threads=False, fragment_scan_options=opts)


def _is_dataset(path: Path) -> bool:
    """A directory holding Parquet files (a partitioned dataset: ``month=2026-10/part-0.parquet``)."""
    return path.is_dir() and (path.suffix.lower() == ".parquet" or any(
        p.suffix == ".parquet" for p in path.rglob("*.parquet")) and not any(
        p.suffix.lower() in SUPPORTED_SUFFIXES and p.suffix != ".parquet" for p in path.iterdir() if p.is_file()))


def iter_path(path: Path, schemas: str | Path | None = None) -> Iterator[InputRecord]:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        yield from iter_parquet(path)
    elif suffix == ".xml":
        yield read_xml_file(path, schemas)
    elif suffix == ".txt":
        yield read_text_file(path)
    elif suffix in (".jsonl", ".ndjson"):
        with path.open("rb") as fh:
            yield from iter_jsonl(fh, path.name)
    elif suffix == ".csv":
        yield from iter_csv(path)
    elif suffix == ".json":
        yield from iter_json_file(path)
    else:
        raise input_error("RC303", suffix=suffix or path.name, suffixes=", ".join(SUPPORTED_SUFFIXES))


def iter_records(source: str | Path, schemas: str | Path | None = None) -> Iterator[InputRecord]:
    """Yield the referrals of ``source``: a file, a directory of files, or ``-`` (stdin).
    ``schemas``: a folder of XSDs to validate electronic messages (.xml) against.

    Raises:
        InputError: if the input does not exist or cannot be read as a whole.
    """
    if str(source) == "-":
        data = sys.stdin.buffer.read()
        from .messages import is_message, read_message

        if is_message(data):
            yield read_message(data, "stdin", schemas).record
            return
        text, err = decode_bytes(data)
        yield check_size(InputRecord("stdin", text, error=err)) if not err else InputRecord("stdin", None, error=err)
        return
    path = Path(source)
    if not path.exists():
        raise input_error("RC304", path=path)
    if _is_dataset(path):
        yield from iter_parquet(path)
        return
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
        if not files:
            raise input_error("RC305", path=path, suffixes=", ".join(SUPPORTED_SUFFIXES))
        for p in files:
            yield from iter_path(p, schemas)
        return
    yield from iter_path(path, schemas)
