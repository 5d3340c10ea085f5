"""Route handlers: login/logout, the console page, the operator JSON API and the internal API
the action server uses. Authorization lives here; authentication, CSRF and headers in
:mod:`operator_console.security`."""
from __future__ import annotations

import hmac
import logging
import math
from typing import Any

from aiohttp import web

from backend_client import BackendError, NotFound, Rejected, Unavailable
from operator_console import keys
from operator_console.cases import CaseForm, filed_message, idempotency_key, note_text

from operator_console.accounts import User, authenticate
from operator_console.handoffs import HandoffRequest
from operator_console.pages import console_page, login_page
from operator_console.rasa_api import RasaUnavailable
from operator_console.sessions import COOKIE, Session
from operator_console.transcript import is_paused, messages_since

logger = logging.getLogger(__name__)
MAX_REPLY_CHARS = 2000
FAREWELL = {
    "zh": "人工客服已结束本次服务，智能助手将继续为您服务。",
    "en": "The member of staff has left the conversation; the assistant is back to help you.",
}


def _set_cookie(request: web.Request, response: web.StreamResponse, session: Session) -> None:
    response.set_cookie(COOKIE, session.token, httponly=True, samesite="Strict", path="/",
                        secure=request.app[keys.SETTINGS].secure_cookies)


def _user(request: web.Request) -> User:
    return request["session"].user


# ---------------------------------------------------------------- login

async def login_form(request: web.Request) -> web.StreamResponse:
    session: Session | None = request["session"]
    if session is not None and session.user is not None:
        raise web.HTTPSeeOther("/")
    if session is None:
        session = await request.app[keys.SESSIONS].create(None)
    response = web.Response(text=login_page(session.csrf_token), content_type="text/html")
    _set_cookie(request, response, session)
    return response


async def login(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    name, password = str(form.get("name") or "")[:64], str(form.get("password") or "")[:200]
    limiter = request.app[keys.LIMITER]
    throttle = (f"ip:{request.remote}", f"name:{name.strip().lower()}")
    session: Session = request["session"]
    if limiter.blocked(*throttle):
        logger.warning("login throttled for %s", throttle)
        return web.Response(text=login_page(session.csrf_token, "尝试次数过多，请稍后再试 / Too many attempts, try later."),
                            content_type="text/html", status=429)
    user = await authenticate(request.app[keys.DB], name, password)
    if user is None:
        limiter.failed(*throttle)
        return web.Response(text=login_page(session.csrf_token, "账号或密码错误 / Wrong name or password."),
                            content_type="text/html", status=401)
    limiter.succeeded(throttle[1])
    await request.app[keys.SESSIONS].delete(session.token)
    fresh = await request.app[keys.SESSIONS].create(user)
    response = web.HTTPSeeOther("/")
    _set_cookie(request, response, fresh)
    logger.info("operator %s logged in", user.name)
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    await request.app[keys.SESSIONS].delete(request["session"].token)
    response = web.HTTPSeeOther("/login")
    response.del_cookie(COOKIE, path="/")
    raise response


async def console(request: web.Request) -> web.StreamResponse:
    session: Session = request["session"]
    return web.Response(text=console_page(session.csrf_token, session.user), content_type="text/html")


async def health(request: web.Request) -> web.StreamResponse:
    return web.json_response({"status": "ok"})


# ---------------------------------------------------------------- operator API

async def queue(request: web.Request) -> web.StreamResponse:
    user = _user(request)
    items = await request.app[keys.QUEUE].open_handoffs()
    for item in items:
        item["mine"] = item["claimed_by"] == user.id
    return web.json_response({"me": {"name": user.name, "role": user.role}, "handoffs": items})


def _handoff_id(request: web.Request) -> int:
    try:
        return int(request.match_info["handoff_id"])
    except ValueError:
        raise web.HTTPNotFound() from None


async def _held(request: web.Request, allow_supervisor: bool) -> dict[str, Any]:
    """The open hand-off if the user holds it (or is a supervisor, when allowed); 404/403 otherwise."""
    handoff = await request.app[keys.QUEUE].get(_handoff_id(request))
    if handoff is None:
        raise web.HTTPNotFound(text='{"error": "not_found"}', content_type="application/json")
    user = _user(request)
    if handoff["claimed_by"] != user.id and not (allow_supervisor and user.is_supervisor):
        raise web.HTTPForbidden(text='{"error": "not_yours"}', content_type="application/json")
    return handoff


async def claim(request: web.Request) -> web.StreamResponse:
    user = _user(request)
    handoff_id = _handoff_id(request)
    if not await request.app[keys.QUEUE].claim(handoff_id, user):
        return web.json_response({"error": "already_claimed"}, status=409)
    logger.info("hand-off %s claimed by %s", handoff_id, user.name)
    return web.json_response({"claimed": True, "id": handoff_id})


async def messages(request: web.Request) -> web.StreamResponse:
    handoff = await _held(request, allow_supervisor=True)
    if handoff["status"] == "released":
        return web.json_response({"status": "released", "messages": [], "paused": False})
    try:
        tracker = await request.app[keys.RASA].tracker(handoff["conversation_id"])
    except RasaUnavailable as error:
        return web.json_response({"error": "rasa_unavailable", "detail": str(error)}, status=502)
    return web.json_response({"status": handoff["status"], "paused": is_paused(tracker),
                              "messages": messages_since(tracker, handoff["since"])})


async def reply(request: web.Request) -> web.StreamResponse:
    handoff = await _held(request, allow_supervisor=False)
    if handoff["status"] != "claimed":
        return web.json_response({"error": "not_open"}, status=409)
    try:
        body = await request.json()
    except ValueError:
        return web.json_response({"error": "bad_json"}, status=400)
    text = str((body or {}).get("text") or "").strip() if isinstance(body, dict) else ""
    if not text or len(text) > MAX_REPLY_CHARS:
        return web.json_response({"error": "bad_text"}, status=400)
    try:
        await request.app[keys.RASA].send_bot_message(handoff["conversation_id"], text, _user(request).name)
    except RasaUnavailable as error:
        return web.json_response({"error": "rasa_unavailable", "detail": str(error)}, status=502)
    return web.json_response({"sent": True})


async def release(request: web.Request) -> web.StreamResponse:
    """Say goodbye in the citizen's language, resume the bot, then close the hand-off.

    Rasa first: if it fails the hand-off stays open (the operator can retry) instead of leaving
    a paused conversation that nobody holds.
    """
    handoff = await _held(request, allow_supervisor=True)
    if handoff["status"] == "released":
        return web.json_response({"error": "not_open"}, status=409)
    rasa = request.app[keys.RASA]
    conversation = handoff["conversation_id"]
    try:
        await rasa.send_bot_message(conversation, FAREWELL.get(handoff["language"], FAREWELL["zh"]),
                                    _user(request).name)
        await rasa.resume(conversation)
    except RasaUnavailable as error:
        return web.json_response({"error": "rasa_unavailable", "detail": str(error)}, status=502)
    if await request.app[keys.QUEUE].release(handoff["id"], _user(request)) is None:
        return web.json_response({"error": "not_open"}, status=409)
    logger.info("hand-off %s released by %s", handoff["id"], _user(request).name)
    return web.json_response({"released": True})


# ---------------------------------------------------------------- cases on the citizen's behalf

async def _claimed_body(request: web.Request) -> tuple[dict[str, Any], Any]:
    """The hand-off the user holds (claimed, not released) and the JSON body."""
    handoff = await _held(request, allow_supervisor=False)
    if handoff["status"] != "claimed":
        raise web.HTTPConflict(text='{"error": "not_open"}', content_type="application/json")
    try:
        return handoff, await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text='{"error": "bad_json"}', content_type="application/json") from None


def _backend_error(error: BackendError) -> web.Response:
    if isinstance(error, Rejected):
        return web.json_response({"error": "rejected", "detail": list(error.messages) or [str(error)]}, status=422)
    if isinstance(error, NotFound):
        return web.json_response({"error": "case_not_found"}, status=404)
    status = 503 if isinstance(error, Unavailable) else 502
    return web.json_response({"error": "case_service_unavailable", "detail": str(error)}, status=status)


async def file_case(request: web.Request) -> web.StreamResponse:
    """File the case from the operator's form; tell the operator and the citizen the number.

    One case per hand-off (idempotency key from its id): filing again returns the same number.
    The case is filed even if Rasa cannot pass the number on (``notified: false``).
    """
    handoff, body = await _claimed_body(request)
    try:
        form = CaseForm.from_json(body)
    except ValueError as error:
        return web.json_response({"error": "bad_case", "detail": str(error)}, status=400)
    backend = request.app[keys.BACKEND]
    user = _user(request)
    try:
        service_code = await backend.service_for(form.level1, form.level2)
        if service_code is None:
            return web.json_response({"error": "bad_case", "detail": f"no service for {form.level1}"}, status=400)
        filed = await backend.submit(form.draft(service_code, handoff), idempotency_key=idempotency_key(handoff))
    except BackendError as error:
        logger.warning("hand-off %s: filing failed: %s", handoff["id"], error)
        return _backend_error(error)
    await request.app[keys.QUEUE].set_case_number(handoff["id"], filed.case_id)
    logger.info("hand-off %s: case %s filed by %s", handoff["id"], filed.case_id, user.name)
    notified = True
    try:
        await request.app[keys.RASA].send_bot_message(
            handoff["conversation_id"], filed_message(filed.case_id, filed.expected_datetime, handoff["language"]),
            user.name)
    except RasaUnavailable as error:
        logger.warning("hand-off %s: case %s filed but not sent to the citizen: %s", handoff["id"], filed.case_id, error)
        notified = False
    expected = filed.expected_datetime.isoformat() if filed.expected_datetime else None
    return web.json_response({"case_number": filed.case_id, "expected_datetime": expected, "notified": notified})


async def add_note(request: web.Request) -> web.StreamResponse:
    """A timeline note on the hand-off's case (or ``case_number`` from the body), at its current stage."""
    handoff, body = await _claimed_body(request)
    try:
        note = note_text(body)
    except ValueError as error:
        return web.json_response({"error": "bad_note", "detail": str(error)}, status=400)
    number = str(body.get("case_number") or "").strip() or handoff.get("case_number")
    if not number or len(number) > 40:
        return web.json_response({"error": "no_case_number"}, status=400)
    backend = request.app[keys.BACKEND]
    user = _user(request)
    try:
        case = await backend.get_case(number)
        await backend.add_timeline(case.id, case.stage or "received", note=f"{note}（{user.name}）")
    except BackendError as error:
        logger.warning("hand-off %s: note on %s failed: %s", handoff["id"], number, error)
        return _backend_error(error)
    if not handoff.get("case_number"):
        await request.app[keys.QUEUE].set_case_number(handoff["id"], case.id)
    logger.info("hand-off %s: note added to case %s by %s", handoff["id"], case.id, user.name)
    return web.json_response({"case_number": case.id, "stage": case.stage, "noted": True})


# ---------------------------------------------------------------- internal API (action server)

def _authorized_internal(request: web.Request) -> bool:
    secret = request.app[keys.SETTINGS].internal_secret
    presented = request.headers.get("Authorization", "")
    return bool(secret) and hmac.compare_digest(presented.encode(), f"Bearer {secret}".encode())


async def internal_enqueue(request: web.Request) -> web.StreamResponse:
    if not request.app[keys.SETTINGS].internal_secret:
        return web.json_response({"error": "not_configured"}, status=503)
    if not _authorized_internal(request):
        return web.json_response({"error": "forbidden"}, status=403)
    try:
        handoff_request = HandoffRequest.from_json(await request.json())
    except ValueError as error:
        return web.json_response({"error": "bad_request", "detail": str(error)}, status=400)
    ticket = await request.app[keys.QUEUE].enqueue(handoff_request)
    minutes = math.ceil(ticket.position * request.app[keys.SETTINGS].minutes_per_case)
    logger.info("hand-off %s queued for %s at position %s", ticket.handoff_id, handoff_request.conversation_id,
                ticket.position)
    return web.json_response({"id": ticket.handoff_id, "status": ticket.status, "position": ticket.position,
                              "expected_wait_minutes": minutes})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/login", login_form)
    app.router.add_post("/login", login)
    app.router.add_post("/logout", logout)
    app.router.add_get("/", console)
    app.router.add_get("/health", health)
    app.router.add_get("/api/queue", queue)
    app.router.add_post(r"/api/handoffs/{handoff_id:\d+}/claim", claim)
    app.router.add_get(r"/api/handoffs/{handoff_id:\d+}/messages", messages)
    app.router.add_post(r"/api/handoffs/{handoff_id:\d+}/reply", reply)
    app.router.add_post(r"/api/handoffs/{handoff_id:\d+}/release", release)
    app.router.add_post(r"/api/handoffs/{handoff_id:\d+}/case", file_case)
    app.router.add_post(r"/api/handoffs/{handoff_id:\d+}/note", add_note)
    app.router.add_post("/internal/handoffs", internal_enqueue)
