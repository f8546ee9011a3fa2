"""The desk's tables and their numbered migrations (recorded in ``schema_migrations``,
applied in order at start-up), and how a database is opened: SQLite in WAL mode with full
synchronous commits (a 2xx means on disk), a new SQLite file readable by its owner only,
PostgreSQL through psycopg; errors never carry parameter values (patient text)."""
from __future__ import annotations

import json
import os
from datetime import datetime, timezone

from sqlalchemy import (Column, DateTime, ForeignKey, Integer, MetaData, String, Table, Text, UniqueConstraint,
                        create_engine, event, insert, select, text, update)
from sqlalchemy.engine import Engine


def now() -> datetime:
    return datetime.now(timezone.utc)


ROLES = ("screener", "submitter", "auditor")

metadata = MetaData()
migrations = Table("schema_migrations", metadata, Column("version", Integer, primary_key=True),
                   Column("applied_at", DateTime(timezone=True), nullable=False))
tokens = Table("tokens", metadata,
               Column("id", Integer, primary_key=True, autoincrement=True),
               Column("name", String(200), nullable=False),
               Column("role", String(20), nullable=False),
               Column("token_hash", String(64), nullable=False, unique=True),
               Column("created_at", DateTime(timezone=True), nullable=False),
               Column("expires_at", DateTime(timezone=True), nullable=True),
               Column("revoked_at", DateTime(timezone=True), nullable=True),
               Column("last_used_at", DateTime(timezone=True), nullable=True))
referrals = Table("referrals", metadata,
                  Column("id", Integer, primary_key=True, autoincrement=True),
                  Column("external_id", String(200), nullable=False),
                  Column("received_at", DateTime(timezone=True), nullable=False),
                  Column("submitted_by", String(200), nullable=False),
                  Column("text", Text, nullable=True),
                  Column("report", Text, nullable=False),
                  Column("proposed_action", String(20), nullable=False),
                  Column("appropriateness", String(20), nullable=False),
                  Column("region", String(40), nullable=True),
                  Column("referral_date", String(10), nullable=True),
                  Column("status", String(20), nullable=False, default="open"),
                  Column("decision", String(20), nullable=True),
                  Column("reason", Text, nullable=True),
                  Column("decided_by", String(200), nullable=True),
                  Column("decided_at", DateTime(timezone=True), nullable=True),
                  Column("version", Integer, nullable=False, default=1),
                  Column("content_hash", String(64), nullable=True),
                  Column("message", Text, nullable=True),  # an electronic message's ids for replies (no patient data)
                  # what the worklist shows and filters on, copied from the report when stored
                  Column("priority", Integer, nullable=False, default=1, server_default=text("1")),  # 0: escalate first
                  Column("modality", String(10), nullable=True),
                  Column("patient_age", Integer, nullable=True),
                  Column("patient_sex", String(10), nullable=True),
                  Column("red_flags", Integer, nullable=False, default=0, server_default=text("0")),
                  UniqueConstraint("submitted_by", "external_id", "version", name="uq_referrals_key"))
audit_trail = Table("audit_trail", metadata,
                    Column("id", Integer, primary_key=True, autoincrement=True),
                    Column("referral_id", Integer, ForeignKey("referrals.id"), nullable=False),
                    Column("at", DateTime(timezone=True), nullable=False),
                    Column("actor", String(200), nullable=False),
                    Column("event", String(40), nullable=False),
                    Column("detail", Text, nullable=True))

# Numbered migrations: (version, description, function(connection)).
MIGRATIONS = [
    (1, "initial tables", lambda conn: metadata.create_all(conn, tables=[tokens, referrals, audit_trail])),
    (2, "worklist index", lambda conn: conn.execute(text(
        "CREATE INDEX IF NOT EXISTS ix_referrals_open ON referrals (status, proposed_action, received_at)"))),
    (3, "token expiry, revocation and last use", lambda conn: _add_token_columns(conn)),
    (4, "referral versions keyed on (submitter, id, version)", lambda conn: _versioned_referrals(conn)),
    (5, "the electronic message a referral came in (for AppRec / Dialogmelding replies)",
     lambda conn: _add_column(conn, "referrals", "message", "TEXT")),
    (6, "worklist columns (priority, modality, age, sex, red flags) and keyset indexes",
     lambda conn: _worklist_columns(conn)),
]

#: The worklist's indexes: the queue order (keyset pagination) and each filter within it.
WORKLIST_INDEXES = {
    "ix_referrals_queue": "status, priority, received_at, id",
    "ix_referrals_queue_action": "status, proposed_action, priority, received_at, id",
    "ix_referrals_queue_region": "status, region, priority, received_at, id",
    "ix_referrals_queue_modality": "status, modality, priority, received_at, id",
    "ix_referrals_queue_flags": "status, red_flags, priority, received_at, id",
}


def _worklist_columns(conn) -> None:
    """Older rows get the worklist columns from their stored report."""
    for column, kind in (("priority", "INTEGER NOT NULL DEFAULT 1"), ("modality", "VARCHAR(10)"),
                         ("patient_age", "INTEGER"), ("patient_sex", "VARCHAR(10)"),
                         ("red_flags", "INTEGER NOT NULL DEFAULT 0")):
        _add_column(conn, "referrals", column, kind)
    rows = conn.execute(select(referrals.c.id, referrals.c.report).where(referrals.c.modality.is_(None))).all()
    for rid, report in rows:
        conn.execute(update(referrals).where(referrals.c.id == rid).values(**_columns_of(json.loads(report))))
    for name, cols in WORKLIST_INDEXES.items():
        conn.execute(text(f"CREATE INDEX IF NOT EXISTS {name} ON referrals ({cols})"))


def _columns_of(report: dict) -> dict:
    patient, exam = report.get("patient") or {}, report.get("exam") or {}
    return {"priority": 0 if report.get("action") == "escalate" else 1, "modality": exam.get("modality"),
            "patient_age": patient.get("age"), "patient_sex": patient.get("sex"),
            "red_flags": len(report.get("red_flags") or [])}


def _add_column(conn, table: str, column: str, kind: str) -> None:
    from sqlalchemy import inspect

    if column not in {c["name"] for c in inspect(conn).get_columns(table)}:
        conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {kind}"))


def _add_token_columns(conn) -> None:
    """Databases made before version 3 lack the token lifecycle columns (new ones have them)."""
    from sqlalchemy import inspect

    have = {c["name"] for c in inspect(conn).get_columns("tokens")}
    kind = "TIMESTAMP WITH TIME ZONE" if conn.dialect.name == "postgresql" else "DATETIME"
    for col in ("expires_at", "revoked_at", "last_used_at"):
        if col not in have:
            conn.execute(text(f"ALTER TABLE tokens ADD COLUMN {col} {kind}"))


def _versioned_referrals(conn) -> None:
    """Until version 4 a referral was unique on its id alone, across submitters. Now the key
    is (submitter, id, version), with the content's hash to tell a retry from a change.
    New databases have the columns; older ones gain them with every row as version 1."""
    from sqlalchemy import inspect

    have = {c["name"] for c in inspect(conn).get_columns("referrals")}
    if "version" not in have:
        old = [c.name for c in referrals.columns if c.name in have]
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE referrals DROP CONSTRAINT IF EXISTS uq_referrals_external_id"))
            conn.execute(text("ALTER TABLE referrals ADD COLUMN version INTEGER NOT NULL DEFAULT 1"))
            conn.execute(text("ALTER TABLE referrals ADD COLUMN content_hash VARCHAR(64)"))
            conn.execute(text("ALTER TABLE referrals ADD CONSTRAINT uq_referrals_key "
                              "UNIQUE (submitted_by, external_id, version)"))
        else:
            # SQLite cannot drop a table constraint: rebuild the table (SQLite's documented
            # procedure; migrate() runs SQLite migrations with foreign keys off, checked after)
            rebuilt = referrals.to_metadata(MetaData(), name="referrals_v4")
            rebuilt.create(conn)
            cols = ", ".join(old)
            conn.execute(text(f"INSERT INTO referrals_v4 ({cols}, version) SELECT {cols}, 1 FROM referrals"))
            conn.execute(text("DROP TABLE referrals"))
            conn.execute(text("ALTER TABLE referrals_v4 RENAME TO referrals"))
            conn.execute(text("CREATE INDEX IF NOT EXISTS ix_referrals_open "
                              "ON referrals (status, proposed_action, received_at)"))
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_referrals_submitter_id ON referrals (submitted_by, external_id)"))


def _private_file(path: str) -> None:
    """Create a new SQLite file readable by its owner only (0600): it holds patient text.
    SQLite gives its -wal and -shm files the same permissions."""
    if path and not os.path.exists(path):
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def sqlite_url(path: str) -> str:
    return f"sqlite:///{path}"


def connect(url: str) -> Engine:
    """An engine for ``url`` (a SQLAlchemy URL, or a plain path meaning a SQLite file), migrated."""
    if "://" not in url:
        _private_file(url)
        url = sqlite_url(url)
    elif url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        _private_file(url[len("sqlite:///"):])
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    # hide_parameters: a database error's message never carries the values (patient text)
    engine = create_engine(url, future=True, pool_pre_ping=True, hide_parameters=True)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=10000")
            cur.close()
    migrate(engine)
    return engine


def migrate(engine: Engine) -> list[int]:
    """Apply the migrations not yet recorded; returns the versions applied.

    On SQLite the migrations run with foreign-key enforcement off (a table rebuild drops a
    referenced table) and the references are checked before the connection is used again."""
    applied = []
    with engine.connect() as conn:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # outside a transaction, or it does nothing
            conn.commit()
        try:
            with conn.begin():
                metadata.create_all(conn, tables=[migrations])
                done = {row[0] for row in conn.execute(select(migrations.c.version))}
                for version, _desc, fn in MIGRATIONS:
                    if version not in done:
                        fn(conn)
                        conn.execute(insert(migrations).values(version=version, applied_at=now()))
                        applied.append(version)
                if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                    raise RuntimeError("a migration left a broken reference; nothing was changed")
        finally:
            if sqlite:
                conn.rollback()
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()
    return applied


