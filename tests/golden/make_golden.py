"""Write tests/golden/reports.jsonl: every report of the samples and the held-out set.

Every file ``refcheck check sample_referrals/`` reads, then ``eval/heldout.jsonl``, each
record through ``check_record``; one JSON report per line (sorted keys). The golden test
(tests/test_golden.py) regenerates these lines in memory and compares them byte for byte.

    python tests/golden/make_golden.py      # only when a change of reports is intended
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "reports.jsonl"
SOURCES = ("sample_referrals", "eval/heldout.jsonl")


def lines() -> list[str]:
    import refcheck
    from refcheck.inputs import iter_records

    out = []
    for source in SOURCES:
        for record in iter_records(str(ROOT / source)):
            report = refcheck.check_record(record)
            out.append(json.dumps({"source": source, **report.to_dict()}, ensure_ascii=False, sort_keys=True))
    return out


def main() -> int:
    text = "\n".join(lines()) + "\n"
    GOLDEN.write_text(text, encoding="utf-8")
    print(f"wrote {text.count(chr(10))} reports to {GOLDEN}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
