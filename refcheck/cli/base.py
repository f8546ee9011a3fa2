"""The ``refcheck`` app and what its commands share: formats, one-line failures, the database."""
from __future__ import annotations

import re
from enum import Enum

import typer

from .. import __version__
from ..errors import message

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Check imaging referrals against the Norwegian and Danish guidelines (refcheck.report/1).")


class Format(str, Enum):
    text = "text"
    json = "json"
    jsonl = "jsonl"


class Guideline(str, Enum):
    no = "no"
    dk = "dk"


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"refcheck: {message}", err=True)
    raise typer.Exit(code)


def _connect(url: str):
    """The desk's database, migrated; a one-line error (RC307) when it cannot be opened."""
    from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

    from ..service import db

    try:
        return db.connect(url)
    except (OperationalError, DBAPIError, ArgumentError, OSError) as exc:
        _fail(message("RC307", url=_redacted(url), problem=type(getattr(exc, "orig", exc) or exc).__name__))


def _redacted(url: str) -> str:
    """The URL without its password."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"refcheck {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: bool = typer.Option(False, "--version", "-V", callback=_version, is_eager=True,
                                      help="Print the version and exit.")) -> None:
    """refcheck: a linter for imaging referrals."""


