"""The screening desk's data layer: one module for SQLite (default) and PostgreSQL.

SQLAlchemy Core over plain tables; schema changes are numbered migrations recorded in
``schema_migrations`` and applied in order at start-up. SQLite runs in WAL mode with full
synchronous commits, so a 2xx answer always means the row is on disk.

Tables:
- ``referrals``: one row per received referral (idempotent on ``external_id``), the
  refcheck report, refcheck's proposal and the screener's decision;
- ``audit_trail``: every change, appended, with who and when;
- ``tokens``: bearer tokens, stored as SHA-256 hashes, each with a role.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy import (Column, DateTime, ForeignKey, Integer, MetaData, String, Table, Text, UniqueConstraint,
                        create_engine, event, func, insert, select, text, update)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

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
                  UniqueConstraint("external_id", name="uq_referrals_external_id"))
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
]


def _add_token_columns(conn) -> None:
    """Databases made before version 3 lack the token lifecycle columns (new ones have them)."""
    from sqlalchemy import inspect

    have = {c["name"] for c in inspect(conn).get_columns("tokens")}
    kind = "TIMESTAMP WITH TIME ZONE" if conn.dialect.name == "postgresql" else "DATETIME"
    for col in ("expires_at", "revoked_at", "last_used_at"):
        if col not in have:
            conn.execute(text(f"ALTER TABLE tokens ADD COLUMN {col} {kind}"))


def now() -> datetime:
    return datetime.now(timezone.utc)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


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
    """Apply the migrations not yet recorded; returns the versions applied."""
    applied = []
    with engine.begin() as conn:
        metadata.create_all(conn, tables=[migrations])
        done = {row[0] for row in conn.execute(select(migrations.c.version))}
        for version, _desc, fn in MIGRATIONS:
            if version not in done:
                fn(conn)
                conn.execute(insert(migrations).values(version=version, applied_at=now()))
                applied.append(version)
    return applied


def create_token(engine: Engine, role: str, name: str, expires_days: int | None = None) -> str:
    """Create a bearer token with ``role`` (valid ``expires_days`` days, or until revoked);
    only its hash is stored. Returns the token."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    expires = now() + timedelta(days=expires_days) if expires_days else None
    token = "rc_" + secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(insert(tokens).values(name=name, role=role, token_hash=hash_token(token), created_at=now(),
                                           expires_at=expires))
    return token


def _aware(t: datetime | None) -> datetime | None:
    return t.replace(tzinfo=timezone.utc) if t is not None and t.tzinfo is None else t  # SQLite drops the zone


def token_role(engine: Engine, token: str) -> tuple[str, str] | None:
    """(name, role) of a presented token that is neither revoked nor expired, or None.
    Its last use is recorded (at most once a minute per token)."""
    t = now()
    with engine.begin() as conn:
        row = conn.execute(select(tokens.c.id, tokens.c.name, tokens.c.role, tokens.c.expires_at, tokens.c.revoked_at,
                                  tokens.c.last_used_at).where(tokens.c.token_hash == hash_token(token))).first()
        if row is None or row.revoked_at is not None or (row.expires_at is not None and _aware(row.expires_at) <= t):
            return None
        if row.last_used_at is None or (t - _aware(row.last_used_at)).total_seconds() > 60:
            conn.execute(update(tokens).where(tokens.c.id == row.id).values(last_used_at=t))
    return row.name, row.role


def list_tokens(engine: Engine) -> list[dict]:
    """Every token's id, name, role and dates (never the token or its hash)."""
    with engine.connect() as conn:
        rows = conn.execute(select(tokens.c.id, tokens.c.name, tokens.c.role, tokens.c.created_at, tokens.c.expires_at,
                                   tokens.c.revoked_at, tokens.c.last_used_at).order_by(tokens.c.id)).all()
    return [{k: (_aware(v).isoformat() if isinstance(v, datetime) else v) for k, v in r._mapping.items()} for r in rows]


def revoke_token(engine: Engine, token_id: int) -> bool:
    """Revoke a token by its id; False when there is no such (unrevoked) token."""
    with engine.begin() as conn:
        res = conn.execute(update(tokens).where(tokens.c.id == token_id, tokens.c.revoked_at.is_(None))
                           .values(revoked_at=now()))
    return res.rowcount == 1


def store_referral(engine: Engine, external_id: str, actor: str, text_: str | None, report: dict,
                   referral_date: str | None) -> tuple[int, bool]:
    """Store a screened referral; idempotent on ``external_id``. Returns (worklist id, created)."""
    values = dict(external_id=external_id, received_at=now(), submitted_by=actor, text=text_,
                  report=json.dumps(report, ensure_ascii=False), proposed_action=report["action"],
                  appropriateness=report["appropriateness"], region=report["exam"]["region"],
                  referral_date=referral_date, status="open")
    try:
        with engine.begin() as conn:
            rid = conn.execute(insert(referrals).values(**values)).inserted_primary_key[0]
            conn.execute(insert(audit_trail).values(referral_id=rid, at=values["received_at"], actor=actor,
                                                    event="received", detail=f"proposed {report['action']}"))
        return int(rid), True
    except IntegrityError:
        with engine.connect() as conn:
            rid = conn.execute(select(referrals.c.id).where(referrals.c.external_id == external_id)).scalar_one()
        return int(rid), False


_ORDER = {"escalate": 0, "return": 2, "manual": 2, "redirect": 3, "decline": 3, "accept": 4}


def worklist(engine: Engine, action: str | None = None, region: str | None = None,
             since: str | None = None, until: str | None = None, limit: int = 200) -> list[dict]:
    """Open referrals, escalations first, then by arrival."""
    q = select(referrals.c.id, referrals.c.external_id, referrals.c.received_at, referrals.c.proposed_action,
               referrals.c.appropriateness, referrals.c.region, referrals.c.referral_date).where(referrals.c.status == "open")
    if action:
        q = q.where(referrals.c.proposed_action == action)
    if region:
        q = q.where(referrals.c.region == region)
    if since:
        q = q.where(referrals.c.received_at >= _instant(since))
    if until:
        q = q.where(referrals.c.received_at < _instant(until))
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(q.order_by(referrals.c.received_at, referrals.c.id))]
    rows.sort(key=lambda r: (r["proposed_action"] != "escalate", r["received_at"], r["id"]))
    for r in rows:
        r["received_at"] = r["received_at"].isoformat()
    return rows[:limit]


def get_referral(engine: Engine, rid: int) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(select(referrals).where(referrals.c.id == rid)).first()
        if row is None:
            return None
        trail = [dict(t._mapping) for t in conn.execute(
            select(audit_trail).where(audit_trail.c.referral_id == rid).order_by(audit_trail.c.id))]
    out = dict(row._mapping)
    out["report"] = json.loads(out["report"])
    for k in ("received_at", "decided_at"):
        out[k] = out[k].isoformat() if out[k] else None
    for t in trail:
        t["at"] = t["at"].isoformat()
    out["audit_trail"] = trail
    return out


def _instant(value: str) -> datetime:
    """An ISO 8601 date or time as a UTC instant: an offset ("+02:00") is converted, a
    naive value is taken as UTC (raises ValueError for anything else)."""
    t = datetime.fromisoformat(value)
    return t.replace(tzinfo=timezone.utc) if t.tzinfo is None else t.astimezone(timezone.utc)


def decide(engine: Engine, rid: int, decision: str, reason: str | None, actor: str) -> bool:
    """Record the screener's decision; the proposal stays; every change joins the audit trail."""
    at = now()
    with engine.begin() as conn:
        row = conn.execute(select(referrals.c.proposed_action, referrals.c.decision).where(referrals.c.id == rid)).first()
        if row is None:
            return False
        conn.execute(update(referrals).where(referrals.c.id == rid).values(
            status="decided", decision=decision, reason=reason, decided_by=actor, decided_at=at))
        kind = "confirmed" if decision == row.proposed_action else "overridden"
        detail = f"{kind}: {row.proposed_action} -> {decision}" + (f"; previous decision {row.decision}" if row.decision else "")
        conn.execute(insert(audit_trail).values(referral_id=rid, at=at, actor=actor, event="decision",
                                                detail=detail + (f"; reason: {reason}" if reason else "")))
    return True


def stats(engine: Engine) -> dict:
    """Agreement between refcheck's proposals and the screeners' decisions."""
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(referrals)).scalar_one()
        rows = conn.execute(select(referrals.c.proposed_action, referrals.c.decision, func.count())
                            .where(referrals.c.status == "decided")
                            .group_by(referrals.c.proposed_action, referrals.c.decision)).all()
        open_n = conn.execute(select(func.count()).select_from(referrals).where(referrals.c.status == "open")).scalar_one()
    decided = sum(n for _, _, n in rows)
    agree = sum(n for p, d, n in rows if p == d)
    confusion: dict[str, dict[str, int]] = {}
    for p, d, n in rows:
        confusion.setdefault(p, {})[d] = n
    return {"referrals": total, "open": open_n, "decided": decided, "agreed": agree,
            "agreement": round(agree / decided, 4) if decided else None, "proposed_vs_decided": confusion}
