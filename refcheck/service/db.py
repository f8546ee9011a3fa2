"""The screening desk's data layer: one module for SQLite (default) and PostgreSQL.

SQLAlchemy Core over plain tables; schema changes are numbered migrations recorded in
``schema_migrations`` and applied in order at start-up. SQLite runs in WAL mode with full
synchronous commits, so a 2xx answer always means the row is on disk.

Tables:
- ``referrals``: one row per received version of a referral, keyed on (submitter,
  the referral's own id, version), with the refcheck report, refcheck's proposal and the
  screener's decision. The same content again is the stored version; changed content is
  a new version (the older open one is ``superseded``); a cancellation closes the latest
  (``cancelled``). Only the latest open version is on the worklist;
- ``audit_trail``: every change, appended, with who and when;
- ``tokens``: bearer tokens, stored as SHA-256 hashes, each with a role.
"""
from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import DateTime, func, insert, literal, select, tuple_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from .schema import (MIGRATIONS, ROLES, WORKLIST_INDEXES, _columns_of, audit_trail, connect, metadata,  # noqa: F401
                     migrate, migrations, now, referrals, sqlite_url, tokens)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


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


def content_hash(text_: str | None, meta: dict | None = None) -> str:
    """What tells a retry from a change: the SHA-256 of the referral's text and fields."""
    doc = json.dumps({"text": text_, "meta": meta or {}}, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(doc.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Stored:
    """What a submission became: the worklist row, whether it is new, its version and status,
    the report stored with it, and the worklist id of the version it replaced."""

    id: int
    created: bool
    version: int
    status: str
    report: dict
    supersedes: int | None = None


def _latest(conn, submitter: str, external_id: str):
    return conn.execute(select(referrals.c.id, referrals.c.version, referrals.c.status, referrals.c.content_hash,
                               referrals.c.text, referrals.c.report)
                        .where(referrals.c.submitted_by == submitter, referrals.c.external_id == external_id)
                        .order_by(referrals.c.version.desc()).limit(1)).first()


def _same(row, digest: str, text_: str | None) -> bool:
    # rows stored before version 4 have no hash: the same text is the same referral
    return row.content_hash == digest if row.content_hash is not None else row.text == text_


def stored_version(engine: Engine, submitter: str, external_id: str, digest: str) -> Stored | None:
    """The latest stored version of this submitter's referral if it has this content (a
    retry: answer with what was stored, without screening again), else None."""
    with engine.connect() as conn:
        row = _latest(conn, submitter, external_id)
    if row is None or row.content_hash != digest:
        return None
    return Stored(int(row.id), False, int(row.version), row.status, json.loads(row.report))


def store_referral(engine: Engine, external_id: str, actor: str, text_: str | None, report: dict,
                   referral_date: str | None, digest: str | None = None, message: dict | None = None) -> Stored:
    """Store a screened referral under (submitter ``actor``, ``external_id``).

    - first time: version 1, open;
    - the same content as the latest version: nothing changes (a retry), that version returned;
    - changed content: a new version, open; an older version still open is ``superseded``
      (a decided one keeps its decision); both changes join the audit trail.
    """
    digest = digest or content_hash(text_)
    for _attempt in range(5):
        at = now()
        try:
            with engine.begin() as conn:
                latest = _latest(conn, actor, external_id)
                if latest is not None and _same(latest, digest, text_):
                    return Stored(int(latest.id), False, int(latest.version), latest.status, json.loads(latest.report))
                version = 1 if latest is None else int(latest.version) + 1
                values = dict(external_id=external_id, received_at=at, submitted_by=actor, text=text_,
                              report=json.dumps(report, ensure_ascii=False), proposed_action=report["action"],
                              appropriateness=report["appropriateness"], region=report["exam"]["region"],
                              referral_date=referral_date, status="open", version=version, content_hash=digest,
                              message=json.dumps(message, ensure_ascii=False) if message else None,
                              **_columns_of(report))
                rid = int(conn.execute(insert(referrals).values(**values)).inserted_primary_key[0])
                detail = f"proposed {report['action']}"
                if latest is not None:
                    detail = f"version {version}, replacing #{latest.id}; " + detail
                    if latest.status == "open":
                        conn.execute(update(referrals).where(referrals.c.id == latest.id).values(status="superseded"))
                    conn.execute(insert(audit_trail).values(referral_id=latest.id, at=at, actor=actor, event="superseded",
                                                            detail=f"by version {version} (#{rid})"))
                conn.execute(insert(audit_trail).values(referral_id=rid, at=at, actor=actor, event="received",
                                                        detail=detail))
            return Stored(rid, True, version, "open", report, None if latest is None else int(latest.id))
        except IntegrityError:
            continue  # a concurrent submission took this version number: look again
    raise RuntimeError("could not store the referral: concurrent submissions of the same id")


def cancel_referral(engine: Engine, external_id: str, actor: str) -> Stored | None:
    """Cancel this submitter's referral (its latest version leaves the worklist); None when
    the submitter has no referral with this id. Cancelling twice changes nothing."""
    with engine.begin() as conn:
        latest = _latest(conn, actor, external_id)
        if latest is None:
            return None
        if latest.status != "cancelled":
            conn.execute(update(referrals).where(referrals.c.id == latest.id).values(status="cancelled"))
            conn.execute(insert(audit_trail).values(referral_id=latest.id, at=now(), actor=actor, event="cancelled",
                                                    detail=f"cancelled by the referrer (was {latest.status})"))
    return Stored(int(latest.id), latest.status != "cancelled", int(latest.version), "cancelled",
                  json.loads(latest.report))


#: Page size of the worklist: the default and the most one request may ask for.
PAGE_SIZE, MAX_PAGE = 100, 500


def worklist(engine: Engine, action: str | None = None, region: str | None = None,
             since: str | None = None, until: str | None = None, limit: int = PAGE_SIZE, *,
             modality: str | None = None, red_flags: bool | None = None, q: str | None = None,
             after: str | None = None) -> dict:
    """One page of open referrals, escalations first, then oldest first: sorted, filtered and
    cut by the database (keyset pagination on (priority, received_at, id): ``after`` is
    the previous page's ``next`` cursor). ``q`` searches the referral's id and text."""
    cols = referrals.c
    query = select(cols.id, cols.external_id, cols.received_at, cols.proposed_action, cols.appropriateness, cols.region,
                   cols.referral_date, cols.version, cols.submitted_by, cols.modality, cols.patient_age,
                   cols.patient_sex, cols.red_flags, cols.priority, cols.report).where(cols.status == "open")
    if action:
        query = query.where(cols.proposed_action == action)
    if region:
        query = query.where(cols.region == region)
    if modality:
        query = query.where(cols.modality == modality)
    if red_flags is not None:
        query = query.where(cols.red_flags > 0 if red_flags else cols.red_flags == 0)
    if since:
        query = query.where(cols.received_at >= _instant(since))
    if until:
        query = query.where(cols.received_at < _instant(until))
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(cols.external_id.ilike(pattern, escape="\\") | cols.text.ilike(pattern, escape="\\"))
    if after:
        priority, received, rid = _cursor(after)
        query = query.where(tuple_(cols.priority, cols.received_at, cols.id) > tuple_(
            literal(priority), literal(received, DateTime(timezone=True)), literal(rid)))
    limit = max(1, min(int(limit), MAX_PAGE))
    query = query.order_by(cols.priority, cols.received_at, cols.id).limit(limit + 1)
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    more = len(rows) > limit
    rows = rows[:limit]
    out = []
    for r in rows:
        report = json.loads(r.pop("report"))
        r["recommended_modality"] = report.get("recommended_modality")
        r["received_at"] = _aware(r["received_at"]).isoformat()
        out.append(r)
    cursor = _make_cursor(rows[-1]) if more and rows else None
    return {"referrals": out, "next": cursor}


def _make_cursor(row: dict) -> str:
    import base64

    raw = json.dumps([row["priority"], row["received_at"], row["id"]])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _cursor(value: str) -> tuple[int, datetime, int]:
    """Decode a cursor (ValueError when it is not one of ours)."""
    import base64

    try:
        priority, received, rid = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
        return int(priority), _instant(received), int(rid)
    except (ValueError, TypeError, json.JSONDecodeError) as exc:
        raise ValueError("bad cursor") from exc


def get_referral(engine: Engine, rid: int) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(select(referrals).where(referrals.c.id == rid)).first()
        if row is None:
            return None
        trail = [dict(t._mapping) for t in conn.execute(
            select(audit_trail).where(audit_trail.c.referral_id == rid).order_by(audit_trail.c.id))]
        versions = [dict(v._mapping) for v in conn.execute(
            select(referrals.c.id, referrals.c.version, referrals.c.status, referrals.c.received_at,
                   referrals.c.proposed_action, referrals.c.decision)
            .where(referrals.c.submitted_by == row.submitted_by, referrals.c.external_id == row.external_id)
            .order_by(referrals.c.version))]
    out = dict(row._mapping)
    out.pop("content_hash", None)
    out["message"] = json.loads(out["message"]) if out.get("message") else None
    for v in versions:
        v["received_at"] = v["received_at"].isoformat()
    out["versions"] = versions
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


def decide(engine: Engine, rid: int, decision: str, reason: str | None, actor: str) -> str:
    """Record the screener's decision; the proposal stays; every change joins the audit trail
    (event ``override`` when the decision differs from refcheck's proposal). Returns "done",
    "missing", "reason_required" (overriding an escalation or an urgent referral needs a
    reason), or the status that forbids a decision ("superseded", "cancelled")."""
    at = now()
    with engine.begin() as conn:
        row = conn.execute(select(referrals.c.proposed_action, referrals.c.decision, referrals.c.status,
                                  referrals.c.appropriateness).where(referrals.c.id == rid)).first()
        if row is None:
            return "missing"
        if row.status in ("superseded", "cancelled"):
            return row.status
        urgent = row.proposed_action == "escalate" or row.appropriateness == "urgent"
        if urgent and decision != row.proposed_action and not (reason or "").strip():
            return "reason_required"
        conn.execute(update(referrals).where(referrals.c.id == rid).values(
            status="decided", decision=decision, reason=reason, decided_by=actor, decided_at=at))
        kind = "confirmed" if decision == row.proposed_action else "overridden"
        detail = f"{kind}: {row.proposed_action} -> {decision}" + (f"; previous decision {row.decision}" if row.decision else "")
        if kind == "overridden" and urgent:
            detail = "URGENT " + detail
        conn.execute(insert(audit_trail).values(referral_id=rid, at=at, actor=actor,
                                                event="decision" if kind == "confirmed" else "override",
                                                detail=detail + (f"; reason: {reason}" if reason else "")))
    return "done"


def stats(engine: Engine) -> dict:
    """Agreement between refcheck's proposals and the screeners' decisions."""
    with engine.connect() as conn:
        keys = select(referrals.c.submitted_by, referrals.c.external_id).distinct().subquery()
        total = conn.execute(select(func.count()).select_from(keys)).scalar_one()
        by_status = dict(conn.execute(select(referrals.c.status, func.count()).group_by(referrals.c.status)).all())
        rows = conn.execute(select(referrals.c.proposed_action, referrals.c.decision, func.count())
                            .where(referrals.c.status == "decided")
                            .group_by(referrals.c.proposed_action, referrals.c.decision)).all()
        open_n = conn.execute(select(func.count()).select_from(referrals).where(referrals.c.status == "open")).scalar_one()
        urgent_overrides = conn.execute(select(func.count()).select_from(referrals).where(
            referrals.c.status == "decided", referrals.c.decision != referrals.c.proposed_action,
            (referrals.c.proposed_action == "escalate") | (referrals.c.appropriateness == "urgent"))).scalar_one()
    decided = sum(n for _, _, n in rows)
    agree = sum(n for p, d, n in rows if p == d)
    confusion: dict[str, dict[str, int]] = {}
    for p, d, n in rows:
        confusion.setdefault(p, {})[d] = n
    return {"referrals": total, "versions": sum(by_status.values()), "superseded": by_status.get("superseded", 0),
            "cancelled": by_status.get("cancelled", 0), "open": open_n, "decided": decided, "agreed": agree,
            "agreement": round(agree / decided, 4) if decided else None, "overrides": decided - agree,
            "urgent_overrides": urgent_overrides, "proposed_vs_decided": confusion}
