"""Shared fixtures. Pipelines are built lazily inside tests (never at import time)."""
from __future__ import annotations

import contextlib
import json
import os
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CONTRACT = SHARED / "contract"
SAMPLES = ROOT / "sample_referrals"


@pytest.fixture(scope="session")
def schema_validator():
    import jsonschema

    path = CONTRACT / "report.schema.json"
    if not path.exists():  # the contract lives beside the repository; a local copy is shipped too
        path = ROOT / "tests" / "data" / "report.schema.json"
    return jsonschema.Draft202012Validator(json.loads(path.read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def validate(schema_validator):
    def _validate(report_dict: dict) -> dict:
        errors = sorted(schema_validator.iter_errors(report_dict), key=lambda e: e.path)
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
        return report_dict

    return _validate


@pytest.fixture(scope="session")
def check(validate):
    """refcheck.check that also validates every report against the contract schema."""
    import refcheck

    def _check(text, **meta):
        report = refcheck.check(text, **meta)
        validate(report.to_dict())
        return report

    return _check


@pytest.fixture
def chrome(tmp_path):
    """A headless Debian chromium driven by selenium/chromedriver (fails, not skips, under CI)."""
    import os
    import shutil

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not (browser and driver_path):
        if os.environ.get("CI"):
            pytest.fail("CI must have Debian's chromium and chromium-driver (installed by .ci/run)")
        pytest.skip("chromium / chromedriver not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = browser
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={tmp_path / 'chrome-profile'}", "--window-size=1300,1500"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=opts)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(autouse=True)
def _private_config_home(tmp_path_factory, monkeypatch):
    """Audit pseudonym keys go to the user's config directory: keep the tests' keys out of $HOME."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))


@contextlib.contextmanager
def fresh_database(kind: str, folder: Path):
    """The URL of a new, empty database: a SQLite file in ``folder``, or a database of its
    own on the PostgreSQL server .ci/run starts (REFCHECK_TEST_PG_URL), dropped afterwards."""
    if kind == "sqlite":
        yield "sqlite:///" + str(folder / "desk.sqlite3")
        return
    PG = os.environ.get("REFCHECK_TEST_PG_URL")
    if not PG:
        if os.environ.get("CI"):
            pytest.fail("CI must provide PostgreSQL (REFCHECK_TEST_PG_URL, set by .ci/run)")
        pytest.skip("no PostgreSQL server (set REFCHECK_TEST_PG_URL)")
    from sqlalchemy import create_engine, text

    name = f"rc_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield PG.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
            conn.execute(text(f"DROP DATABASE {name}"))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A new, empty database on each server."""
    with fresh_database(request.param, tmp_path) as url:
        yield url
