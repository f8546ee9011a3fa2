"""Where refcheck's data lives. The only module that knows.

Lexicons, models (with their training data) and the sample referrals are shipped inside
the installed package as ``refcheck.lexicons``, ``refcheck.models`` and
``refcheck.sample_referrals`` (mapped from the repository's top-level folders by
``pyproject.toml``), so ``refcheck train`` works after ``pip install .``. Environment variables override both, e.g. for a site's own
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


@cache
def samples_dir() -> Path:
    """The bundled sample referrals (``gold_*.jsonl``): the quick start's input and, with
    ``models/training/``, the data ``refcheck train`` learns from."""
    return _locate("sample_referrals", "REFCHECK_SAMPLES")


def rules_file() -> Path:
    """The guideline rule catalogue (shipped inside the package)."""
    return Path(__file__).resolve().parent / "rules" / "catalogue.yaml"
