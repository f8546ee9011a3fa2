"""The main ``refcheck`` commands: check, audit, train, evaluate, serve and token."""
from __future__ import annotations

import json
import re
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from ..errors import DataError, InputError, message
from .base import Format, Guideline, _connect, _fail, app

class Colour(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


class TextLang(str, Enum):
    auto = "auto"
    nb = "nb"
    nn = "nn"
    da = "da"
    en = "en"


FAIL_ON = ("escalate", "accept", "decline", "redirect", "return", "manual", "error", "warning", "info", "unreadable")


def _fail_on(value: str | None) -> set[str]:
    chosen = {v.strip().lower() for v in (value or "").split(",") if v.strip()}
    unknown = sorted(chosen - set(FAIL_ON))
    if unknown:
        _fail(message("RC023", option="--fail-on", values=", ".join(unknown), choices=", ".join(FAIL_ON)))
    return chosen


def _matches(report, fail_on: set[str]) -> bool:
    if report.errors:
        return "unreadable" in fail_on
    return report.action in fail_on or any(f.severity in fail_on for f in report.findings)


def _use_colour(choice: "Colour", stream) -> bool:
    import os

    if choice is Colour.always:
        return True
    if choice is Colour.never or os.environ.get("NO_COLOR"):
        return False
    return stream is sys.stdout and sys.stdout.isatty()


@app.command()
def check(
    inputs: list[str] = typer.Argument(..., help="One or more .txt files, directories, .jsonl/.csv batches, FHIR .json, "
                                                 "KITH/MedCom .xml messages, or - for stdin.", metavar="INPUT..."),
    format: Format = typer.Option(Format.text, "--format", "-f", help="text for people; json/jsonl per the contract."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write here instead of stdout."),
    guideline: Optional[Guideline] = typer.Option(None, "--guideline", help="Override the guideline (no or dk)."),
    lang: TextLang = typer.Option(TextLang.auto, "--lang", help="Text format: the language of everything you read "
                                  "(auto: each referral's own; findings' messages are in the referral's language or English)."),
    english: bool = typer.Option(False, "--english", help="Text format: everything in English (= --lang en)."),
    show_text: bool = typer.Option(False, "--show-text", help="Text format: print each referral with its evidence highlighted."),
    schemas: Optional[Path] = typer.Option(None, "--schemas", help="A folder of XSDs: validate KITH / MedCom .xml "
                                           "messages against them (reading never needs them)."),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", help="Exit 1 when a report has one of these actions or "
                                          "finding severities (comma list, e.g. escalate,decline or warning; "
                                          "'unreadable' for records that could not be read)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No reports and no progress: only the exit code "
                                                          "(with --fail-on) and errors."),
    color: Colour = typer.Option(Colour.auto, "--color", help="Colour on a terminal (auto; NO_COLOR turns it off)."),
) -> None:
    """Check referrals and print one report per referral, in input order. Reads text,
    JSONL/CSV batches, FHIR JSON, and KITH Rekvisisjon / Henvisning and MedCom XREF .xml.

    Exit codes: 0 when it ran, 1 when --fail-on matched, 2 on a usage or input error."""
    from ..api import check_record
    from ..audit.run import Progress
    from ..inputs import iter_records
    from ..render import to_json_line, to_text
    from ..render.text import summary_line

    wanted = _fail_on(fail_on)
    try:
        stream = open(out, "w", encoding="utf-8") if out else sys.stdout
    except OSError as exc:
        _fail(message("RC306", path=out, problem=exc.strerror or type(exc).__name__))
    colour = format is Format.text and _use_colour(color, stream)
    text_lang = "en" if english else (None if lang is TextLang.auto else lang.value)
    progress = Progress(None, 0, enabled=not quiet and sys.stderr.isatty() and stream is not sys.stdout,
                        label="refcheck check")
    reports, counts, errors, matched, count, first_lang = [], {}, 0, False, 0, None
    try:
        for source in inputs:
            for record in iter_records(source, schemas):
                report = check_record(record, guideline.value if guideline else None)
                count += 1
                matched = matched or _matches(report, wanted)
                if report.errors:
                    errors += 1
                else:
                    counts[report.action] = counts.get(report.action, 0) + 1
                    first_lang = first_lang or report.language
                progress.update(1)
                if quiet:
                    continue
                if format is Format.jsonl:
                    stream.write(to_json_line(report) + "\n")
                elif format is Format.json:
                    reports.append(report.to_dict())
                else:
                    stream.write(to_text(report, record.text if show_text else None, colour, lang=text_lang) + "\n\n")
        progress.update(0, final=True)
        if not quiet and format is Format.json:
            json.dump(reports if len(reports) != 1 else reports[0], stream, ensure_ascii=False, indent=2)
            stream.write("\n")
        if not quiet and format is Format.text and count > 1:
            stream.write(summary_line(counts, errors, text_lang or first_lang) + "\n")
    except (InputError, DataError) as exc:
        _fail(str(exc))
    finally:
        if out:
            stream.close()
    if out and not quiet:
        typer.echo(f"refcheck: wrote {count} report(s) to {out}", err=True)
    if matched:
        raise typer.Exit(1)


class Lang(str, Enum):
    en = "en"
    nb = "nb"
    da = "da"


class Engine(str, Enum):
    local = "local"
    dask = "dask"


class PartitionBy(str, Enum):
    month = "month"


class By(str, Enum):
    referrer = "referrer"


@app.command()
def audit(
    input: str = typer.Argument(..., help="Anything `check` reads, plus FHIR ServiceRequest/Bundle .json/.ndjson."),
    out: Path = typer.Option(..., "--out", "-o", help="Directory for the audit's files."),
    lang: Lang = typer.Option(Lang.en, "--lang", help="Language of the HTML report's labels."),
    by: Optional[By] = typer.Option(None, "--by", help="'referrer': also one feedback page per referrer."),
    keep_ids: bool = typer.Option(False, "--keep-ids", help="Keep referral ids (default: keyed hashes)."),
    include_text: bool = typer.Option(False, "--include-text", help="Include referral text and evidence snippets."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Worker processes (one pipeline each)."),
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted audit in the same --out directory."),
    guideline: Optional[Guideline] = typer.Option(None, "--guideline", help="Override the guideline (no or dk)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress line."),
    schemas: Optional[Path] = typer.Option(None, "--schemas", help="A folder of XSDs to validate .xml messages against."),
    engine: Engine = typer.Option(Engine.local, "--engine", help="local (this machine's --jobs) or dask (a cluster)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="With --engine dask: the scheduler's address "
                                            "(tcp://HOST:8786); default: a local cluster of --dask-workers."),
    dask_workers: int = typer.Option(2, "--dask-workers", min=1, help="With --engine dask and no --scheduler: workers."),
    partition_by: Optional[PartitionBy] = typer.Option(None, "--partition-by", help="Also write the Parquet tables "
                                                       "as datasets partitioned by this column."),
) -> None:
    """Audit a batch: tables, summary.json and a self-contained report.html for quality staff.
    Reads everything `check` reads plus Parquet files and partitioned Parquet directories."""
    from ..audit import run_audit

    try:
        result = run_audit(input, out, lang=lang.value, by_referrer=by is By.referrer, keep_ids=keep_ids,
                           include_text=include_text, jobs=jobs, resume=resume,
                           guideline=guideline.value if guideline else None, progress=not quiet, schemas=schemas,
                           engine=engine.value, scheduler=scheduler, dask_workers=dask_workers,
                           partition_by=partition_by.value if partition_by else None)
    except (InputError, DataError) as exc:
        _fail(str(exc))
    if result.interrupted:
        typer.echo(f"refcheck: interrupted after {result.inputs} referral(s); nothing is lost — "
                   f"run again with --resume to continue", err=True)
        raise typer.Exit(130)
    s = result.summary
    typer.echo(f"refcheck: audited {s['inputs']} referral(s) ({s['errors']} unreadable) into {out}: "
               f"low-value {s['low_value']['count']}/{s['valid']}, incomplete {s['incomplete']['count']}/{s['valid']}, "
               f"urgent {s['urgent']['count']}", err=True)
    if result.key_at:
        typer.echo(f"refcheck: pseudonym key kept outside the outputs, at {result.key_at}", err=True)


@app.command()
def train(
    out: Optional[Path] = typer.Option(None, "--out", help="Write models here instead of the package's models/."),
    subset: Optional[int] = typer.Option(None, "--subset", min=20, help="Train on the first N sentences only (CI)."),
) -> None:
    """Rebuild every learned model from the data in the repository (deterministic; writes model cards)."""
    from ..learned.train import train_sentence_roles

    try:
        meta = train_sentence_roles(out, subset)
    except (DataError, FileNotFoundError) as exc:
        _fail(message("RC810", problem=exc))
    typer.echo(f"sentence_roles: {meta['sentences']} sentences; thresholds "
               + ", ".join(f"{r} {t:.2f}" for r, t in meta["thresholds"].items()))
    for role, m in meta["evaluation_metrics"].items():
        typer.echo(f"  {role:20s} P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}  (n {m['support']})")
    from ..learned import red_flags

    if not red_flags.training_files():
        return
    try:
        meta = red_flags.train(out, subset)
    except (DataError, FileNotFoundError, ValueError) as exc:
        _fail(message("RC810", problem=exc))
    typer.echo(f"red_flag_sentences: {meta['sentences']} sentences (evaluation split {meta['evaluation_split']})")
    for code, m in meta["evaluation_metrics"].items():
        typer.echo(f"  {code:26s} P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}  "
                   f"(n {m['support']}, threshold {meta['thresholds'][code]:.2f})")


token_app = typer.Typer(help="Bearer tokens for `refcheck serve`.", no_args_is_help=True)
app.add_typer(token_app, name="token")


class Role(str, Enum):
    screener = "screener"
    submitter = "submitter"
    auditor = "auditor"


DEFAULT_DB = "refcheck.sqlite3"


@token_app.command("create")
def token_create(
    role: Role = typer.Option(..., "--role", help="screener, submitter or auditor."),
    name: str = typer.Option("", "--name", help="Who or what uses the token (shown in the audit trail)."),
    db_url: str = typer.Option(DEFAULT_DB, "--db", help="SQLite file or database URL (postgresql://…)."),
    expires: str = typer.Option("", "--expires", help="Valid for this many days, e.g. 90d (default: until revoked)."),
) -> None:
    """Create a token (printed once; only its hash is stored)."""
    from ..service import db

    days = None
    if expires:
        m = re.fullmatch(r"(\d{1,5})d", expires.strip())
        if not m or int(m.group(1)) < 1:
            _fail("--expires takes a number of days, e.g. 90d")
        days = int(m.group(1))
    engine = _connect(db_url)
    typer.echo(db.create_token(engine, role.value, name or role.value, days))


@token_app.command("list")
def token_list(db_url: str = typer.Option(DEFAULT_DB, "--db", help="SQLite file or database URL (postgresql://…).")
               ) -> None:
    """The tokens: id, name, role, created, expires, revoked, last used (never the token itself)."""
    from ..service import db

    for t in db.list_tokens(_connect(db_url)):
        typer.echo("\t".join(str(t[k] or "-") for k in ("id", "name", "role", "created_at", "expires_at", "revoked_at",
                                                        "last_used_at")))


@token_app.command("revoke")
def token_revoke(token_id: int = typer.Argument(..., help="The token's id (see `refcheck token list`)."),
                 db_url: str = typer.Option(DEFAULT_DB, "--db", help="SQLite file or database URL (postgresql://…).")
                 ) -> None:
    """Revoke a token: it stops working at once."""
    from ..service import db

    if not db.revoke_token(_connect(db_url), token_id):
        _fail(f"no active token with id {token_id}")
    typer.echo(f"revoked token {token_id}")


def _listening_socket(host: str, port: int):
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        _fail(message("RC308", host=host, port=port, problem=exc.strerror or type(exc).__name__))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (loopback by default)."),
    port: int = typer.Option(8000, "--port"),
    db_url: str = typer.Option(DEFAULT_DB, "--db", help="SQLite file or database URL (postgresql://…)."),
    workers: int = typer.Option(1, "--workers", min=1, help="Worker processes (each loads the pipeline once)."),
) -> None:
    """Run the screening desk: the HTTP API and the worklist page."""
    import os

    import uvicorn

    os.environ["REFCHECK_DB"] = db_url
    _connect(db_url)  # migrate once before workers start
    if workers == 1:
        uvicorn.run("refcheck.service.asgi:app", host=host, port=port, log_level="info", access_log=False)
        return
    # Several workers share one listening socket that uvicorn would bind without
    # TCP_NODELAY (uvicorn#3149): keep-alive responses then wait ~40 ms for a delayed ACK.
    # Bind it here with TCP_NODELAY, which the accepted connections inherit.
    sock = _listening_socket(host, port)
    uvicorn.run("refcheck.service.asgi:app", fd=sock.fileno(), workers=workers, log_level="info", access_log=False)


@app.command()
def evaluate(
    gold: Optional[list[Path]] = typer.Argument(
        None, help="Gold JSONL file(s) in the contract's examples format; each is scored as its own set. "
                   "Without files: the samples, eval/heldout.jsonl, eval/fresh_writers.jsonl, "
                   "eval/fresh_writers_c.jsonl, eval/fresh_writers_e.jsonl and "
                   "../shared/eval/cross_writer.jsonl, "
                   "whichever exist."),
    show_errors: int = typer.Option(0, "--show-errors", help="Show up to N errors per field."),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Also write the metrics as JSON here."),
) -> None:
    """Per-set accuracy, red-flag P/R/F1, false declines and the safety net's manual rate.

    Each file is a set of its own (our samples, our held-out set by another author, the
    outside writers' set are never pooled); the last lines compare them.
    """
    from ..evaluate import evaluate as run, format_evaluation, load_gold, summary_line

    sets = {p.name: [p] for p in gold} if gold else _default_gold_sets()
    if not sets:
        _fail(message("RC304", path="sample_referrals/gold_*.jsonl"))
    missing = [str(p) for paths in sets.values() for p in paths if not p.exists()]
    if missing:
        _fail(message("RC304", path=", ".join(missing)))
    results = {}
    for name, paths in sets.items():
        try:
            results[name] = run(load_gold(paths))
        except (json.JSONDecodeError, KeyError) as exc:
            _fail(message("RC021", problem=exc))
        typer.echo(f"== {name}")
        typer.echo(format_evaluation(results[name], show_errors))
    typer.echo("== summary")
    for name, ev in results.items():
        typer.echo(summary_line(name, ev))
    if json_out:
        json_out.write_text(json.dumps({name: ev.to_dict() for name, ev in results.items()}, indent=2))


def _default_gold_sets() -> dict[str, list[Path]]:
    """The three sets the closing notes keep apart, where they exist (run from the repository)."""
    out: dict[str, list[Path]] = {}
    samples = sorted(Path("sample_referrals").glob("gold_*.jsonl"))
    if samples:
        out["samples (ours)"] = samples
    for name, path in (("heldout (ours, other author)", Path("eval/heldout.jsonl")),
                       ("fresh_writers (ours, other author)", Path("eval/fresh_writers.jsonl")),
                       ("fresh_writers_c (ours, other author)", Path("eval/fresh_writers_c.jsonl")),
                       ("fresh_writers_e (ours, other author)", Path("eval/fresh_writers_e.jsonl")),
                       ("cross_writer (outside)", Path("../shared/eval/cross_writer.jsonl"))):
        if path.exists():
            out[name] = [path]
    return out


