"""Every report on the samples and the held-out set is byte-identical to the golden file.

The golden file was written before the re-layout (issue 9) by tests/golden/make_golden.py;
regenerate it only when a change of reports is intended and reviewed.
"""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"


def _maker():
    spec = importlib.util.spec_from_file_location("make_golden", GOLDEN_DIR / "make_golden.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _first_difference(old: dict, new: dict, prefix: str = "") -> str:
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key, "<missing>"), new.get(key, "<missing>")
        if a != b:
            if isinstance(a, dict) and isinstance(b, dict):
                return _first_difference(a, b, f"{prefix}{key}.")
            return f"{prefix}{key}: golden {json.dumps(a, ensure_ascii=False)[:300]} != now {json.dumps(b, ensure_ascii=False)[:300]}"
    return "(same values, different bytes)"


def test_reports_are_byte_identical_to_golden():
    maker = _maker()
    golden = maker.GOLDEN.read_text(encoding="utf-8").splitlines()
    now = maker.lines()
    assert len(now) == len(golden), f"{len(now)} reports now, {len(golden)} in the golden file"
    for n, (old, new) in enumerate(zip(golden, now), start=1):
        if old != new:
            o, w = json.loads(old), json.loads(new)
            raise AssertionError(f"line {n}, id {o.get('id')!r} ({o.get('source')}): {_first_difference(o, w)}")
