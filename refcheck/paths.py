"""Where refcheck's data lives. The only module that knows.

Lexicons and models are shipped inside the installed package as ``refcheck.lexicons`` and
``refcheck.models`` (mapped from the repository's top-level ``lexicons/`` and ``models/``
by ``pyproject.toml``). Environment variables override both, e.g. for a site's own
lexicon: ``REFCHECK_LEXICONS=/etc/refcheck/lexicons``.
"""
from __future__ import annotations

import os
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_REPO = _PACKAGE.parent


def _locate(kind: str, env: str) -> Path:
    """The override, else the installed copy inside the package, else the source tree's."""
    override = os.environ.get(env)
    if override:
        return Path(override)
    installed = _PACKAGE / kind  # a wheel installs lexicons/ and models/ as refcheck/<kind>
    if installed.is_dir():
        return installed
    return _REPO / kind  # a source checkout or an editable install


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
