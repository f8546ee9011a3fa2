"""refcheck audit: every input accounted for, figures that add up, privacy, resume, the HTML page."""
import csv
import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from refcheck.audit import run_audit
from refcheck.inputs import iter_records

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_referrals"


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    out = tmp_path_factory.mktemp("audit")
    result = run_audit(str(SAMPLES), out, by_referrer=True, progress=False, lang="nb")
    return out, result


def test_all_files_and_one_row_per_input(audited):
    out, result = audited
    for name in ("referrals.parquet", "referrals.csv", "findings.csv", "summary.json", "report.html"):
        assert (out / name).stat().st_size > 0, name
    n_inputs = sum(1 for _ in iter_records(SAMPLES))
    df = pd.read_csv(out / "referrals.csv", keep_default_na=False)
    assert len(df) == n_inputs == result.inputs
    assert sorted(df["seq"]) == list(range(n_inputs))
    assert len(pd.read_parquet(out / "referrals.parquet")) == n_inputs
    assert len(list((out / "referrers").glob("*.html"))) == df["referrer"].nunique()


def test_summary_recomputed_from_csv_agrees(audited):
    out, _ = audited
    s = json.loads((out / "summary.json").read_text())
    df = pd.read_csv(out / "referrals.csv", keep_default_na=False)
    ok = df[df["error"] == ""]
    assert s["inputs"] == len(df) and s["valid"] == len(ok)
    assert s["low_value"]["count"] == (ok["appropriateness"] == "low_value").sum()
    assert s["incomplete"]["count"] == (ok["grade"] != "A").sum()
    assert s["urgent"]["count"] == (ok["appropriateness"] == "urgent").sum()
    assert s["grade"] == ok["grade"].value_counts().to_dict()
    assert s["modality_mismatch"]["count"] == ok["modality_mismatch"].sum()
    missing = ok["missing"].str.split(";").explode()
    assert s["missing_components"] == missing[missing != ""].value_counts().to_dict()
    findings = pd.read_csv(out / "findings.csv", keep_default_na=False)
    assert s["rules"] == findings["rule"].value_counts().to_dict()
    per_ref = {r["referrer"]: r for r in s["referrers"]}
    for ref, group in ok.groupby("referrer"):
        assert per_ref[ref]["volume"] == len(group)
        assert per_ref[ref]["low_value"] == (group["appropriateness"] == "low_value").sum()
    assert sum(v["count"] for v in s["by_month"].values()) == (ok["month"] != "").sum()


def test_no_text_or_ids_by_default(audited):
    out, _ = audited
    first = json.loads((SAMPLES / "gold_nb.jsonl").read_text(encoding="utf-8").splitlines()[0])
    phrase = first["text"].split("\n")[1][:30]
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in (".csv", ".json", ".html"):
            content = path.read_text(encoding="utf-8")
            assert phrase not in content, path
            assert "nb-001" not in content, path


def test_keep_ids_and_include_text(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "r-17", "text": "MR kne hø. Låsninger siste 8 uker etter vridning. McMurray pos. Menisk?",
                               "referrer": "Legesenteret", "date": "2026-09-02"}, ensure_ascii=False) + "\n", encoding="utf-8")
    run_audit(str(src), tmp_path / "a", keep_ids=True, include_text=True, progress=False)
    row = next(csv.DictReader(open(tmp_path / "a" / "referrals.csv", encoding="utf-8")))
    assert row["id"] == "r-17" and "Låsninger" in row["text"]
    findings = list(csv.DictReader(open(tmp_path / "a" / "findings.csv", encoding="utf-8")))
    assert any("Menisk" in f["evidence"] or "McMurray" in f["evidence"] or "Låsninger" in f["evidence"] for f in findings)


def test_broken_rows_are_all_accounted_for(tmp_path):
    src = tmp_path / "broken.jsonl"
    good = {"id": "ok-1", "text": "Rtg kne ve. Kvinne 68 år, økende belastningssmerter i 2 år. Krepitasjon. Artrose? Vurdering av protese."}
    fhir_bad = {"resourceType": "ServiceRequest", "id": "fhir-1", "subject": {"reference": "Patient/x"}}
    lines = [json.dumps(good, ensure_ascii=False).encode(), b"{not json at all",
             json.dumps({"id": "empty", "text": ""}).encode(), b'{"id": "bytes", "text": "\xff\xfe\xfa"}',
             json.dumps({"id": "huge", "text": "smerter " * 140_000}).encode(), json.dumps(fhir_bad).encode()]
    src.write_bytes(b"\n".join(lines) + b"\n")
    result = run_audit(str(src), tmp_path / "out", keep_ids=True, progress=False)
    df = pd.read_csv(tmp_path / "out" / "referrals.csv", keep_default_na=False)
    assert len(df) == 6 == result.inputs
    assert dict(zip(df["id"], df["error"])) == {
        "ok-1": "", "broken.jsonl:2": "bad_record", "empty": "empty_text", "broken.jsonl:4": "decode_error",
        "huge": "too_long", "fhir-1": "bad_record"}
    assert result.summary["errors"] == 5 and result.summary["valid"] == 1


def test_resume_after_interruption_equals_a_full_run(tmp_path, monkeypatch):
    monkeypatch.setenv("REFCHECK_AUDIT_KEY", "test-key")
    full = run_audit(str(SAMPLES / "gold_nn.jsonl"), tmp_path / "full", progress=False)
    part = run_audit(str(SAMPLES / "gold_nn.jsonl"), tmp_path / "resumed", progress=False, stop_after=7)
    assert part.interrupted and part.inputs == 7
    # a crash mid-write leaves a partial line: resume must cut it off
    with open(tmp_path / "resumed" / "referrals.csv", "a", encoding="utf-8") as fh:
        fh.write("7,partial-row")
    rest = run_audit(str(SAMPLES / "gold_nn.jsonl"), tmp_path / "resumed", progress=False, resume=True)
    assert rest.inputs == full.inputs
    for name in ("referrals.csv", "findings.csv", "summary.json"):
        assert (tmp_path / "resumed" / name).read_text() == (tmp_path / "full" / name).read_text(), name


def test_two_jobs_give_the_same_tables(tmp_path, monkeypatch):
    monkeypatch.setenv("REFCHECK_AUDIT_KEY", "test-key")
    run_audit(str(SAMPLES / "gold_da.jsonl"), tmp_path / "one", progress=False)
    run_audit(str(SAMPLES / "gold_da.jsonl"), tmp_path / "two", progress=False, jobs=2)
    assert (tmp_path / "one" / "referrals.csv").read_text() == (tmp_path / "two" / "referrals.csv").read_text()


def test_report_renders_in_headless_chromium(audited, chrome):
    out, _ = audited
    from selenium.webdriver.common.by import By

    driver = chrome
    driver.get((out / "report.html").as_uri())
    assert "Revisjon" in driver.title
    assert len(driver.find_elements(By.CSS_SELECTOR, "svg.chart")) >= 6
    assert len(driver.find_elements(By.TAG_NAME, "table")) >= 4
    assert driver.find_elements(By.CSS_SELECTOR, ".card .big")
    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == []
    shot = out / "report.png"
    driver.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000


def _batch(path: Path, n_big: int = 30) -> Path:
    """A batch with one busy referrer (enough referrals to compare) and one with three."""
    rows = []
    texts = ["MR LS-columna. Mann 41 år, korsryggsmerter i 2 uker etter løft, ingen utstråling. Spm: prolaps?",
             "MR kne hø. Kvinne 63 år, kjent artrose, økende smerter. Spm: progresjon?",
             "Rtg skulder ve. Kvinne 50 år, smerter ved abduksjon i 3 mnd, smertefull bue. Spm: impingement?"]
    for i in range(n_big):
        rows.append({"id": f"big-{i}", "text": texts[i % 3], "referrer": "Storbyen legesenter", "date": "2026-10-05"})
    for i in range(3):
        rows.append({"id": f"small-{i}", "text": texts[i], "referrer": "Dr. Ås", "date": "2026-11-12"})
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("lang", ["nb", "da"])
def test_report_and_referrer_pages_say_what_they_measure_in_the_language(tmp_path, lang, chrome):
    """Issue 14: made when, by which version, from how many inputs; every chart captioned;
    every referrer page linked; feedback a GP can act on (advice per finding, the
    referrer's shares beside the department's, "too few" below the minimum n); Nordic numbers."""
    from refcheck import __version__

    out = tmp_path / "out"
    run_audit(str(_batch(tmp_path / "batch.jsonl")), out, by_referrer=True, progress=False, lang=lang)
    report = (out / "report.html").read_text(encoding="utf-8")
    made = {"nb": "Laget", "da": "Lavet"}[lang]
    assert f"{made} " in report and f"refcheck {__version__}" in report and " 33 " in report
    assert report.count("class='note'") >= 10  # a caption under every chart
    assert ("GODTA som røntgen (MR ønsket)" if lang == "nb" else "ACCEPTÉR som røntgen (MR ønsket)") in report
    assert ("Lavverdi-henvisninger per måned" if lang == "nb" else "Lavværdi-henvisninger per måned") in report
    pages = json.loads((out / "summary.json").read_text(encoding="utf-8"))["referrer_pages"]
    assert all(f"href='{page}'" in report for page in pages.values()) and len(pages) == 2
    assert "," in report.split("class='big'>")[1].split("%")[0]  # a decimal comma
    big = (out / pages["Storbyen legesenter"]).read_text(encoding="utf-8")
    dept = {"nb": "avdelingen: ", "da": "afdelingen: "}[lang]
    assert dept in big and ("Hva du kan skrive neste gang" if lang == "nb" else "Hvad du kan skrive næste gang") in big
    assert "NO-LBP-001" in big and "røde flagg" in big.lower() or "røde flag" in big.lower()
    small = (out / pages["Dr. Ås"]).read_text(encoding="utf-8")
    assert ("for få henvisninger til å sammenligne" if lang == "nb" else "for få henvisninger til at sammenligne") in small
    from selenium.webdriver.common.by import By

    shots = Path(os.environ.get("REFCHECK_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    chrome.get((out / "report.html").as_uri())
    assert chrome.find_elements(By.CSS_SELECTOR, "svg.chart")
    chrome.save_screenshot(str(shots / f"audit-report-{lang}.png"))
    chrome.get((out / pages["Storbyen legesenter"]).as_uri())
    chrome.save_screenshot(str(shots / f"audit-referrer-{lang}.png"))
    assert [e for e in chrome.get_log("browser") if e["level"] == "SEVERE"] == []


def test_a_rerun_replaces_the_old_outputs_and_never_mixes_them(tmp_path):
    out = tmp_path / "out"
    run_audit(str(_batch(tmp_path / "batch.jsonl")), out, by_referrer=True, progress=False)
    assert len(list((out / "referrers").glob("*.html"))) == 2
    only_big = tmp_path / "only_big.jsonl"
    only_big.write_text("".join(line + "\n" for line in (tmp_path / "batch.jsonl").read_text(encoding="utf-8").splitlines()
                                if "big-" in line), encoding="utf-8")
    run_audit(str(only_big), out, by_referrer=True, progress=False)
    assert len(list((out / "referrers").glob("*.html"))) == 1  # Dr. Ås's old page is gone
    run_audit(str(only_big), out, progress=False)
    assert not (out / "referrers").exists()
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["inputs"] == 30
