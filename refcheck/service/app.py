"""The screening desk's HTTP service (FastAPI): screen, store, worklist, decisions, stats.

Every endpoint except ``/healthz`` and ``/readyz`` needs ``Authorization: Bearer <token>``
(tokens from ``refcheck token create``); the token's role limits what it may do:

=================  =========  ========  =======
endpoint           submitter  screener  auditor
=================  =========  ========  =======
POST /v1/referrals     ✓          ✓
POST /v1/check         ✓          ✓        ✓
GET  /v1/worklist                 ✓        ✓
GET  /v1/referrals/{id}           ✓        ✓
GET  …/{id}/reply                 ✓        ✓
POST …/{id}/decision              ✓
GET  /v1/stats                    ✓        ✓
GET  /v1/rules[/{code}] ✓         ✓        ✓
=================  =========  ========  =======

A referral is keyed on (submitter, its own ``id``). Posting the same content again answers
200 with the stored report (a retry); changed content is stored as a new version, screened
again, and replaces the older one on the worklist (201, ``version`` and ``supersedes``); a
body with ``"status": "cancelled"`` (or a FHIR ServiceRequest revoked / entered-in-error)
takes it off the worklist. A submitter never learns of another submitter's ids.

Bodies are capped (413); malformed JSON or FHIR gives 422 with a message that never
echoes the body; logs carry method, path, status and timing only.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import secrets
import time
from datetime import datetime
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from .. import __version__
from ..api import check_record, highlights
from ..contract import ACTIONS
from ..inputs.records import InputRecord, fhir_records, record_from_mapping
from . import db

log = logging.getLogger("refcheck.service")
MAX_BODY = 256 * 1024
PERMISSIONS = {
    "submit": {"submitter", "screener"}, "check": {"submitter", "screener", "auditor"},
    "read": {"screener", "auditor"}, "decide": {"screener"}, "rules": {"submitter", "screener", "auditor"},
}
DECISIONS = ("accept", "decline", "redirect", "return", "escalate")


class Problem(HTTPException):
    """An error answer with a code and a message that never contains referral text."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(status_code=status, detail={"code": code, "message": message}, headers=headers)


#: Sent with every response: nothing is framed, sniffed, cached or referred (patient data).
SECURITY_HEADERS = {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
                    "Cache-Control": "no-store", "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'"}
#: What the database columns hold: ids up to 200 characters, a referral date as YYYY-MM-DD.
MAX_ID_CHARS = 200
MAX_REASON = 4000
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def storable(record) -> str | None:
    """Check a screened record fits the database before storing it (422 naming the field,
    never its value): no NUL bytes, an id of at most 200 characters, a date that is an ISO
    date or begins with one (a full timestamp keeps its date)."""
    if "\x00" in record.id or len(record.id) > MAX_ID_CHARS:
        raise Problem(422, "bad_record", f"'id' must be at most {MAX_ID_CHARS} characters without NUL bytes")
    if record.text is not None and "\x00" in record.text:
        raise Problem(422, "bad_record", "'text' must not contain NUL bytes")
    date = record.meta.get("date")
    if date is None:
        return None
    if not _DATE.match(date):
        raise Problem(422, "bad_record", "'date' must be an ISO 8601 date (YYYY-MM-DD)")
    try:
        datetime.date(datetime.strptime(date[:10], "%Y-%m-%d"))
    except ValueError:
        raise Problem(422, "bad_record", "'date' must be an ISO 8601 date (YYYY-MM-DD)") from None
    return date[:10]


#: How a submission cancels a referral: ``"status": "cancelled"`` on a plain record (KITH
#: Kansellering), a FHIR ServiceRequest whose status is revoked or entered-in-error.
CANCELLED = ("cancelled", "canceled", "revoked", "entered-in-error")


def _service_request(body: dict) -> dict:
    if body.get("resourceType") == "Bundle":
        for entry in body.get("entry") or []:
            res = entry.get("resource") if isinstance(entry, dict) else None
            if isinstance(res, dict) and res.get("resourceType") == "ServiceRequest":
                return res
    return body


def is_cancellation(body: dict) -> bool:
    return _service_request(body).get("status") in CANCELLED


def cancelled_id(body: dict) -> str:
    rid = _service_request(body).get("id")
    return str(rid) if rid not in (None, "") else ""


def check_budget() -> float:
    """Seconds a screening request may take (``REFCHECK_CHECK_BUDGET``, default 20)."""
    try:
        return max(0.0, float(os.environ.get("REFCHECK_CHECK_BUDGET", "20")))
    except ValueError:
        return 20.0


#: A client with this many failed authentications within AUTH_WINDOW seconds gets 429.
AUTH_FAILURES = 20
AUTH_WINDOW = 60
#: Worklist ids are 64-bit integers; a larger one is no referral (404), not a database error.
MAX_ID = 2 ** 63


def create_app(db_url: str) -> FastAPI:
    # Long by design: the routes are closures over this app's engine and helpers, one
    # short nested function per endpoint (the usual FastAPI factory shape).
    engine = db.connect(db_url)
    # No /docs or /redoc: FastAPI's pages load scripts from a CDN; the OpenAPI document
    # itself is served at /openapi.json.
    app = FastAPI(title="refcheck screening desk", version=__version__, docs_url=None, redoc_url=None,
                  description="Screens imaging referrals against the guidelines (refcheck.report/1) and keeps "
                              "the screening desk's worklist, decisions and audit trail.")
    app.state.engine = engine

    @app.middleware("http")
    async def cap_and_log(request: Request, call_next):
        t0 = time.perf_counter()
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_BODY:
            response = JSONResponse({"code": "too_large", "message": f"request body over {MAX_BODY} bytes"}, 413)
        else:
            response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        log.info("%s %s %s %.1fms", request.method, request.url.path, response.status_code,
                 (time.perf_counter() - t0) * 1000)
        return response

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception):
        # the type and the path only: a traceback would carry SQL parameters (patient text)
        log.error("internal error %s on %s %s", type(exc).__name__, request.method, request.url.path)
        return JSONResponse({"code": "internal", "message": "internal error; nothing was stored"}, status_code=500)

    @app.exception_handler(HTTPException)
    async def problem(_request: Request, exc: HTTPException):
        detail = exc.detail if isinstance(exc.detail, dict) else {"code": "error", "message": str(exc.detail)}
        return JSONResponse(detail, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    failures: dict[str, list[float]] = {}  # client → times of its recent failed authentications

    def role(*allowed: str):
        def dependency(request: Request) -> tuple[str, str]:
            client = request.client.host if request.client else "?"
            t = time.monotonic()
            recent = [x for x in failures.get(client, ()) if t - x < AUTH_WINDOW]
            if len(recent) >= AUTH_FAILURES:
                raise Problem(429, "too_many_failures", f"too many failed authentications; wait {AUTH_WINDOW} s",
                              headers={"Retry-After": str(AUTH_WINDOW)})
            auth = request.headers.get("authorization", "")
            found = db.token_role(engine, auth[7:].strip()) if auth.lower().startswith("bearer ") else None
            if found is None:
                failures[client] = recent + [t]
                if len(failures) > 10_000:  # bounded memory
                    failures.clear()
                raise Problem(401, "unauthorized", "a valid bearer token is required (unknown, revoked or expired)")
            failures.pop(client, None)
            if found[1] not in allowed:
                raise Problem(403, "forbidden", f"role '{found[1]}' may not do this")
            return found
        return dependency

    async def raw_body(request: Request) -> bytes:
        # read as it streams, stopping at the cap: a chunked body without Content-Length is
        # never buffered past MAX_BODY
        parts, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY:
                raise Problem(413, "too_large", f"request body over {MAX_BODY} bytes")
            parts.append(chunk)
        return b"".join(parts)

    def is_xml(request: Request) -> bool:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        return kind in ("application/xml", "text/xml") or kind.endswith("+xml")

    def message_record(raw: bytes):
        """A KITH / MedCom message → (record, message); unreadable → 422 naming element and rule."""
        from ..inputs.messages import read_message

        msg = read_message(raw, "message")
        if msg.record.error is not None:
            raise Problem(422, "bad_record", msg.record.error.message)
        return msg.record, msg

    async def json_body(request: Request) -> dict:
        raw = await raw_body(request)
        try:
            body = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise Problem(422, "bad_json", f"the body is not valid JSON ({type(exc).__name__} at position "
                                           f"{getattr(exc, 'pos', '?')})") from None
        if not isinstance(body, dict):
            raise Problem(422, "bad_record", "the body must be a JSON object (a referral or a FHIR ServiceRequest)")
        return body

    def read_record(body: dict, require_id: bool):
        if body.get("resourceType") == "Bundle":
            # a ServiceRequest with its Patient bundled: exactly one ServiceRequest expected
            found = list(fhir_records(body, str(body.get("id") or "bundle")))
            if len(found) != 1:
                raise Problem(422, "bad_record", f"the Bundle must hold exactly one ServiceRequest (found {len(found)})")
            record = found[0]
            if record.error is not None:
                raise Problem(422, "bad_record", record.error.message)
            return record
        if require_id and not body.get("id"):
            raise Problem(422, "bad_record", "'id' is required: a retried POST is matched on the referral's own id")
        record = record_from_mapping(body, str(body.get("id") or "unsaved"))
        if record.error is not None and record.error.code == "bad_record":
            raise Problem(422, "bad_record", record.error.message)
        return record

    def screen(body, require_id: bool):
        record = body if isinstance(body, InputRecord) else read_record(body, require_id)
        return record, check_record(record)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict:
        return {"status": "ok", "version": __version__}

    @app.get("/readyz", tags=["health"])
    def readyz() -> dict:
        from ..nlp import build

        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        for lang in ("nb", "nn", "da"):
            build(lang)
        return {"status": "ready"}

    async def screen_off_loop(body: dict, require_id: bool):
        """Screen in the worker pool, not on the event loop (health checks and other
        requests go on meanwhile), within the time budget: past it, 503 and nothing stored."""
        try:
            return await asyncio.wait_for(run_in_threadpool(screen, body, require_id), check_budget())
        except asyncio.TimeoutError:
            raise Problem(503, "busy", f"the referral could not be screened within {check_budget():g} s; "
                                       "nothing was stored: send it again") from None

    @app.post("/v1/referrals", status_code=201, tags=["referrals"])
    async def submit(request: Request, who=Depends(role(*PERMISSIONS["submit"]))) -> Any:
        message = None
        if is_xml(request):  # a KITH Rekvisisjon / Henvisning or MedCom XREF message
            record, message = await run_in_threadpool(message_record, await raw_body(request))
            body: Any = record
            cancel, cancel_id = message.kind == "cancel", record.id
        else:
            body = await json_body(request)
            cancel, cancel_id = is_cancellation(body), cancelled_id(body)
        if cancel:
            if not cancel_id or len(cancel_id) > MAX_ID_CHARS or "\x00" in cancel_id:
                raise Problem(422, "bad_record", "a cancellation needs the referral's 'id'")
            done = await run_in_threadpool(db.cancel_referral, engine, cancel_id, who[0])
            if done is None:
                raise Problem(404, "not_found", "this submitter has no referral with that id")
            return JSONResponse({"worklist_id": done.id, "version": done.version, "status": done.status,
                                 "created": False, "cancelled": done.created}, status_code=200)
        record = body if isinstance(body, InputRecord) else read_record(body, require_id=True)
        date = storable(record)  # before any query: PostgreSQL refuses a NUL byte even in a lookup
        digest = db.content_hash(record.text, record.meta)
        stored = await run_in_threadpool(db.stored_version, engine, who[0], record.id, digest)
        if stored is None:  # new, or changed: screen it (off the event loop) and store a version
            record, report = await screen_off_loop(body, require_id=True)
            stored = await run_in_threadpool(db.store_referral, engine, record.id, who[0], record.text,
                                             report.to_dict(), date, digest, message.info() if message else None)
        out = {**stored.report, "worklist_id": stored.id, "created": stored.created, "version": stored.version,
               "status": stored.status}
        if stored.supersedes is not None:
            out["supersedes"] = stored.supersedes
        return JSONResponse(out, status_code=201 if stored.created else 200)

    @app.get("/v1/referrals/{rid}/reply", tags=["referrals"])
    def get_reply(rid: int, kind: str = "apprec", _who=Depends(role(*PERMISSIONS["read"]))) -> Any:
        """The answer to a referral that came as an electronic message: ``apprec`` (KITH
        AppRec v1.1), ``dialog`` (Dialogmelding "Status på henvisning", for a proposed
        decline, return or redirect) or ``receipt`` (MedCom)."""
        from fastapi.responses import Response

        from ..inputs.messages import Message
        from ..render import replies

        row = db.get_referral(engine, rid) if 0 < rid < MAX_ID else None
        if row is None:
            raise Problem(404, "not_found", f"no referral {rid}")
        if not row.get("message"):
            raise Problem(409, "not_a_message", "this referral did not come as an electronic message")
        msg = Message.from_info(row["message"])
        makers = {"apprec": lambda: replies.apprec(msg), "receipt": lambda: replies.medcom_receipt(msg)}
        if replies.needs_dialog(row["report"]):
            makers["dialog"] = lambda: replies.dialogmelding(msg, row["report"])
        allowed = ["receipt"] if not msg.norwegian else [k for k in ("apprec", "dialog") if k in makers]
        if kind not in allowed:
            raise Problem(422, "bad_kind", f"kind must be one of {allowed} for this referral")
        return Response(makers[kind](), media_type="application/xml")

    @app.post("/v1/check", tags=["referrals"])
    async def check_only(request: Request, _who=Depends(role(*PERMISSIONS["check"]))) -> Any:
        if is_xml(request):
            record, _message = await run_in_threadpool(message_record, await raw_body(request))
            _record, report = await screen_off_loop(record, require_id=False)
            return report.to_dict()
        body = await json_body(request)
        _record, report = await screen_off_loop(body, require_id=False)
        return report.to_dict()

    @app.get("/v1/worklist", tags=["worklist"])
    def get_worklist(action: str | None = None, region: str | None = None, since: str | None = None,
                     until: str | None = None, modality: str | None = None, red_flags: bool | None = None,
                     q: str | None = None, after: str | None = None, limit: int = db.PAGE_SIZE,
                     _who=Depends(role(*PERMISSIONS["read"]))) -> Any:
        """Open referrals, escalations first then oldest first, a page at a time: pass the
        answer's ``next`` as ``after`` for the following page (``limit`` ≤ 500)."""
        if action and action not in ACTIONS:
            raise Problem(422, "bad_filter", f"action must be one of {ACTIONS}")
        if q is not None and (len(q) > 200 or "\x00" in q):
            raise Problem(422, "bad_filter", "q must be at most 200 characters without NUL bytes")
        if not 1 <= limit <= db.MAX_PAGE:
            raise Problem(422, "bad_filter", f"limit must be between 1 and {db.MAX_PAGE}")
        try:
            return db.worklist(engine, action, region, since, until, limit, modality=modality, red_flags=red_flags,
                               q=q or None, after=after)
        except ValueError:
            raise Problem(422, "bad_filter", "since/until must be ISO 8601 dates; after must be a cursor "
                                             "from a previous page") from None

    @app.get("/v1/referrals/{rid}", tags=["referrals"])
    def get_one(rid: int, _who=Depends(role(*PERMISSIONS["read"]))) -> Any:
        row = db.get_referral(engine, rid) if 0 < rid < MAX_ID else None
        if row is None:
            raise Problem(404, "not_found", f"no referral {rid}")
        row["highlights"] = highlights(row["text"] or "", row["report"].get("language"))
        return row

    @app.post("/v1/referrals/{rid}/decision", tags=["referrals"])
    async def post_decision(rid: int, request: Request, who=Depends(role(*PERMISSIONS["decide"]))) -> Any:
        body = await json_body(request)
        decision = body.get("decision")
        if decision not in DECISIONS:
            raise Problem(422, "bad_decision", f"decision must be one of {DECISIONS}")
        reason = body.get("reason")
        if reason is not None and not isinstance(reason, str):
            raise Problem(422, "bad_decision", "reason must be a string")
        if reason is not None and ("\x00" in reason or len(reason) > MAX_REASON):
            raise Problem(422, "bad_decision", f"reason must be at most {MAX_REASON} characters without NUL bytes")
        done = db.decide(engine, rid, decision, reason, who[0]) if 0 < rid < MAX_ID else "missing"
        if done == "missing":
            raise Problem(404, "not_found", f"no referral {rid}")
        if done == "reason_required":
            raise Problem(422, "reason_required", "overriding an escalation or an urgent referral needs a reason")
        if done != "done":
            raise Problem(409, done, f"referral {rid} is {done}" + (
                " by a newer version: decide on the latest" if done == "superseded" else " by the referrer"))
        return db.get_referral(engine, rid)

    @app.get("/v1/stats", tags=["worklist"])
    def get_stats(_who=Depends(role(*PERMISSIONS["read"]))) -> Any:
        return db.stats(engine)

    @app.get("/v1/rules", tags=["rules"])
    def rules(_who=Depends(role(*PERMISSIONS["rules"]))) -> Any:
        from ..rules.citations import display
        from ..rules.engine import load_catalogue

        return [{"code": r.code, "name": r.name, "kind": r.kind, "severity": r.severity,
                 "appropriateness": r.appropriateness, "citation": display(r.citation), "source": r.citation}
                for r in load_catalogue().rules]

    @app.get("/v1/rules/{code}", tags=["rules"])
    def rule(code: str, _who=Depends(role(*PERMISSIONS["rules"]))) -> Any:
        from ..rules.citations import display
        from ..rules.engine import load_catalogue

        r = load_catalogue().get(code)
        if r is None:
            raise Problem(404, "not_found", f"no rule {code}")
        return {"code": r.code, "name": r.name, "kind": r.kind, "severity": r.severity,
                "appropriateness": r.appropriateness, "citation": display(r.citation), "source": r.citation,
                "message": r.message, "doc": r.doc}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page(lang: str = "nb") -> HTMLResponse:
        from .page import worklist_page

        nonce = secrets.token_urlsafe(16)  # the page's one script runs by nonce; no other script can
        html = worklist_page(lang).replace("<script>", f'<script nonce="{nonce}">', 1)
        return HTMLResponse(html, headers={"Content-Security-Policy": (
            f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
            "connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")})

    return app
