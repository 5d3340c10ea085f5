"""A small fault-injecting Open311 server for the backend_client tests.

Real HTTP on a free port of 127.0.0.1 (aiohttp's TestServer binds port 0), so the
client's timeouts, retries and connection handling are exercised for real.
Faults are queued per route: ``server.fail("get", 500, 503)`` makes the next two
GET requests/{id}.json calls fail, after which the route behaves normally.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from aiohttp import web

SECRET = "s3cr3t-api-KEY-42"
BASE = "/open311/v2"


@dataclass
class Fault:
    """What a route does instead of its normal answer."""

    status: int = 500
    body: bytes | None = None
    delay: float = 0.0  # sleep before answering (for timeouts)
    passthrough: bool = False  # after the delay, answer normally
    late: bool = False  # answer normally but only after the delay (work done, reply slow)

    @classmethod
    def slow(cls, seconds: float) -> "Fault":
        return cls(delay=seconds, passthrough=True)

    @classmethod
    def slow_reply(cls, seconds: float) -> "Fault":
        return cls(delay=seconds, late=True)


def open311_errors(status: int, *descriptions: str) -> bytes:
    return json.dumps([{"code": status, "description": d} for d in descriptions]).encode()


SERVICES = [
    {"service_code": "0100", "service_name": "城乡建设（综合）", "group": "城乡建设", "metadata": False,
     "type": "realtime", "keywords": [], "description": ""},
    {"service_code": "0101", "service_name": "安全生产", "group": "城乡建设", "metadata": False,
     "type": "realtime", "keywords": ["事故处理", "安全隐患"], "description": ""},
    {"service_code": "0102", "service_name": "城市建设和市政管理", "group": "城乡建设", "metadata": False,
     "type": "realtime", "keywords": "园林绿化环卫,城管执法", "description": ""},
    {"service_code": "0200", "service_name": "交通运输（综合）", "group": "交通运输", "metadata": False,
     "type": "realtime", "keywords": [], "description": ""},
]


@dataclass
class FakeOpen311:
    """Scriptable Open311 server state; see the module docstring."""

    extensions: bool = True
    discovery: bool = True
    hits: Counter = field(default_factory=Counter)
    faults: dict[str, list[Fault]] = field(default_factory=lambda: defaultdict(list))
    always: dict[str, Fault] = field(default_factory=dict)
    posts: list[dict[str, Any]] = field(default_factory=list)
    requests_seen: list[dict[str, Any]] = field(default_factory=list)
    cases: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_key: dict[str, bytes] = field(default_factory=dict)
    next_seq: int = 1
    url: str = ""

    def fail(self, route: str, *faults: Fault | int) -> None:
        """Queue one-shot faults for a route (ints are plain HTTP statuses)."""
        self.faults[route].extend(f if isinstance(f, Fault) else Fault(status=f) for f in faults)

    def fail_always(self, route: str, fault: Fault | int) -> None:
        self.always[route] = fault if isinstance(fault, Fault) else Fault(status=fault)

    def add_case(self, case_id: str = "2026113000042", **extra: Any) -> dict[str, Any]:
        case = {
            "service_request_id": case_id,
            "status": "open",
            "status_notes": "已派单",
            "service_name": "安全生产",
            "service_code": "0101",
            "description": "路灯不亮",
            "agency_responsible": "朝阳区城管委",
            "service_notice": None,
            "requested_datetime": "2026-11-30T09:00:00+08:00",
            "updated_datetime": "2026-11-30T10:00:00Z",
            "expected_datetime": "2026-12-07T09:00:00.1234567+08:00",
            "address": "朝阳区建国路1号",
            "address_id": None,
            "zipcode": None,
            "lat": "39.9",
            "long": 116.4,
            "media_url": None,
            "x12345": {
                "appeal_type": "投诉",
                "level1": "城乡建设",
                "level2": "安全生产",
                "district_code": "110105",
                "district_name": "朝阳区",
                "subdistrict_code": "110105001",
                "subdistrict_name": "建外街道",
                "stage": "dispatched",
                "department": "朝阳区城管委",
                "phone": "*******8000",
                "anonymous": False,
                "channel": "web",
                "media_url": ["http://x/m/1", "http://x/m/2"],
                "timeline": [
                    {"stage": "received", "at": "2026-11-30T09:00:00+08:00", "department": None, "note": "受理"},
                    {"stage": "dispatched", "at": "2026-11-30T10:00:00+08:00", "department": "朝阳区城管委",
                     "note": "已派单"},
                ],
            },
            "_phone": "13800138000",
        }
        case.update(extra)
        self.cases[case_id] = case
        return case

    def public(self, case: dict[str, Any], ext: bool) -> dict[str, Any]:
        out = {k: v for k, v in case.items() if not k.startswith("_")}
        if not (ext and self.extensions):
            out.pop("x12345", None)
        return out


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(status=status, body=json.dumps(data, ensure_ascii=False).encode(),
                        content_type="application/json")


def _errors(status: int, *descriptions: str) -> web.Response:
    return web.Response(status=status, body=open311_errors(status, *descriptions), content_type="application/json")


def make_app(state: FakeOpen311) -> web.Application:
    @web.middleware
    async def inject(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]):
        route = request.match_info.route.name or "?"
        state.hits[route] += 1
        state.requests_seen.append({"route": route, "query": dict(request.query), "headers": dict(request.headers)})
        fault = state.faults[route].pop(0) if state.faults.get(route) else state.always.get(route)
        if fault is None:
            return await handler(request)
        if fault.late:
            response = await handler(request)
            await asyncio.sleep(fault.delay)
            return response
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.passthrough:
            return await handler(request)
        return web.Response(status=fault.status, body=fault.body if fault.body is not None else b"")

    async def discovery(request: web.Request) -> web.Response:
        if not state.discovery:
            raise web.HTTPNotFound()
        endpoints = [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": state.url,
                      "type": "production", "formats": ["application/json"]}]
        if state.extensions:
            endpoints.append({"specification": "urn:hotline12345:extensions:v1", "url": state.url + "/x12345"})
        return _json({"changeset": "2026-11-30", "contact": "test", "endpoints": endpoints})

    async def services(request: web.Request) -> web.Response:
        return _json(SERVICES)

    async def create(request: web.Request) -> web.Response:
        form = await request.post()
        state.posts.append({"form": list(form.items()), "headers": dict(request.headers)})
        if form.get("api_key") != SECRET:
            return _errors(403, f"api_key {form.get('api_key')} is not valid")
        if form.get("service_code") not in {s["service_code"] for s in SERVICES}:
            return _errors(400, "service_code is not valid", "description is required")
        key = request.headers.get("Idempotency-Key") if state.extensions else None
        if key and key in state.by_key:
            return web.Response(status=200, body=state.by_key[key], content_type="application/json")
        case_id = f"20261130{state.next_seq:05d}"
        state.next_seq += 1
        state.add_case(case_id, description=form.get("description"), _phone=form.get("phone"))
        body = json.dumps([{"service_request_id": case_id, "service_notice": "受理成功", "account_id": None,
                            "expected_datetime": "2026-12-07T09:00:00+08:00"}]).encode()
        if key:
            state.by_key[key] = body
        return web.Response(status=201, body=body, content_type="application/json")

    async def list_requests(request: web.Request) -> web.Response:
        ext = request.query.get("extensions") == "true"
        phone = request.query.get("x12345_phone")
        cases = list(state.cases.values())
        if phone is not None:
            if request.query.get("api_key") != SECRET:
                return _errors(403, "api_key required")
            cases = [c for c in cases if c.get("_phone") == phone]
        return _json([state.public(c, ext) for c in reversed(cases)][:10])

    async def get_request(request: web.Request) -> web.Response:
        case = state.cases.get(request.match_info["id"])
        if case is None:
            return _errors(404, "no such request")
        return _json([state.public(case, request.query.get("extensions") == "true")])

    async def media(request: web.Request) -> web.Response:
        if request.query.get("api_key") != SECRET:
            return _errors(403, "api_key required")
        if not request.content_type.startswith("image/"):
            return _errors(415, "unsupported media type")
        data = await request.read()
        state.posts.append({"media": data, "headers": dict(request.headers)})
        return _json({"media_url": f"{state.url}/x12345/media/{len(data)}"}, status=201)

    async def timeline(request: web.Request) -> web.Response:
        form = await request.post()
        case = state.cases.get(request.match_info["id"])
        if case is None:
            return _errors(404, "no such request")
        case["x12345"]["timeline"].append({"stage": form["stage"], "at": "2026-11-30T11:00:00+08:00",
                                           "department": form.get("department"), "note": form.get("note")})
        case["x12345"]["stage"] = form["stage"]
        return _json([state.public(case, True)])

    app = web.Application(middlewares=[inject])
    app.router.add_get(f"{BASE}/discovery.json", discovery, name="discovery")
    app.router.add_get(f"{BASE}/services.json", services, name="services")
    app.router.add_post(f"{BASE}/requests.json", create, name="create")
    app.router.add_get(f"{BASE}/requests.json", list_requests, name="list")
    app.router.add_get(f"{BASE}/requests/{{id}}.json", get_request, name="get")
    app.router.add_post(f"{BASE}/x12345/media", media, name="media")
    app.router.add_post(f"{BASE}/x12345/requests/{{id}}/timeline.json", timeline, name="timeline")
    return app
