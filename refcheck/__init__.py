"""refcheck: check imaging referrals against clinical guidelines (refcheck.report/1).

>>> import refcheck
>>> report = refcheck.check("MR LS-columna. Mann 38 år, korsryggsmerter i 10 dager.")
>>> report.appropriateness
'low_value'

The names below are imported on first use, so that ``import refcheck`` (and
``refcheck --version``) does not load spaCy.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["check", "check_record", "Report", "__version__"]
__version__ = "0.1.0"

_LAZY = {"check": "api", "check_record": "api", "Report": "contract"}

if TYPE_CHECKING:  # pragma: no cover
    from .api import check, check_record
    from .contract import Report


def __getattr__(name: str):
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
