"""The data layer against SQLite and a real PostgreSQL server (started by .ci/run)."""
import os
import uuid

import pytest
from sqlalchemy import text

from refcheck.service import db

PG = os.environ.get("REFCHECK_TEST_PG_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        yield db.connect(str(tmp_path / "desk.sqlite3"))
        return
    if not PG:
        if os.environ.get("CI"):
            pytest.fail("CI must provide PostgreSQL (REFCHECK_TEST_PG_URL, set by .ci/run)")
        pytest.skip("no PostgreSQL server (set REFCHECK_TEST_PG_URL)")
    schema_db = f"rc_{uuid.uuid4().hex[:10]}"
    admin = db.create_engine(PG.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {schema_db}"))
    url = PG.rsplit("/", 1)[0] + "/" + schema_db
    eng = db.connect(url)
    yield eng
    eng.dispose()
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE {schema_db}"))
    admin.dispose()


REPORT = {"action": "decline", "appropriateness": "low_value", "exam": {"region": "lumbar_spine"}}
URGENT = {"action": "escalate", "appropriateness": "urgent", "exam": {"region": "lumbar_spine"}}


def test_migrations_are_recorded_once(engine):
    assert db.migrate(engine) == []  # already applied by connect()
    with engine.connect() as conn:
        versions = [r[0] for r in conn.execute(text("SELECT version FROM schema_migrations ORDER BY version"))]
    assert versions == [v for v, _, _ in db.MIGRATIONS]


def test_tokens_are_stored_hashed(engine):
    token = db.create_token(engine, "auditor", "kvalitet")
    assert db.token_role(engine, token) == ("kvalitet", "auditor")
    assert db.token_role(engine, token + "x") is None
    with engine.connect() as conn:
        stored = [r[0] for r in conn.execute(text("SELECT token_hash FROM tokens"))]
    assert token not in stored and db.hash_token(token) in stored


def test_idempotent_store_worklist_decision_and_trail(engine):
    a, created = db.store_referral(engine, "r-1", "gp", "Korsryggsmerter i 10 dager.", REPORT, "2026-10-01")
    again, created_again = db.store_referral(engine, "r-1", "gp", "Korsryggsmerter i 10 dager.", REPORT, None)
    assert created and not created_again and a == again
    b, _ = db.store_referral(engine, "r-2", "gp", "Nummen i setet.", URGENT, None)
    assert [r["external_id"] for r in db.worklist(engine)] == ["r-2", "r-1"]
    assert [r["external_id"] for r in db.worklist(engine, action="decline")] == ["r-1"]
    assert db.decide(engine, a, "return", "mangler funn", "screener-1")
    assert db.decide(engine, a, "decline", None, "screener-2")
    row = db.get_referral(engine, a)
    assert row["proposed_action"] == "decline" and row["decision"] == "decline" and row["decided_by"] == "screener-2"
    trail = [(t["event"], t["actor"]) for t in row["audit_trail"]]
    assert trail == [("received", "gp"), ("decision", "screener-1"), ("decision", "screener-2")]
    assert "previous decision return" in row["audit_trail"][2]["detail"]
    assert [r["external_id"] for r in db.worklist(engine)] == ["r-2"]
    s = db.stats(engine)
    assert (s["referrals"], s["open"], s["decided"], s["agreed"]) == (2, 1, 1, 1)
    assert not db.decide(engine, 999, "accept", None, "x")


def test_a_new_sqlite_database_is_private(tmp_path):
    import os
    import stat

    from refcheck.service import db as service_db

    path = tmp_path / "desk.sqlite3"
    engine = service_db.connect(str(path))
    service_db.create_token(engine, "screener", "s-1")
    for f in tmp_path.iterdir():  # the database and its -wal/-shm files
        assert stat.S_IMODE(os.stat(f).st_mode) & 0o077 == 0, f.name


def test_token_lifecycle_on_each_database(engine):
    token = db.create_token(engine, "screener", "Anna", expires_days=90)
    assert db.token_role(engine, token) == ("Anna", "screener")
    (row,) = [t for t in db.list_tokens(engine) if t["name"] == "Anna"]
    assert row["last_used_at"] and row["expires_at"] > row["created_at"] and row["revoked_at"] is None
    assert db.revoke_token(engine, row["id"]) and not db.revoke_token(engine, row["id"])
    assert db.token_role(engine, token) is None
    assert db.token_role(engine, "no-such-token") is None


def test_timezone_offsets_in_worklist_filters(engine):
    from datetime import datetime, timedelta, timezone

    db.store_referral(engine, "tz-a", "sub", "tekst", REPORT, "2026-10-02")
    ahead = (datetime.now(timezone.utc) + timedelta(hours=5, minutes=1)).strftime("%Y-%m-%dT%H:%M:%S") + "+05:00"
    behind = (datetime.now(timezone.utc) - timedelta(hours=5, minutes=10)).strftime("%Y-%m-%dT%H:%M:%S") + "-05:00"
    # a minute from now written at +05:00, ten minutes ago written at -05:00
    assert "tz-a" not in {r["external_id"] for r in db.worklist(engine, None, None, ahead, None)}
    assert "tz-a" in {r["external_id"] for r in db.worklist(engine, None, None, behind, None)}
