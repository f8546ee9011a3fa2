"""The audit at scale (issue 15): Parquet in and out, the Dask engine giving the same tables
as one local process, the library entry point for a Dask DataFrame."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from refcheck.audit import run_audit

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "sample_referrals").glob("gold_*.jsonl"))


def _batch(tmp_path: Path, n: int = 240) -> tuple[Path, pd.DataFrame]:
    """A few hundred referrals: the samples repeated with distinct ids, referrers and months."""
    cases = [json.loads(line) for path in SAMPLES for line in path.read_text(encoding="utf-8").splitlines()]
    rows = []
    for i in range(n):
        case = cases[i % len(cases)]
        rows.append({"id": f"s-{i}", "text": case["text"], "referrer": f"Legekontor {i % 7}",
                     "date": f"2026-{1 + i % 12:02d}-15", "age": (case["gold"].get("age"))})
    frame = pd.DataFrame(rows)
    path = tmp_path / "batch.jsonl"
    path.write_text("".join(json.dumps({k: v for k, v in r.items() if v is not None}, ensure_ascii=False) + "\n"
                            for r in rows), encoding="utf-8")
    return path, frame


def _tables(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    refs = pd.read_csv(out / "referrals.csv", dtype=str, keep_default_na=False).sort_values("seq", key=lambda s: s.astype(int))
    finds = pd.read_csv(out / "findings.csv", dtype=str, keep_default_na=False)
    finds = finds.sort_values(["seq", "rule", "evidence"], key=lambda s: s.astype(int) if s.name == "seq" else s)
    return refs.reset_index(drop=True), finds.reset_index(drop=True)


def test_parquet_input_file_and_partitioned_directory_equal_jsonl(tmp_path, monkeypatch):
    monkeypatch.setenv("REFCHECK_AUDIT_KEY", "a shared test key")
    jsonl, frame = _batch(tmp_path, 60)
    frame.to_parquet(tmp_path / "batch.parquet", index=False)
    frame.assign(month=frame["date"].str[:7]).to_parquet(tmp_path / "dataset", partition_cols=["month"], index=False)
    outs = {}
    for name, source in (("jsonl", jsonl), ("file", tmp_path / "batch.parquet"), ("dir", tmp_path / "dataset")):
        outs[name] = tmp_path / f"out-{name}"
        run_audit(str(source), outs[name], progress=False)
    ref_j, _ = _tables(outs["jsonl"])
    ref_f, _ = _tables(outs["file"])
    assert ref_f.drop(columns=["seq"]).equals(ref_j.drop(columns=["seq"]))
    ref_d, _ = _tables(outs["dir"])  # a dataset is read partition by partition: same rows, another order
    key = ["id", "appropriateness", "action", "rules"]
    assert sorted(map(tuple, ref_d[key].values.tolist())) == sorted(map(tuple, ref_j[key].values.tolist()))


def test_partition_by_month_writes_parquet_datasets(tmp_path, monkeypatch):
    monkeypatch.setenv("REFCHECK_AUDIT_KEY", "a shared test key")
    jsonl, _ = _batch(tmp_path, 36)
    out = tmp_path / "out"
    run_audit(str(jsonl), out, progress=False, partition_by="month")
    months = sorted(p.name for p in (out / "referrals.parquet").iterdir())
    assert months[0] == "month=2026-01" and len(months) == 12
    back = pd.read_parquet(out / "referrals.parquet")
    assert len(back) == 36 and set(back["month"].astype(str)) == {f"2026-{m:02d}" for m in range(1, 13)}
    findings = pd.read_parquet(out / "findings.parquet")
    assert len(findings) == len(pd.read_csv(out / "findings.csv"))


def test_the_dask_engine_gives_the_same_tables_as_one_process(tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    jsonl, _ = _batch(tmp_path, 240)
    local, cluster = tmp_path / "local", tmp_path / "dask"
    monkeypatch.setenv("REFCHECK_AUDIT_KEY", "a shared test key")  # the same pseudonyms on both runs
    run_audit(str(jsonl), local, progress=False, jobs=1)
    run_audit(str(jsonl), cluster, progress=False, engine="dask", dask_workers=2)
    for a, b in zip(_tables(local), _tables(cluster)):
        pd.testing.assert_frame_equal(a, b)
    for name in ("summary.json",):
        s_local = json.loads((local / name).read_text(encoding="utf-8"))
        s_dask = json.loads((cluster / name).read_text(encoding="utf-8"))
        assert {k: v for k, v in s_local.items() if k != "made"} == {k: v for k, v in s_dask.items() if k != "made"}


def test_check_partitions_for_an_analysts_dask_dataframe(monkeypatch):
    dd = pytest.importorskip("dask.dataframe")
    monkeypatch.setenv("REFCHECK_AUDIT_KEY", "k")
    from refcheck.audit.dask import check_partitions

    frame = pd.DataFrame({"seq": [0, 1, 2], "id": ["a", "b", "c"],
                          "text": ["MR LS. Mann 40 år, korsryggsmerter i 5 dager. Spm: prolaps?",
                                   "Ø-hjelp MR lumbal. Mann 50 år, nummen i setet og får ikke tisset siden i går.",
                                   "MR kne hø. Kvinne 30 år, låser seg etter vridning for 6 uker siden. Spm: menisk?"]})
    checked = check_partitions(dd.from_pandas(frame, npartitions=2)).compute(scheduler="synchronous")
    assert checked["action"].tolist() == ["decline", "escalate", "accept"]
    assert "a" not in checked["id"].tolist() and all(json.loads(f) for f in checked["findings"])


def test_complete_rows_cuts_a_partial_last_line_without_reading_the_whole_file(tmp_path):
    from refcheck.audit.run import _complete_rows

    path = tmp_path / "referrals.csv"
    body = "seq,id\n" + "".join(f"{i},r{i}\n" for i in range(20_000))
    path.write_text(body + "20000,r2", encoding="utf-8")  # a crash mid-row
    assert _complete_rows(path) == 20_000
    assert path.read_text(encoding="utf-8") == body
    path.write_text("seq,id", encoding="utf-8")  # not even the header is complete
    assert _complete_rows(path) == 0
    assert path.read_bytes() == b""
