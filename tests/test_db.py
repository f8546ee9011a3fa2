"""The data layer against SQLite and a real PostgreSQL server (started by .ci/run)."""
import pytest
from sqlalchemy import text

from refcheck.service import db


def _wl(*args, **kwargs) -> list[dict]:
    return db.worklist(*args, **kwargs)["referrals"]


@pytest.fixture
def engine(database_url):
    eng = db.connect(database_url)
    yield eng
    eng.dispose()


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
    a = db.store_referral(engine, "r-1", "gp", "Korsryggsmerter i 10 dager.", REPORT, "2026-10-01")
    again = db.store_referral(engine, "r-1", "gp", "Korsryggsmerter i 10 dager.", REPORT, None)
    assert a.created and not again.created and a.id == again.id and again.version == 1
    db.store_referral(engine, "r-2", "gp", "Nummen i setet.", URGENT, None)
    assert [r["external_id"] for r in _wl(engine)] == ["r-2", "r-1"]
    assert [r["external_id"] for r in _wl(engine, action="decline")] == ["r-1"]
    assert db.decide(engine, a.id, "return", "mangler funn", "screener-1") == "done"
    assert db.decide(engine, a.id, "decline", None, "screener-2") == "done"
    row = db.get_referral(engine, a.id)
    assert row["proposed_action"] == "decline" and row["decision"] == "decline" and row["decided_by"] == "screener-2"
    trail = [(t["event"], t["actor"]) for t in row["audit_trail"]]
    assert trail == [("received", "gp"), ("override", "screener-1"), ("decision", "screener-2")]
    assert "previous decision return" in row["audit_trail"][2]["detail"]
    assert [r["external_id"] for r in _wl(engine)] == ["r-2"]
    s = db.stats(engine)
    assert (s["referrals"], s["open"], s["decided"], s["agreed"]) == (2, 1, 1, 1)
    assert db.decide(engine, 999, "accept", None, "x") == "missing"


def test_overriding_an_escalation_needs_a_reason_and_is_counted(engine):
    urgent = db.store_referral(engine, "u-1", "gp", "Nummen i setet.", URGENT | {"action": "escalate"}, None)
    assert db.decide(engine, urgent.id, "accept", None, "screener") == "reason_required"
    assert db.decide(engine, urgent.id, "accept", "  ", "screener") == "reason_required"
    assert db.decide(engine, urgent.id, "accept", "MR tatt i går, ingen stenose", "screener") == "done"
    (event,) = [e for e in db.get_referral(engine, urgent.id)["audit_trail"] if e["event"] == "override"]
    assert event["detail"].startswith("URGENT overridden: escalate -> accept")
    plain = db.store_referral(engine, "p-1", "gp", "Ryggsmerter i 2 uker.", REPORT, None)
    assert db.decide(engine, plain.id, "return", None, "screener") == "done"  # no reason needed
    s = db.stats(engine)
    assert (s["overrides"], s["urgent_overrides"]) == (2, 1)


def test_the_key_is_submitter_and_id_and_a_change_is_a_new_version(engine):
    first = db.store_referral(engine, "k-1", "legekontor-a", "Nakkesmerter i 3 uker.", REPORT, None)
    # another submitter's referral with the same id is its own referral, not a retry of A's
    other = db.store_referral(engine, "k-1", "legekontor-b", "tull", REPORT, None)
    assert other.created and other.id != first.id and other.version == 1
    assert db.get_referral(engine, first.id)["text"] == "Nakkesmerter i 3 uker."
    # the same submitter with changed content: version 2, screened again, replacing version 1
    changed = db.store_referral(engine, "k-1", "legekontor-a", "Nakkesmerter i 3 uker, nå nummen i hånden.",
                                URGENT, None, db.content_hash("Nakkesmerter i 3 uker, nå nummen i hånden."))
    assert changed.created and changed.version == 2 and changed.supersedes == first.id
    open_rows = {(r["submitted_by"], r["external_id"]): r for r in _wl(engine)}
    assert open_rows[("legekontor-a", "k-1")]["id"] == changed.id and open_rows[("legekontor-a", "k-1")]["version"] == 2
    assert len(open_rows) == 2
    old = db.get_referral(engine, first.id)
    assert old["status"] == "superseded" and [e["event"] for e in old["audit_trail"]] == ["received", "superseded"]
    assert [v["version"] for v in db.get_referral(engine, changed.id)["versions"]] == [1, 2]
    assert db.decide(engine, first.id, "accept", None, "screener") == "superseded"
    # a retry of version 2 is version 2, whatever arrives in between from others
    assert db.stored_version(engine, "legekontor-a", "k-1", db.content_hash(
        "Nakkesmerter i 3 uker, nå nummen i hånden.")).id == changed.id
    assert db.stored_version(engine, "legekontor-b", "k-1", db.content_hash(
        "Nakkesmerter i 3 uker, nå nummen i hånden.")) is None


def test_a_change_after_a_decision_keeps_the_decision_and_reopens(engine):
    first = db.store_referral(engine, "d-1", "gp", "Kneet vondt i 2 uker.", REPORT, None)
    assert db.decide(engine, first.id, "decline", "ikke indisert", "screener") == "done"
    second = db.store_referral(engine, "d-1", "gp", "Kneet vondt i 2 uker, låser seg.", REPORT, None)
    assert second.version == 2 and db.get_referral(engine, first.id)["decision"] == "decline"
    assert [r["id"] for r in _wl(engine)] == [second.id]


def test_a_cancellation_takes_the_referral_off_the_queue(engine):
    first = db.store_referral(engine, "c-1", "gp", "Skuldersmerter i 4 uker.", REPORT, None)
    assert db.cancel_referral(engine, "c-1", "another-gp") is None  # not theirs to cancel
    done = db.cancel_referral(engine, "c-1", "gp")
    assert done.created and done.status == "cancelled" and done.id == first.id
    assert db.cancel_referral(engine, "c-1", "gp").created is False  # a repeated cancellation
    assert _wl(engine) == []
    assert db.decide(engine, first.id, "accept", None, "screener") == "cancelled"
    trail = db.get_referral(engine, first.id)["audit_trail"]
    assert [e["event"] for e in trail] == ["received", "cancelled"]
    s = db.stats(engine)
    assert (s["referrals"], s["cancelled"], s["open"]) == (1, 1, 0)


def test_a_database_made_before_versions_is_migrated_keeping_every_row(database_url):
    """A desk database from before migration 4 (the id unique across submitters) keeps its
    rows and audit trail, every row becoming version 1; afterwards the new key holds."""
    from sqlalchemy import create_engine

    url = database_url.replace("postgresql://", "postgresql+psycopg://")
    old = create_engine(url)
    ts = "TIMESTAMP WITH TIME ZONE" if old.dialect.name == "postgresql" else "DATETIME"
    serial = "SERIAL PRIMARY KEY" if old.dialect.name == "postgresql" else "INTEGER PRIMARY KEY AUTOINCREMENT"
    with old.begin() as conn:
        for ddl in (
            f"CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at {ts} NOT NULL)",
            f"CREATE TABLE tokens (id {serial}, name VARCHAR(200) NOT NULL, role VARCHAR(20) NOT NULL, "
            f"token_hash VARCHAR(64) NOT NULL UNIQUE, created_at {ts} NOT NULL, expires_at {ts}, revoked_at {ts}, "
            f"last_used_at {ts})",
            f"CREATE TABLE referrals (id {serial}, external_id VARCHAR(200) NOT NULL, received_at {ts} NOT NULL, "
            "submitted_by VARCHAR(200) NOT NULL, text TEXT, report TEXT NOT NULL, proposed_action VARCHAR(20) NOT NULL, "
            "appropriateness VARCHAR(20) NOT NULL, region VARCHAR(40), referral_date VARCHAR(10), "
            f"status VARCHAR(20) NOT NULL, decision VARCHAR(20), reason TEXT, decided_by VARCHAR(200), decided_at {ts}, "
            "CONSTRAINT uq_referrals_external_id UNIQUE (external_id))",
            f"CREATE TABLE audit_trail (id {serial}, referral_id INTEGER NOT NULL REFERENCES referrals (id), "
            f"at {ts} NOT NULL, actor VARCHAR(200) NOT NULL, event VARCHAR(40) NOT NULL, detail TEXT)",
            "CREATE INDEX ix_referrals_open ON referrals (status, proposed_action, received_at)",
        ):
            conn.execute(text(ddl))
        for v in (1, 2, 3):
            conn.execute(text("INSERT INTO schema_migrations VALUES (:v, CURRENT_TIMESTAMP)"), {"v": v})
        import json as _json

        conn.execute(text("INSERT INTO referrals (external_id, received_at, submitted_by, text, report, proposed_action, "
                          "appropriateness, region, status) VALUES ('gammel-1', CURRENT_TIMESTAMP, 'gp', "
                          "'Ryggsmerter i 2 uker.', :r, 'decline', 'low_value', 'lumbar_spine', 'open')"),
                     {"r": _json.dumps(REPORT)})
        conn.execute(text("INSERT INTO audit_trail (referral_id, at, actor, event, detail) "
                          "SELECT id, CURRENT_TIMESTAMP, 'gp', 'received', 'proposed decline' FROM referrals"))
    old.dispose()
    engine = db.connect(database_url)
    (row,) = _wl(engine)
    assert row["external_id"] == "gammel-1" and row["version"] == 1
    assert [e["event"] for e in db.get_referral(engine, row["id"])["audit_trail"]] == ["received"]
    # a retry of the old row (no stored hash: the same text) is that row; another submitter may use the id
    assert db.store_referral(engine, "gammel-1", "gp", "Ryggsmerter i 2 uker.", REPORT, None).id == row["id"]
    assert db.store_referral(engine, "gammel-1", "other", "Ryggsmerter i 2 uker.", REPORT, None).created
    assert db.store_referral(engine, "gammel-1", "gp", "Ryggsmerter i 5 uker.", REPORT, None).version == 2
    assert db.migrate(engine) == []
    engine.dispose()


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
    assert "tz-a" not in {r["external_id"] for r in _wl(engine, None, None, ahead, None)}
    assert "tz-a" in {r["external_id"] for r in _wl(engine, None, None, behind, None)}
