"""Calling the running case service from tests: status and schema checks.

``Api`` wraps an aiohttp session and validates every JSON body it receives
against the JSON Schemas shipped in ``case_service/schemas`` (error bodies
against ``errors``). ``case_fields`` builds a valid submission and
``run_sql`` reaches into the database to arrange or check state. Shared by the
case service suite and by anyone else testing against a real server.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Mapping, Optional

import aiohttp
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from case_service import schemas
from case_service.db import sync_url
from tests.support.servers import CaseService


def run_sql(database_url: str, statement: str, **params: Any) -> list[tuple[Any, ...]]:
    """Run SQL directly on a database (sync driver), for arranging and checking state."""
    engine = create_engine(sync_url(database_url), future=True, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            result = connection.execute(text(statement), params)
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


class Reply:
    """A response read completely: status, headers, raw bytes and decoded body."""

    def __init__(self, status: int, headers: Mapping[str, str], raw: bytes) -> None:
        self.status = status
        self.headers = headers
        self.raw = raw
        self.text = raw.decode("utf-8", errors="replace")
        content_type = headers.get("Content-Type", "")
        self.body: Any = json.loads(self.text) if content_type.startswith("application/json") else None


class Api:
    """HTTP calls against the running service with status and schema checks."""

    def __init__(self, session: aiohttp.ClientSession, service: CaseService) -> None:
        self.session = session
        self.service = service
        self.url = service.url
        self.api_key = service.api_key

    async def call(
        self,
        method: str,
        path: str,
        *,
        status: Optional[int] = 200,
        schema: Optional[str] = None,
        **kwargs: Any,
    ) -> Reply:
        url = path if path.startswith("http") else f"{self.url}/{path.lstrip('/')}"
        async with self.session.request(method, url, **kwargs) as response:
            reply = Reply(response.status, response.headers, await response.read())
        if status is not None:
            assert reply.status == status, f"{method} {path}: {reply.status} {reply.text[:500]}"
        check_schema(reply, schema)
        return reply

    async def get(self, path: str, *, schema: Optional[str] = None, status: int = 200, **kwargs: Any) -> Any:
        return (await self.call("GET", path, schema=schema, status=status, **kwargs)).body

    async def post_form(
        self,
        path: str,
        fields: Any,
        *,
        schema: Optional[str] = None,
        status: int = 200,
        api_key: bool = True,
        headers: Optional[Mapping[str, str]] = None,
    ) -> Any:
        data = list(fields.items()) if isinstance(fields, Mapping) else list(fields)
        if api_key:
            data.append(("api_key", self.api_key))
        reply = await self.call("POST", path, data=data, schema=schema, status=status, headers=headers)
        return reply.body

    async def submit(self, status: int = 200, headers: Optional[Mapping[str, str]] = None, **overrides: Any) -> Any:
        """POST a valid request with ``overrides``; returns the response element."""
        body = await self.post_form(
            "requests.json", case_fields(**overrides), schema="request-responses", status=status, headers=headers
        )
        return body[0] if status == 200 else body

    async def case(self, number: str, extensions: bool = True) -> dict[str, Any]:
        params = {"extensions": "true"} if extensions else {}
        body = await self.get(
            f"requests/{number}.json", params=params, schema="x12345-requests" if extensions else "requests"
        )
        assert len(body) == 1
        return body[0]


def check_schema(reply: Reply, schema: Optional[str]) -> None:
    """Every JSON body is validated: errors against ``errors``, others against ``schema``."""
    if reply.body is None:
        assert schema is None, f"expected JSON for schema {schema}, got {reply.headers.get('Content-Type')}"
        return
    if reply.status >= 400:
        schemas.validate(reply.body, "errors")
        assert all(entry["code"] == reply.status for entry in reply.body)
        return
    assert schema is not None, f"JSON response without a schema to check: {reply.text[:200]}"
    schemas.validate(reply.body, schema)
    if schema == "requests":
        for item in reply.body:
            assert "x12345" not in item


def case_fields(**overrides: Any) -> dict[str, Any]:
    """A valid submission; ``None`` values drop a field."""
    fields: dict[str, Any] = {
        "service_code": "0102",
        "lat": "39.9219",
        "long": "116.4436",
        "address_string": "北京市朝阳区工体北路 1 号",
        "description": "小区门口路灯坏了三天。",
        "phone": "13800138000",
        "x12345_appeal_type": "投诉",
        "x12345_district_code": "110105",
        "x12345_channel": "web",
        "x12345_language": "zh",
        "x12345_conversation_id": f"conv-{uuid.uuid4().hex[:8]}",
    }
    fields.update(overrides)
    return {key: value for key, value in fields.items() if value is not None}
