"""Where refcheck's data lives. The only module that knows.

Lexicons and models are shipped inside the installed package as ``refcheck.lexicons`` and
``refcheck.models`` (mapped from the repository's top-level ``lexicons/`` and ``models/``
by ``pyproject.toml``). Environment variables override both, e.g. for a site's own
lexicon: ``REFCHECK_LEXICONS=/etc/refcheck/lexicons``.
"""
from __future__ import annotations

import os
from functools import cache
from importlib import resources
from pathlib import Path

_REPO = Path(__file__).resolve().parent.parent


def _locate(kind: str, env: str) -> Path:
    override = os.environ.get(env)
    if override:
        return Path(override)
    try:
        found = Path(str(resources.files(f"refcheck.{kind}")))
        if found.is_dir():
            return found
    except (ModuleNotFoundError, TypeError):
        pass
    return _REPO / kind


@cache
def lexicon_dir() -> Path:
    """Directory holding ``<lang>/*.jsonl`` lexicons and per-language rule files."""
    return _locate("lexicons", "REFCHECK_LEXICONS")


@cache
def model_dir() -> Path:
    """Directory holding trained models, one sub-directory each."""
    return _locate("models", "REFCHECK_MODELS")


def rules_file() -> Path:
    """The guideline rule catalogue (shipped inside the package)."""
    return Path(__file__).resolve().parent / "rules" / "catalogue.yaml"
