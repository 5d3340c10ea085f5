"""Fixtures for the action-server tests: an isolated runtime (temporary state directory, fake
backend, no background worker) and a fake backend with switchable outages."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import pytest

from backend_client import Case, NotFound, Rejected, SubmittedCase, TimelineEntry, Unavailable
from bot.actions import runtime
from bot.actions.categories import CategoryService
from bot.actions.settings import ActionSettings

BEIJING = timezone(timedelta(hours=8))


@dataclass
class FakeBackend:
    """Just enough of backend_client.CaseBackend, with idempotency like the real service."""

    down: bool = False
    reject: bool = False
    submissions: list = field(default_factory=list)
    by_key: dict = field(default_factory=dict)
    cases: dict = field(default_factory=dict)
    calls: int = 0

    async def service_for(self, level1, level2=None):
        if self.down:
            raise Unavailable("down")
        return "0101" if level1 else None

    async def submit(self, draft, idempotency_key=None):
        self.calls += 1
        if self.down:
            raise Unavailable("connection refused")
        if self.reject:
            raise Rejected("bad", status=400, messages=("description too short",))
        if idempotency_key in self.by_key:
            return self.by_key[idempotency_key]
        number = f"20261130{len(self.submissions) + 1:05d}"
        result = SubmittedCase(number, datetime(2026, 12, 7, 18, 0, tzinfo=BEIJING), "ok")
        self.submissions.append((idempotency_key, draft))
        if idempotency_key:
            self.by_key[idempotency_key] = result
        self.cases[number] = Case(
            id=number, status="open", stage="received", department=None, agency_responsible=None,
            expected_datetime=result.expected_datetime, requested_datetime=datetime(2026, 11, 30, 9, tzinfo=BEIJING),
            level1=draft.level1, level2=draft.level2, phone=draft.phone, extended=True,
            timeline=(TimelineEntry("received", datetime(2026, 11, 30, 9, tzinfo=BEIJING), None, "已受理"),),
        )
        return result

    async def get_case(self, case_id):
        if self.down:
            raise Unavailable("down")
        if case_id not in self.cases:
            raise NotFound(case_id)
        return self.cases[case_id]

    async def cases_by_phone(self, phone, limit=5):
        if self.down:
            raise Unavailable("down")
        return [c for c in self.cases.values() if c.phone == phone][:limit]


class FakeCode:
    def __init__(self):
        self.sent: list[tuple[str, str]] = []

    async def send(self, phone, code, language):
        self.sent.append((phone, code))


@pytest.fixture
def backend() -> FakeBackend:
    return FakeBackend()


@pytest.fixture
def code_sender() -> FakeCode:
    return FakeCode()


@pytest.fixture
def settings(tmp_path: Path) -> ActionSettings:
    return ActionSettings(var_dir=tmp_path / "var", outbox_worker=False, submit_timeout=2.0, deliver_timeout=2.0)


@pytest.fixture
def no_categorizer() -> CategoryService:
    """A categorizer service whose model file does not exist."""
    return CategoryService(model_path="/nonexistent/categorizer.pkl")


@pytest.fixture(scope="session")
def faq_index():
    """The real FAQ, indexed once for the whole test session."""
    from bot.actions.questions import FaqIndex

    return FaqIndex.from_default_file()


@pytest.fixture
def rt(settings, backend, code_sender, no_categorizer, faq_index) -> Iterator[runtime.Runtime]:
    instance = runtime.Runtime(settings, backend=backend, categorizer=no_categorizer, code_sender=code_sender,
                               faq=faq_index)
    runtime.set_runtime(instance)
    try:
        yield instance
    finally:
        runtime.set_runtime(None)


@dataclass
class StubGuess:
    level1: str
    level2: str | None
    confidence: float


class StubModel:
    """A categorizer model with fixed predictions."""

    def __init__(self, predictions):
        self.predictions = predictions

    def predict(self, text, top_k=3):
        return [StubGuess(*p) for p in self.predictions][:top_k]


@pytest.fixture
def categorizer_with():
    def make(predictions) -> CategoryService:
        service = CategoryService.with_model(StubModel(predictions))
        runtime.get_runtime()._categorizer = service
        return service
    return make
