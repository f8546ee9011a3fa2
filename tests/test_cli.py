"""The command line as its users expect it (issue 14): exit codes, quiet and colour, several
inputs, the decision said plainly in the reader's language, rule selection and
suggestions, and one-line errors with their codes."""
from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import refcheck
from refcheck.cli import app
from refcheck.render import words

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_referrals"
runner = CliRunner()

KNEE = "MR kne venstre. Kvinne 61 år, kjent artrose i venstre kne, økende smerter siste halvår. Spm: progresjon?"
KNEE_DA = "MR af venstre knæ. 63-årig mand med kendt knæartrose, tiltagende smerter gennem et halvt år. Spørgsmål: progression?"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_decision_is_said_plainly_in_the_readers_language(tmp_path):
    nb = _write(tmp_path, "kne.txt", KNEE)
    out = runner.invoke(app, ["check", str(nb)]).output
    assert "GODTA som røntgen (MR ønsket)" in out and "undersøkelse MR kne venstre" in out
    out = runner.invoke(app, ["check", str(nb), "--lang", "en"]).output
    assert "ACCEPT as X-ray (MR requested)" in out and "exam MR knee left" in out
    da = _write(tmp_path, "knae.txt", KNEE_DA)
    out = runner.invoke(app, ["check", str(da)]).output
    assert "ACCEPTÉR som røntgen (MR ønsket)" in out and "undersøgelse MR knæ venstre" in out
    # red flags and missing parts by name, never by code
    flagged = _write(tmp_path, "rygg.txt", "MR LS. Kvinne 70 år, tidligere brystkreft, nye ryggsmerter i 2 uker.")
    out = runner.invoke(app, ["check", str(flagged)]).output
    assert "røde flagg: kreft" in out and "malignancy" not in out and "mangler: kliniske funn" in out


def test_nordic_numbers():
    assert words.number(5540, "da") == "5\u2009540" and words.number(0.25, "nb", 2) == "0,25"
    assert words.share(5540, 30000, "da") == "5\u2009540 af 30\u2009000"
    assert words.number(5540, "en") == "5,540"


def test_exit_codes_fail_on_quiet_and_several_inputs(tmp_path):
    nb, nn = SAMPLES / "gold_nb.jsonl", SAMPLES / "gold_nn.jsonl"
    res = runner.invoke(app, ["check", str(nb), str(nn), "-q", "--fail-on", "escalate,decline"])
    assert res.exit_code == 1 and res.output == ""  # quiet: the exit code says it
    calm = _write(tmp_path, "kne.txt", KNEE)
    assert runner.invoke(app, ["check", str(calm), "--fail-on", "escalate"]).exit_code == 0
    assert runner.invoke(app, ["check", str(calm), "--fail-on", "info"]).exit_code == 1  # a severity
    bad = runner.invoke(app, ["check", str(calm), "--fail-on", "urgent"])
    assert bad.exit_code == 2 and "RC023" in bad.output and "escalate, accept" in bad.output
    assert runner.invoke(app, ["check"]).exit_code == 2
    both = runner.invoke(app, ["check", str(nb), str(nn), "-f", "jsonl"])
    n = sum(1 for _ in open(nb, encoding="utf-8")) + sum(1 for _ in open(nn, encoding="utf-8"))
    assert both.exit_code == 0 and len(both.output.strip().splitlines()) == n
    text = runner.invoke(app, ["check", str(nn)]).output.strip().splitlines()[-1]
    assert text.startswith("25 tilvisingar: ") and "GODTA" in text  # the summary line, in nynorsk


def test_version_and_colour(tmp_path):
    assert runner.invoke(app, ["-V"]).output.strip() == f"refcheck {refcheck.__version__}"
    path = _write(tmp_path, "kne.txt", KNEE)
    assert "\033[" in runner.invoke(app, ["check", str(path), "--color", "always"]).output
    assert "\033[" not in runner.invoke(app, ["check", str(path), "--color", "never"]).output
    assert "\033[" not in runner.invoke(app, ["check", str(path)], env={"NO_COLOR": "1"}).output


def test_rules_select_lists_sorted_with_a_header_and_rule_suggests_codes():
    out = runner.invoke(app, ["rules", "--select", "urg,NO-LBP"]).output.splitlines()
    assert out[0].startswith("CODE") and "CITATION" in out[0]
    codes = [line.split()[0] for line in out[1:]]
    assert codes and all(c.startswith(("URG", "NO-LBP")) for c in codes)
    assert codes == sorted(codes, key=lambda c: (c.rsplit("-", 1)[0], int(c.rsplit("-", 1)[1])))
    miss = runner.invoke(app, ["rule", "NO-LBP-99"])
    assert miss.exit_code == 2 and "RC020" in miss.output and "NO-LBP-009" in miss.output
    none = runner.invoke(app, ["rules", "--select", "XX"])
    assert none.exit_code == 2 and "RC024" in none.output
    fmt = runner.invoke(app, ["check", "x.txt", "--format", "xml"])
    assert fmt.exit_code == 2 and "'text', 'json', 'jsonl'" in fmt.output


def test_one_line_errors_with_their_codes(tmp_path):
    path = _write(tmp_path, "kne.txt", KNEE)
    res = runner.invoke(app, ["check", str(path), "--out", "/proc/refcheck/report.txt"])
    assert res.exit_code == 2 and "RC306" in res.output and len(res.output.strip().splitlines()) == 1
    res = runner.invoke(app, ["token", "list", "--db", "postgresql://u:hemmelig@127.0.0.1:1/desk"])
    assert res.exit_code == 2 and "RC307" in res.output and "hemmelig" not in res.output
    assert "Traceback" not in res.output and len(res.output.strip().splitlines()) == 1


def test_foreign_languages_are_unsupported_and_nordic_text_is_not():
    german = refcheck.check("Patientin mit Rückenschmerzen seit drei Wochen, Ausstrahlung ins linke Bein. Bitte MRT.")
    assert german.errors[0]["code"] == "unsupported_language" and "German" in german.errors[0]["message"]
    swedish = refcheck.check("Kvinna 50 år med smärta i ryggen sedan tre veckor och inte bättre, vänster ben.")
    assert swedish.errors and "Swedish" in swedish.errors[0]["message"]
    for nordic in ("Mor er uroleg for at dottera har skoliose i ryggen.",  # "for", "at": Nordic words too
                   "Komplikationer forekom ikke i den gruppe, mens to i den åbne gruppe fik sårruptur.",
                   "Han har hatt vondt i ryggen i to uker, ingen feber."):
        assert not refcheck.check(nordic).errors, nordic


def test_evaluate_says_which_side_is_the_prediction(tmp_path):
    gold = tmp_path / "gold.jsonl"
    case = json.loads((SAMPLES / "gold_nb.jsonl").read_text(encoding="utf-8").splitlines()[0])
    case["gold"]["appropriateness"] = "urgent"  # a deliberately wrong gold label
    gold.write_text(json.dumps(case, ensure_ascii=False) + "\n", encoding="utf-8")
    out = runner.invoke(app, ["evaluate", str(gold), "--show-errors", "5"]).output
    assert f"{case['id']}: predicted 'indicated', gold 'urgent'" in out
