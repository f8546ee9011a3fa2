"""The screening desk over real HTTP: a uvicorn server on a loopback port, SQLite in a temp dir."""
import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from refcheck.service import db

from conftest import fresh_database


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _serve(url: str, env: dict | None = None, workers: int = 1):
    """``refcheck serve`` on a free loopback port, as a subprocess; yields (base URL, process)."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "refcheck.cli", "serve", "--port", str(port), "--db", url,
                             "--workers", str(workers)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, **(env or {})})
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            proc.kill()
            pytest.fail("server did not start: " + proc.stdout.read())
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
        if proc.stdout is not None and not proc.stdout.closed:  # the fixture reads the log itself
            proc.communicate(timeout=10)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request, tmp_path_factory):
    """One server per database: every test using it runs on SQLite and on PostgreSQL."""
    with fresh_database(request.param, tmp_path_factory.mktemp("serve")) as url:
        engine = db.connect(url)
        tokens = {role: db.create_token(engine, role, f"{role}-1") for role in db.ROLES}
        engine.dispose()
        with _serve(url) as (base, proc):
            yield base, tokens, url
            proc.terminate()
            out = proc.communicate(timeout=10)[0]
    # logs carry ids and timings only, never referral text or an identity number
    assert "korsryggsmerter" not in out and "Lasègue" not in out and MARKER not in out
    assert not re.search(r"(?<!\d)\d{10,11}(?!\d)", out), "an identity number in the log"


MARKER = "Markørfrase-Qz7"  # a phrase of the bad requests below: it must reach no log


def call(base, method, path, token=None, body=None, raw=None):
    data = raw if raw is not None else (json.dumps(body, ensure_ascii=False).encode() if body is not None else None)
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json",
                                          **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


LBP = {"id": "nb-7001", "text": "MR LS-columna. Mann 38 år, akutte korsryggsmerter etter løft for 10 dager siden. "
                               "Ingen feber, ikke vekttap. Lasègue neg. Spm: prolaps?", "date": "2026-10-02"}
CAUDA = {"id": "nb-7002", "text": "Ø-hjelp MR lumbal. Mann 45 år, nummen i setet og klarer ikke å tømme blæren siden i går. "
                                 "Nedsatt kraft ve. fot. Spm: cauda equina?"}


def test_submit_is_idempotent_and_ordered(server, validate):
    base, tok, url = server
    s1, r1 = call(base, "POST", "/v1/referrals", tok["submitter"], LBP)
    s2, r2 = call(base, "POST", "/v1/referrals", tok["submitter"], LBP)
    assert (s1, s2) == (201, 200) and r1["worklist_id"] == r2["worklist_id"] and r2["created"] is False
    validate({k: v for k, v in r1.items() if k not in ("worklist_id", "created")})
    assert r1["action"] == "decline"
    s3, r3 = call(base, "POST", "/v1/referrals", tok["screener"], CAUDA)
    assert s3 == 201 and r3["action"] == "escalate"
    status, wl = call(base, "GET", "/v1/worklist", tok["screener"])
    ids = [r["external_id"] for r in wl["referrals"]]
    assert status == 200 and ids[0] == "nb-7002" and ids.count("nb-7001") == 1
    _, only = call(base, "GET", "/v1/worklist?action=decline", tok["auditor"])
    assert [r["external_id"] for r in only["referrals"]] == ["nb-7001"]
    engine = db.connect(url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM referrals WHERE external_id='nb-7001'").scalar() == 1


def test_decision_audit_trail_and_stats(server):
    base, tok, _ = server
    _, r = call(base, "POST", "/v1/referrals", tok["submitter"], {**LBP, "id": "nb-7003"})
    rid = r["worklist_id"]
    status, detail = call(base, "POST", f"/v1/referrals/{rid}/decision", tok["screener"],
                          {"decision": "return", "reason": "Mangler varighet og funn"})
    assert status == 200 and detail["decision"] == "return" and detail["proposed_action"] == "decline"
    events = [(t["event"], t["actor"]) for t in detail["audit_trail"]]
    assert events == [("received", "submitter-1"), ("override", "screener-1")]
    assert "overridden: decline -> return" in detail["audit_trail"][1]["detail"]
    _, s = call(base, "GET", "/v1/stats", tok["auditor"])
    assert s["decided"] >= 1 and s["proposed_vs_decided"]["decline"]["return"] >= 1
    _, page = call(base, "GET", f"/v1/referrals/{rid}", tok["auditor"])
    kinds = {h["kind"] for h in page["highlights"]}
    assert {"negated_flag", "question"} <= kinds


@pytest.mark.parametrize("role, method, path, body, expected", [
    (None, "GET", "/v1/worklist", None, 401),
    ("bogus", "GET", "/v1/worklist", None, 401),
    ("submitter", "GET", "/v1/worklist", None, 403),
    ("auditor", "POST", "/v1/referrals", LBP, 403),
    ("submitter", "POST", "/v1/referrals/1/decision", {"decision": "accept"}, 403),
    ("screener", "POST", "/v1/referrals/1/decision", {"decision": "maybe"}, 422),
    ("screener", "POST", "/v1/referrals", {"text": "MR kne uten id"}, 422),
    ("screener", "POST", "/v1/referrals", {"resourceType": "ServiceRequest", "id": "f1", "subject": {"reference": 5}}, 422),
    ("screener", "GET", "/v1/referrals/999999", None, 404),
])
def test_auth_roles_and_validation(server, role, method, path, body, expected):
    base, tok, _ = server
    status, answer = call(base, method, path, tok.get(role, "rc_not_a_token") if role else None, body)
    assert status == expected
    assert "message" in answer and "MR kne" not in answer["message"]


def test_malformed_json_and_oversized_body(server):
    base, tok, _ = server
    status, answer = call(base, "POST", "/v1/check", tok["submitter"], raw=b'{"id": "x", "text": "Smerter i kne')
    assert status == 422 and answer["code"] == "bad_json" and "Smerter" not in answer["message"]
    big = json.dumps({"id": "big", "text": "smerter " * 40_000}).encode()
    status, answer = call(base, "POST", "/v1/referrals", tok["submitter"], raw=big)
    assert status == 413 and answer["code"] == "too_large"


def test_check_does_not_store_and_rules_and_health(server):
    base, tok, _ = server
    status, rep = call(base, "POST", "/v1/check", tok["auditor"], {"text": "Røntgen hofte. Gut 11 år, haltar sidan i går."})
    assert status == 200 and rep["appropriateness"] == "out_of_scope"
    _, wl = call(base, "GET", "/v1/worklist", tok["screener"])
    assert all(r["external_id"] != "unsaved" for r in wl["referrals"])
    status, rules = call(base, "GET", "/v1/rules", tok["submitter"])
    assert status == 200 and any(r["code"] == "NO-LBP-001" for r in rules)
    status, rule = call(base, "GET", "/v1/rules/NO-LBP-001", tok["submitter"])
    assert status == 200 and "guideline" in rule["doc"]
    assert call(base, "GET", "/healthz")[0] == 200 and call(base, "GET", "/readyz")[0] == 200
    status, spec = call(base, "GET", "/openapi.json")
    assert status == 200 and "/v1/referrals" in spec["paths"] and "/v1/worklist" in spec["paths"]


def _shots(tmp_path) -> Path:
    """Where the browser tests' screenshots go: $REFCHECK_SCREENSHOTS when set (to look at
    them), else the test's own temporary folder."""
    folder = Path(os.environ.get("REFCHECK_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _login(chrome, base, token, lang="nb"):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    chrome.get(base + f"/?lang={lang}")
    assert chrome.find_element(By.ID, "app").get_attribute("hidden") is not None  # nothing before login
    chrome.find_element(By.ID, "token").send_keys(token, Keys.ENTER)  # Enter submits


def test_worklist_page_queue_detail_override_and_filter(server, chrome, tmp_path):
    """The desk in a real browser (issue 14): rows in words, escalations first, evidence
    highlighting, the selection and the detail in step, an escalation overridden only
    with a reason and a confirmation, filters; screenshots of each."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import Select, WebDriverWait

    base, tok, _ = server
    shots, wait = _shots(tmp_path), WebDriverWait(chrome, 20)
    sub = tok["submitter"]
    _, knee = call(base, "POST", "/v1/referrals", sub, {"id": "nb-7011", "text": "MR kne venstre. Kvinne 61 år, kjent "
                                                        "artrose i venstre kne, økende smerter siste halvår. Spm: progresjon?"})
    _, shoulder = call(base, "POST", "/v1/referrals", sub, {
        "id": "nb-7010", "text": "MR skulder hø. Kvinne 49 år, smerter ved abduksjon i 3 mnd, smertefull bue, god kraft. "
                                 "Ingen nattesmerter. Tentativ diagnose: impingement."})
    _, cauda = call(base, "POST", "/v1/referrals", sub, {
        "id": "nb-7012", "text": "Ø-hjelp MR lumbal. Mann 57 år, siden i natt nummen i setet og får ikke tisset. "
                                 "Tidligere frisk. Spm: cauda equina?"})
    _login(chrome, base, tok["screener"])
    wait.until(EC.presence_of_element_located((By.ID, f"row-{cauda['worklist_id']}")))
    badges = [b.get_attribute("class") for b in chrome.find_elements(By.CSS_SELECTOR, "#rows tr td:nth-child(2) .badge")]
    assert badges == sorted(badges, key=lambda c: "escalate" not in c)  # escalations first
    cauda_row = chrome.find_element(By.ID, f"row-{cauda['worklist_id']}")
    assert "ESKALER" in cauda_row.text and "⚑" in cauda_row.text and "MR korsrygg" in cauda_row.text
    assert "57 år mann" in cauda_row.text
    knee_row = chrome.find_element(By.ID, f"row-{knee['worklist_id']}").text
    assert "GODTA som røntgen (MR ønsket)" in knee_row and "MR kne" in knee_row and "61 år kvinne" in knee_row
    cauda_row.click()
    chrome.save_screenshot(str(shots / "worklist-queue-nb.png"))
    # the detail: exactly the report's red flags are marked; a finding shows its evidence
    wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "#detail h2"), "nb-7012"))
    _, detail = call(base, "GET", f"/v1/referrals/{cauda['worklist_id']}", tok["auditor"])
    marks = chrome.find_elements(By.CSS_SELECTOR, "#text mark.red_flag")
    assert sorted(m.text for m in marks) == sorted(f["text"] for f in detail["report"]["red_flags"] if f["end"] > f["start"])
    chrome.find_element(By.CSS_SELECTOR, "#findings li").click()
    evidence = [m.text for m in chrome.find_elements(By.CSS_SELECTOR, "#text mark.evidence")]
    assert evidence == [e["text"] for e in detail["report"]["findings"][0]["evidence"]]
    chrome.save_screenshot(str(shots / "worklist-detail-evidence-nb.png"))
    # overriding the escalation: no reason → refused in the page; with a reason → a second confirmation
    Select(chrome.find_element(By.ID, "decision")).select_by_value("accept")
    chrome.find_element(By.ID, "save").click()
    assert "begrunnelse" in chrome.find_element(By.ID, "decide-msg").text
    chrome.find_element(By.ID, "reason").send_keys("MR tatt på legevakten i natt, ingen kompresjon")
    chrome.find_element(By.ID, "save").click()
    wait.until(EC.visibility_of_element_located((By.ID, "confirm-override")))
    chrome.save_screenshot(str(shots / "worklist-override-confirm-nb.png"))
    chrome.find_element(By.ID, "confirm-override").click()
    wait.until(EC.presence_of_element_located((By.ID, "saved")))
    # in step: the decided referral left the queue and the pane shows the one now selected
    selected = chrome.find_element(By.CSS_SELECTOR, "#rows tr.sel")
    shown = chrome.find_element(By.CSS_SELECTOR, "#detail h2").text
    assert selected.get_attribute("id") != f"row-{cauda['worklist_id']}"
    assert selected.text.split()[0] == shown.split()[0]  # the same referral's id
    _, after = call(base, "GET", f"/v1/referrals/{cauda['worklist_id']}", tok["auditor"])
    assert after["decision"] == "accept" and after["audit_trail"][-1]["event"] == "override"
    assert after["audit_trail"][-1]["detail"].startswith("URGENT overridden: escalate -> accept")
    _, stats = call(base, "GET", "/v1/stats", tok["auditor"])
    assert stats["urgent_overrides"] >= 1
    # pressing c confirms the referral shown, once; the next one opens
    shown_before = chrome.find_element(By.CSS_SELECTOR, "#detail h2").text.split()[0]
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(chrome).move_to_element(chrome.find_element(By.CSS_SELECTOR, "#detail h2")).click().send_keys("c").perform()
    saved = "return (document.getElementById('saved') || {}).textContent || ''"
    wait.until(lambda d: shown_before in d.execute_script(saved))
    # a filter: only the shoulder (or knee) left
    Select(chrome.find_element(By.ID, "f-region")).select_by_value("shoulder")
    rows_text = "return Array.from(document.querySelectorAll('#rows tr')).map(tr => tr.textContent)"
    wait.until(lambda d: d.execute_script(rows_text) and all("skulder" in t for t in d.execute_script(rows_text)))
    chrome.save_screenshot(str(shots / "worklist-filter-nb.png"))
    assert [e for e in chrome.get_log("browser") if e["level"] == "SEVERE"] == []


def test_worklist_login_and_an_expired_token(server, chrome, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    base, tok, url = server
    wait = WebDriverWait(chrome, 20)
    _login(chrome, base, "rc_not-a-token", lang="da")
    wait.until(EC.text_to_be_present_in_element((By.ID, "loginmsg"), "Ukendt adgangsnøgle"))
    assert chrome.find_element(By.ID, "app").get_attribute("hidden") is not None
    engine = db.connect(url)
    short = db.create_token(engine, "screener", "vikar")
    engine.dispose()
    _login(chrome, base, short, lang="da")
    wait.until(EC.visibility_of_element_located((By.ID, "queue")))
    engine = db.connect(url)
    (row,) = [t for t in db.list_tokens(engine) if t["name"] == "vikar"]
    db.revoke_token(engine, row["id"])
    engine.dispose()
    chrome.find_element(By.ID, "f-reset").click()  # the next request meets a revoked token
    wait.until(EC.text_to_be_present_in_element((By.ID, "loginmsg"), "tilbagekaldt"))
    assert chrome.find_element(By.ID, "app").get_attribute("hidden") is not None
    chrome.save_screenshot(str(_shots(tmp_path) / "worklist-expired-da.png"))


def test_fhir_bundle_with_patient_is_screened_and_stored(server):
    base, tok, _ = server
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "id": "p9", "gender": "female", "birthDate": "1958-02-01"}},
        {"resource": {"resourceType": "ServiceRequest", "id": "sr-9", "status": "active", "intent": "order",
                      "subject": {"reference": "Patient/p9"}, "authoredOn": "2026-10-20",
                      "code": {"text": "MR kne høyre"},
                      "reasonCode": [{"text": "Låsninger og hevelse etter vridning for 8 uker siden, McMurray positiv. Menisk?"}]}}]}
    status, rep = call(base, "POST", "/v1/referrals", tok["submitter"], bundle)
    assert status == 201 and rep["id"] == "sr-9" and rep["patient"] == {"age": 68, "sex": "female"}
    assert rep["exam"]["region"] == "knee"
    assert call(base, "GET", "/docs")[0] == 404  # no CDN-backed documentation page


def test_security_headers_and_ids_past_the_integer_range(server):
    base, tokens, _ = server
    for path, token in (("/healthz", None), ("/v1/worklist", tokens["screener"]), ("/", None)):
        req = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"} if token else {})
        with urllib.request.urlopen(req, timeout=30) as r:
            h = r.headers
            body = r.read().decode("utf-8")
        assert h["X-Frame-Options"] == "DENY" and h["X-Content-Type-Options"] == "nosniff"
        assert h["Referrer-Policy"] == "no-referrer" and h["Cache-Control"] == "no-store"
        assert "frame-ancestors 'none'" in h["Content-Security-Policy"]
        if path == "/":  # the page's script runs by nonce only
            nonce = h["Content-Security-Policy"].split("'nonce-", 1)[1].split("'", 1)[0]
            assert f'<script nonce="{nonce}">' in body and "unsafe-inline" not in h["Content-Security-Policy"].split(
                "script-src", 1)[1].split(";", 1)[0]
    big = str(2 ** 70)
    assert call(base, "GET", f"/v1/referrals/{big}", tokens["screener"])[0] == 404
    assert call(base, "POST", f"/v1/referrals/{big}/decision", tokens["screener"], {"decision": "accept"})[0] == 404


def test_since_converts_offsets_and_chunked_bodies_are_capped(server):
    import http.client
    from datetime import datetime, timedelta, timezone

    from refcheck.service.app import MAX_BODY

    base, tokens, _ = server
    status, _ = call(base, "POST", "/v1/referrals", tokens["submitter"],
                     {"id": "tz-1", "text": "MR LS. Kvinne 44 år, korsryggsmerter i 2 uker."})
    assert status in (200, 201)
    # ten minutes ago, written as Oslo summer time (+02:00): the referral is newer
    wall = (datetime.now(timezone.utc) + timedelta(hours=2) - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%S")
    from urllib.parse import quote
    status, body = call(base, "GET", "/v1/worklist?since=" + quote(wall + "+02:00"), tokens["screener"])
    assert status == 200 and "tz-1" in {r["external_id"] for r in body["referrals"]}

    host, port = base.rsplit(":", 1)
    conn = http.client.HTTPConnection(host.split("//", 1)[1], int(port), timeout=30)
    chunk = b"x" * 65536
    parts = iter([chunk] * (MAX_BODY // len(chunk) + 2))
    conn.request("POST", "/v1/check", body=parts, encode_chunked=True,
                 headers={"Authorization": f"Bearer {tokens['submitter']}", "Content-Type": "application/json",
                          "Transfer-Encoding": "chunked"})
    try:
        assert conn.getresponse().status == 413
    finally:
        conn.close()


def test_a_check_past_its_time_budget_is_503_and_not_stored(tmp_path):
    url = str(tmp_path / "desk.sqlite3")
    engine = db.connect(url)
    token = db.create_token(engine, "screener", "s-1")
    with _serve(url, {"REFCHECK_CHECK_BUDGET": "0"}) as (base, _proc):  # every check is past a budget of 0 s
        status, body = call(base, "POST", "/v1/referrals", token, {"id": "slow-1", "text": LBP["text"]})
        assert status == 503 and body["code"] == "busy"
        status, body = call(base, "GET", "/v1/worklist", token)
        assert status == 200 and "slow-1" not in {r["external_id"] for r in body["referrals"]}
        assert call(base, "GET", "/healthz")[0] == 200


def test_token_lifecycle_and_the_failed_authentication_throttle(tmp_path):
    from typer.testing import CliRunner

    from refcheck.cli import app
    from refcheck.service.app import AUTH_FAILURES

    url = str(tmp_path / "desk.sqlite3")
    runner = CliRunner()
    made = runner.invoke(app, ["token", "create", "--role", "screener", "--name", "Anna", "--expires", "90d",
                               "--db", url])
    assert made.exit_code == 0, made.output
    token = made.output.strip().splitlines()[-1]
    assert runner.invoke(app, ["token", "create", "--role", "screener", "--expires", "soon", "--db", url]).exit_code == 2
    engine = db.connect(url)
    assert db.token_role(engine, token) == ("Anna", "screener")
    listed = runner.invoke(app, ["token", "list", "--db", url]).output
    assert "Anna" in listed and token not in listed and db.hash_token(token) not in listed
    (row,) = db.list_tokens(engine)
    assert row["expires_at"] and row["last_used_at"]  # 90 days out; used just now
    assert runner.invoke(app, ["token", "revoke", str(row["id"]), "--db", url]).exit_code == 0
    assert db.token_role(engine, token) is None
    assert runner.invoke(app, ["token", "revoke", str(row["id"]), "--db", url]).exit_code == 2
    old = db.create_token(engine, "auditor", "old", expires_days=1)
    with engine.begin() as conn:  # as if the day had passed
        from datetime import datetime, timedelta, timezone
        conn.execute(db.tokens.update().where(db.tokens.c.name == "old")
                     .values(expires_at=datetime.now(timezone.utc) - timedelta(minutes=1)))
    assert db.token_role(engine, old) is None

    with _serve(url) as (base, _proc):
        codes = [call(base, "GET", "/v1/worklist", "wrong-token")[0] for _ in range(AUTH_FAILURES + 1)]
        assert codes[:AUTH_FAILURES] == [401] * AUTH_FAILURES and codes[-1] == 429


def test_values_the_database_cannot_hold_are_422_and_never_logged(server):
    base, tokens, _ = server
    sub, scr = tokens["submitter"], tokens["screener"]
    text = f"MR LS. Kvinne 44 år, ryggsmerter 2 uker. {MARKER}"
    bad = [{"id": "x" * 300, "text": text}, {"id": "nul-1", "text": text + "\x00"},
           {"id": "nul\x00id", "text": text}, {"id": "date-1", "text": text, "date": f"<{MARKER}>"},
           {"id": "date-2", "text": text, "date": "2026-13-45"}]
    for body in bad:
        status, answer = call(base, "POST", "/v1/referrals", sub, body)
        assert status == 422 and MARKER not in json.dumps(answer), (status, answer)
    status, answer = call(base, "POST", "/v1/referrals", sub,
                          {"id": "date-3", "text": text, "date": "2026-10-02T10:15:00+02:00"})
    assert status == 201
    stored = call(base, "GET", f"/v1/referrals/{answer['worklist_id']}", scr)[1]
    assert stored["referral_date"] == "2026-10-02"
    status, answer = call(base, "POST", f"/v1/referrals/{answer['worklist_id']}/decision", scr,
                          {"decision": "accept", "reason": MARKER + "\x00"})
    assert status == 422 and MARKER not in json.dumps(answer)


def test_a_referral_is_keyed_on_its_submitter_versioned_and_cancellable(database_url):
    """Issue 11: a repeated id is the same referral only from the same submitter and with the
    same content; a change is a new version screened again; a cancellation leaves the queue.
    On SQLite and on PostgreSQL, and nothing of the texts reaches the server's log."""
    engine = db.connect(database_url)
    tok = {name: db.create_token(engine, "submitter", name) for name in ("legekontor-a", "legekontor-b")}
    screener = db.create_token(engine, "screener", "radiograf")
    engine.dispose()
    first = {"id": "squat-42", "text": f"MR LS. Kvinne 51 år, ryggsmerter i 3 uker etter hagearbeid. {MARKER} "
                                       "Ingen utstråling. Spm: prolaps?"}
    changed = {"id": "squat-42", "text": first["text"] + " Nå også nummen i setet og lekker urin siden i går."}
    with _serve(database_url) as (base, proc):
        s1, r1 = call(base, "POST", "/v1/referrals", tok["legekontor-a"], first)
        # another submitter's "squat-42" is its own referral: it neither replaces A's nor learns of it
        s2, r2 = call(base, "POST", "/v1/referrals", tok["legekontor-b"], {"id": "squat-42", "text": "tull"})
        assert (s1, s2) == (201, 201) and r1["worklist_id"] != r2["worklist_id"] and r2["version"] == 1
        # A again with the same content: 200 with the report stored the first time
        s3, r3 = call(base, "POST", "/v1/referrals", tok["legekontor-a"], first)
        assert s3 == 200 and r3["created"] is False and r3["worklist_id"] == r1["worklist_id"]
        assert {k: r3[k] for k in ("action", "findings", "red_flags")} == {k: r1[k] for k in ("action", "findings", "red_flags")}
        # A with changed content: version 2, screened again (now the emergency pathway)
        s4, r4 = call(base, "POST", "/v1/referrals", tok["legekontor-a"], changed)
        assert s4 == 201 and r4["version"] == 2 and r4["supersedes"] == r1["worklist_id"]
        assert r1["action"] != "escalate" and r4["action"] == "escalate"
        _, wl = call(base, "GET", "/v1/worklist", screener)
        mine = [r for r in wl["referrals"] if r["external_id"] == "squat-42"]
        assert [(r["submitted_by"], r["version"]) for r in mine] == [("legekontor-a", 2), ("legekontor-b", 1)]
        _, detail = call(base, "GET", f"/v1/referrals/{r4['worklist_id']}", screener)
        assert [(v["version"], v["status"]) for v in detail["versions"]] == [(1, "superseded"), (2, "open")]
        s5, err = call(base, "POST", f"/v1/referrals/{r1['worklist_id']}/decision", screener, {"decision": "decline"})
        assert s5 == 409 and err["code"] == "superseded"
        # a cancellation (plain record, then FHIR "revoked") takes it off the queue
        s6, r6 = call(base, "POST", "/v1/referrals", tok["legekontor-a"], {"id": "squat-42", "status": "cancelled"})
        assert s6 == 200 and r6["status"] == "cancelled" and r6["worklist_id"] == r4["worklist_id"]
        s7, _ = call(base, "POST", "/v1/referrals", tok["legekontor-b"], {"id": "finnes-ikke", "status": "cancelled"})
        assert s7 == 404
        s8, _ = call(base, "POST", "/v1/referrals", tok["legekontor-b"],
                     {"resourceType": "ServiceRequest", "id": "squat-42", "status": "revoked", "intent": "order",
                      "subject": {"reference": "Patient/x"}})
        assert s8 == 200
        _, wl = call(base, "GET", "/v1/worklist", screener)
        assert "squat-42" not in {r["external_id"] for r in wl["referrals"]}
        _, st = call(base, "GET", "/v1/stats", screener)
        assert (st["referrals"], st["versions"], st["cancelled"], st["superseded"]) == (2, 3, 2, 1)
        proc.terminate()
        log = proc.communicate(timeout=10)[0]
    assert MARKER not in log and "setet" not in log and "tull" not in log


def _post_xml(base, path, token, data: bytes, content_type="application/xml"):
    req = urllib.request.Request(base + path, data=data, method="POST",
                                 headers={"Content-Type": content_type, "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def _get_raw(base, path, token):
    req = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers.get("content-type"), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("content-type"), e.read()


def test_electronic_messages_are_screened_stored_versioned_and_answered(server):
    """Issue 13 over HTTP: KITH and MedCom XML in, AppRec / Dialogmelding / receipt out, on
    each database; a Kansellering cancels; an unreadable message is 422 naming the element."""
    from lxml import etree

    from messages_builder import MESSAGES, build
    from refcheck.inputs.schemas import validate

    base, tok, _ = server
    decline_text = ("Rtg LS-columna. Kvinne 36 år, vondt i korsryggen i 6 dager etter hagearbeid, ingen utstråling. "
                    "Afebril. Us: nevrologisk ua. Spm: prolaps?")
    new = build("rekvisisjon-1.6", decline_text, rid="xml-rq-1", age=36, sex="female", modality="XR")
    status, report = _post_xml(base, "/v1/referrals", tok["submitter"], new)
    assert status == 201 and report["action"] == "decline" and report["patient"] == {"age": 36, "sex": "female"}
    rid = report["worklist_id"]
    status, again = _post_xml(base, "/v1/referrals", tok["submitter"], new)
    assert status == 200 and again["worklist_id"] == rid  # a resent message is the stored referral
    kinds = {}
    for kind in ("apprec", "dialog"):
        status, ctype, body = _get_raw(base, f"/v1/referrals/{rid}/reply?kind={kind}", tok["screener"])
        assert status == 200 and ctype.startswith("application/xml")
        assert validate(etree.fromstring(body), MESSAGES) is None, kind
        kinds[kind] = body
    assert b'V="1"' in kinds["apprec"] and b"IS-1899 Rygg" in kinds["dialog"] and b"xml-rq-1" in kinds["dialog"]
    status, _, _ = _get_raw(base, f"/v1/referrals/{rid}/reply?kind=receipt", tok["screener"])
    assert status == 422  # a Norwegian message has no MedCom receipt
    # Endring with new content: version 2; Kansellering: off the worklist
    changed = build("rekvisisjon-1.6", decline_text + " Nå også nummen i setet og lekker urin.", rid="xml-rq-1", age=36,
                    sex="female", modality="XR", kind="M")
    status, v2 = _post_xml(base, "/v1/referrals", tok["submitter"], changed)
    assert status == 201 and v2["version"] == 2 and v2["action"] == "escalate"
    cancel = build("rekvisisjon-1.6", decline_text, rid="xml-rq-1", age=36, sex="female", modality="XR", kind="C")
    status, done = _post_xml(base, "/v1/referrals", tok["submitter"], cancel)
    assert status == 200 and done["status"] == "cancelled"
    _, wl = call(base, "GET", "/v1/worklist", tok["screener"])
    assert "xml-rq-1" not in {r["external_id"] for r in wl["referrals"]}
    # a Danish XREF02: a receipt
    dk = build("xref02", "Røntgen af venstre knæ. 67-årig kvinde, kendt knæartrose, tiltagende smerter.", rid="dk-xml-1",
               age=67, sex="female")
    status, dk_report = _post_xml(base, "/v1/referrals", tok["submitter"], dk, "text/xml; charset=utf-8")
    assert status == 201 and dk_report["language"] == "da"
    status, _, receipt = _get_raw(base, f"/v1/referrals/{dk_report['worklist_id']}/reply?kind=receipt", tok["screener"])
    assert status == 200 and validate(etree.fromstring(receipt), MESSAGES) is None and b"PositiveReceipt" in receipt
    # unreadable and invalid messages: 422 with the element named, nothing stored
    invalid = (MESSAGES / "no-kith" / "test" / "TestcaseHenvisningMottak" / "Case1-20-b.xml").read_bytes()
    status, err = _post_xml(base, "/v1/referrals", tok["submitter"], invalid)
    assert status == 422 and "Patient" in err["message"]
    status, err = _post_xml(base, "/v1/referrals", tok["submitter"], b"<Message><broken>")
    assert status == 422 and "RC410" in err["message"]
    # a JSON referral has no reply
    _, plain = call(base, "POST", "/v1/referrals", tok["submitter"], {**LBP, "id": "nb-json-reply"})
    status, _, _ = _get_raw(base, f"/v1/referrals/{plain['worklist_id']}/reply", tok["screener"])
    assert status == 409


def test_two_workers_serve_keep_alive_clients(tmp_path):
    """--workers 2 binds its own socket with TCP_NODELAY (benchmarks/service_load: keep-alive
    p50 44 ms → 7 ms); here: both workers answer on one keep-alive connection."""
    import http.client

    url = str(tmp_path / "desk.sqlite3")
    engine = db.connect(url)
    token = db.create_token(engine, "screener", "s")
    engine.dispose()
    with _serve(url, workers=2) as (base, _proc):
        conn = http.client.HTTPConnection(base.split("//")[1], timeout=10)
        for _ in range(20):
            conn.request("GET", "/v1/worklist", headers={"Authorization": f"Bearer {token}"})
            response = conn.getresponse()
            assert response.status == 200 and json.loads(response.read())["referrals"] == []
        conn.close()
