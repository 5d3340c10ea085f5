"""``CaseBackend``: the one way the Rasa actions reach the case service.

Speaks plain Open311 GeoReport v2 and switches to the 12345 extensions only when
``discovery.json`` announces them, so the bot also works against a plain Open311
server (with fewer features). Constructing it does no I/O; the aiohttp session
is injected and owned by the caller (see :mod:`backend_client.runtime`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Awaitable, Callable, Mapping, TypeVar
from urllib.parse import quote, urlencode

import aiohttp

from . import parsing
from .errors import BackendError, NotFound, NotSupported, Unavailable
from .forms import extended_form, plain_form
from .models import Capabilities, Case, CaseDraft, Service, SubmittedCase
from .retry import call_with_retry
from .transport import Response, Transport

log = logging.getLogger(__name__)

T = TypeVar("T")

FORM_TYPE = "application/x-www-form-urlencoded; charset=utf-8"
#: The server returns at most this many cases for the phone filter.
PHONE_FILTER_MAX = 10


class CaseBackend:
    """Async client for the case service.

    ``timeout`` applies to every single HTTP call; ``retry_attempts`` is the total
    number of attempts for calls that are safe to repeat (GETs, and POSTs with an
    idempotency key the server honours). ``backoff`` is the first retry delay in
    seconds (doubling each time); ``services_ttl`` how long the service list is cached.
    """

    def __init__(
        self,
        base_url: str,
        session: aiohttp.ClientSession,
        *,
        api_key: str | None = None,
        timeout: float = 5.0,
        retry_attempts: int = 3,
        backoff: float = 0.2,
        services_ttl: float = 300.0,
    ) -> None:
        if not timeout > 0:
            raise ValueError("timeout must be positive")
        self._http = Transport(base_url, session, api_key=api_key, timeout=timeout)
        self._api_key = api_key
        self._attempts = max(1, int(retry_attempts))
        self._backoff = backoff
        self._services_ttl = services_ttl
        self._capabilities: Capabilities | None = None
        self._services: tuple[float, list[Service]] | None = None
        self._lock = asyncio.Lock()

    @property
    def base_url(self) -> str:
        return self._http.base_url

    def __repr__(self) -> str:  # no api key here
        return f"CaseBackend({self.base_url!r})"

    # ------------------------------------------------------------------ plumbing

    async def _call(
        self,
        method: str,
        path: str,
        *,
        retry: bool,
        params: Mapping[str, str] | None = None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        attempts = self._attempts if retry else 1

        async def attempt() -> Response:
            return await self._http.once(method, path, params=params, data=data, headers=headers)

        try:
            return await call_with_retry(attempt, what=f"{method} {path}", attempts=attempts, backoff=self._backoff)
        except Unavailable as exc:
            log.warning("%s %s gave up after %d attempt(s): %s", method, path, exc.attempts, exc)
            raise

    async def _single_flight(self, compute: Callable[[], Awaitable[T]]) -> T:
        """Single-flight: concurrent first callers share one fetch."""
        async with self._lock:
            return await compute()

    def _form(self, fields: list[tuple[str, str]]) -> bytes:
        if self._api_key:
            fields = [("api_key", self._api_key), *fields]
        return urlencode(fields).encode("ascii")

    async def _require_extensions(self, what: str) -> None:
        if not (await self.capabilities()).extensions:
            raise NotSupported(f"{what} needs the 12345 extensions, which this server does not announce")

    # ------------------------------------------------------------------ discovery

    async def capabilities(self) -> Capabilities:
        """What the server supports (cached for the life of this client).

        A server without ``discovery.json`` (404/405/501) is treated as plain
        Open311. Transient failures are raised and not cached.
        """
        if self._capabilities is not None:
            return self._capabilities

        async def fetch() -> Capabilities:
            if self._capabilities is not None:
                return self._capabilities
            try:
                resp = await self._call("GET", "discovery.json", retry=True)
                caps = parsing.parse_capabilities(resp.json("discovery"))
            except BackendError as exc:
                if not (isinstance(exc, NotFound) or exc.status in (405, 501)):
                    raise
                caps = Capabilities(extensions=False, discovery=False)
            if not caps.extensions:
                log.warning("case service at %s: no 12345 extensions announced; using plain Open311", self.base_url)
            self._capabilities = caps
            return caps

        return await self._single_flight(fetch)

    async def services(self) -> list[Service]:
        """The service list (cached for ``services_ttl`` seconds; it changes with deployments only)."""
        cached = self._services
        if cached is not None and time.monotonic() - cached[0] < self._services_ttl:
            return list(cached[1])

        async def fetch() -> list[Service]:
            current = self._services
            if current is not None and time.monotonic() - current[0] < self._services_ttl:
                return current[1]
            resp = await self._call("GET", "services.json", retry=True)
            services = parsing.parse_services(resp.json("services"))
            self._services = (time.monotonic(), services)
            return services

        return list(await self._single_flight(fetch))

    async def service_for(self, level1: str | None, level2: str | None = None) -> str | None:
        """Map taxonomy categories to a service code.

        Exact level-2 match within the level-1 group first, then a level-2 name that
        is a level-3 keyword of a service in the group, then the level-1 general
        service (``<level1>（综合）`` or the group's ``…00`` code). ``None`` when the
        level 1 is unknown, so the caller can ask the citizen again.
        """
        l1 = (level1 or "").strip()
        l2 = (level2 or "").strip()
        if not l1:
            return None
        in_group = [s for s in await self.services() if (s.group or "").strip() == l1]
        if l2:
            for service in in_group:
                if service.service_name.strip() == l2:
                    return service.service_code
            for service in in_group:
                if l2 in service.keywords:
                    return service.service_code
        general_names = {f"{l1}（综合）", f"{l1}(综合)"}
        for service in in_group:
            if service.service_name.strip() in general_names:
                return service.service_code
        for service in in_group:
            if service.service_code.endswith("00"):
                return service.service_code
        return None

    # ------------------------------------------------------------------ cases

    async def submit(self, draft: CaseDraft, idempotency_key: str | None = None) -> SubmittedCase:
        """Create a case. Retried only with an ``idempotency_key`` the server honours
        (extensions announced); otherwise one attempt, because a retry could file
        the case twice."""
        caps = await self.capabilities()
        fields = extended_form(draft) if caps.extensions else plain_form(draft)
        headers = {"Content-Type": FORM_TYPE}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        resp = await self._call(
            "POST",
            "requests.json",
            retry=bool(idempotency_key) and caps.extensions,
            data=self._form(fields),
            headers=headers,
        )
        return parsing.parse_submitted(resp.json("submit"))

    async def get_case(self, case_id: str) -> Case:
        """Read one case; with the extensions, including stage, department and timeline."""
        case_id = case_id.strip()
        if not case_id:
            raise NotFound("empty case id")
        caps = await self.capabilities()
        params = {"extensions": "true"} if caps.extensions else None
        resp = await self._call("GET", f"requests/{quote(case_id, safe='')}.json", retry=True, params=params)
        cases = parsing.parse_cases(resp.json("case"))
        if not cases:
            raise NotFound(f"case {case_id} not found")
        return cases[0]

    async def cases_by_phone(self, phone: str, limit: int = 5) -> list[Case]:
        """The caller's recent cases, newest first (12345 extension; needs the API key)."""
        await self._require_extensions("looking up cases by phone")
        digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
        params = {"x12345_phone": digits, "extensions": "true"}
        if self._api_key:
            params["api_key"] = self._api_key
        resp = await self._call("GET", "requests.json", retry=True, params=params)
        return parsing.parse_cases(resp.json("cases by phone"))[: max(0, min(limit, PHONE_FILTER_MAX))]

    async def upload_media(self, data: bytes, content_type: str, *, idempotency_key: str | None = None) -> str:
        """Store an image and return its URL for ``CaseDraft.media_urls`` (12345 extension).

        Retried only with an ``idempotency_key``; even if the server ignored it a
        repeated upload merely leaves an unused copy, never a second case.
        """
        await self._require_extensions("media upload")
        headers = {"Content-Type": content_type}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        params = {"api_key": self._api_key} if self._api_key else None
        resp = await self._call(
            "POST", "x12345/media", retry=bool(idempotency_key), params=params, data=bytes(data), headers=headers
        )
        return parsing.parse_media_url(resp.json("media upload"))

    async def add_timeline(
        self, case_id: str, stage: str, department: str | None = None, note: str | None = None
    ) -> Case | None:
        """Advance a case (12345 extension). Not retried: a repeat would add a second entry.

        Returns the updated case when the server sends it back, else ``None``.
        """
        await self._require_extensions("timeline updates")
        fields = [("stage", stage)]
        if department:
            fields.append(("department", department))
        if note:
            fields.append(("note", note))
        resp = await self._call(
            "POST",
            f"x12345/requests/{quote(case_id.strip(), safe='')}/timeline.json",
            retry=False,
            data=self._form(fields),
            headers={"Content-Type": FORM_TYPE},
        )
        return _maybe_case(resp)

    def forget_cache(self) -> None:
        """Drop cached capabilities and services (e.g. after the backend was redeployed)."""
        self._capabilities = None
        self._services = None


def _maybe_case(resp: Response) -> Case | None:
    """Timeline answers are not fixed by the contract: accept a request array or object."""
    if not resp.body.strip():
        return None
    data: Any = resp.json("timeline")
    if isinstance(data, list) and data and isinstance(data[0], dict) and "service_request_id" in data[0]:
        return parsing.parse_case(data[0])
    if isinstance(data, dict) and "service_request_id" in data:
        return parsing.parse_case(data)
    return None
