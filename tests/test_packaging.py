"""The wheel carries its data: lexicons, rules and models are found when installed."""
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_data_and_runs_outside_the_repository(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                    str(tmp_path / "dist"), str(ROOT)], check=True, capture_output=True)
    wheel = next((tmp_path / "dist").glob("refcheck-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for lang in ("nb", "nn", "da"):
        for name in ("red_flags.jsonl", "context_rules.json", "section_rules.json", "language.json"):
            assert f"refcheck/lexicons/{lang}/{name}" in names
    assert "refcheck/rules/catalogue.yaml" in names
    # refcheck train's data ships too (issue 14: it failed with RC810 outside the source tree)
    assert "refcheck/models/training/sentence_roles.jsonl" in names
    assert {f"refcheck/sample_referrals/gold_{x}.jsonl" for x in ("nb", "nn", "da")} <= set(names)
    assert "refcheck/rules/recommendations.yaml" in names
    # every package of the source tree is in the wheel (the CLI package was once left out)
    packages = {str(p.parent.relative_to(ROOT)) for p in (ROOT / "refcheck").rglob("__init__.py")}
    assert {f"{pkg}/__init__.py" for pkg in packages} <= set(names), sorted(
        f"{pkg}/__init__.py" for pkg in packages if f"{pkg}/__init__.py" not in names)
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = ("import refcheck, refcheck.paths as p; "
            "r = refcheck.check('MR LS-columna. Mann 38 år, korsryggsmerter i 10 dager. Ingen feber.'); "
            "print(p.lexicon_dir()); print(r.appropriateness); import refcheck.cli")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}).stdout.split()
    assert out[0] == str(site / "refcheck" / "lexicons")
    assert out[1] == "low_value"
    code = ("import refcheck.paths as p; from refcheck.learned.train import load_data; "
            "print(p.samples_dir()); print(len(load_data(40)))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}).stdout.split()
    assert out == [str(site / "refcheck" / "sample_referrals"), "40"]
