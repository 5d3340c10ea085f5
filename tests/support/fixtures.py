"""Session-scoped pytest fixtures for the whole stack: ``rasa_stack``, ``rasa_server``, ``action_server``.

Import them into a ``conftest.py`` (``from tests.support.fixtures import *``). They use the
project-wide ``case_service`` fixture and the trained model ``var/models/hotline.tar.gz``
(``make models``; ``make test`` builds it first). Without the model the tests that need
it are skipped with that reason; they never train one.

Loading the model takes most of a minute on two cores, so a test package may call
:func:`launch_early` from an autouse session fixture: the processes start at its first
test and load while its other tests run; ``rasa_stack`` then only waits for them.

The Rasa server's Telegram channel is configured (``TELEGRAM_*`` in its environment only) to
talk to a Bot API double running in this process, ``rasa_stack.telegram``
(:mod:`tests.support.telegram_double`); tests that do not use Telegram never notice it.
"""

from __future__ import annotations

import secrets
from typing import Iterator

import pytest

from tests.support.servers import CaseService, free_port
from tests.support.stack import MODEL_PATH, Process, RasaStack, StackLaunch, launch_stack
from tests.support.telegram_double import TelegramDouble

TELEGRAM_TEST_TOKEN = "123456789:TEST-hotline12345-token"

__all__ = ["rasa_stack", "rasa_server", "action_server", "launch_early"]

_launches: dict[str, StackLaunch] = {}  # one stack per case service (i.e. per session)


def _launch(case_service: CaseService) -> StackLaunch:
    launch = _launches.get(case_service.url)
    if launch is None:
        # The action server queues hand-offs at an operator console on a reserved port; only the
        # hand-off tests (tests/operator_console/) start a console there, elsewhere the bot finds no
        # console and says so. The values are in ``rasa_stack.actions.env``.
        console_env = {"OPERATOR_CONSOLE_URL": f"http://127.0.0.1:{free_port()}",
                       "OPERATOR_CONSOLE_SECRET": secrets.token_hex(12), "HOTLINE_HANDOFF_TIMEOUT": "2"}
        # The Telegram channel (credentials.yml) talks to a local Bot API double started here, in
        # this process, so that the Telegram tests can read the calls it recorded
        # (``rasa_stack.telegram``); the other tests never notice it.
        telegram = TelegramDouble(TELEGRAM_TEST_TOKEN).start()
        telegram_env = {"TELEGRAM_BOT_TOKEN": TELEGRAM_TEST_TOKEN, "TELEGRAM_WEBHOOK_SECRET": secrets.token_urlsafe(24),
                        "TELEGRAM_API_BASE_URL": telegram.url, "TELEGRAM_MAX_RETRY_AFTER": "2"}
        # The voice channel (credentials.yml) shares a secret with a voice gateway whose port is
        # reserved here; only the voice tests start that gateway (tests/connectors/voice/).
        voice_env = {"VOICE_CHANNEL_SECRET": secrets.token_urlsafe(24),
                     "VOICE_GATEWAY_URL": f"http://127.0.0.1:{free_port()}"}
        try:
            launch = launch_stack(case_service, extra_env=console_env, rasa_env={**telegram_env, **voice_env})
        except BaseException:
            telegram.stop()
            raise
        launch.stack.telegram = telegram
        launch.stack.voice_env = voice_env
        _launches[case_service.url] = launch
    return launch


def _stop(case_service: CaseService) -> None:
    launch = _launches.pop(case_service.url, None)
    if launch is not None:
        launch.stack.stop()


def launch_early(request: pytest.FixtureRequest) -> None:
    """Start the stack now if the model exists and a selected test will need ``rasa_stack``."""
    if not MODEL_PATH.is_file():
        return
    if not any("rasa_stack" in getattr(item, "fixturenames", ()) for item in request.session.items):
        return
    case_service: CaseService = request.getfixturevalue("case_service")
    _launch(case_service)
    request.addfinalizer(lambda: _stop(case_service))


@pytest.fixture(scope="session")
def rasa_stack(case_service: CaseService) -> Iterator[RasaStack]:
    if not MODEL_PATH.is_file():
        pytest.skip(f"trained model {MODEL_PATH.relative_to(MODEL_PATH.parents[2])} not built: run `make models`")
    try:
        yield _launch(case_service).wait_ready()
    finally:
        _stop(case_service)


@pytest.fixture(scope="session")
def rasa_server(rasa_stack: RasaStack) -> Process:
    """The Rasa server (``.url``; the API token is ``rasa_stack.token``)."""
    return rasa_stack.rasa


@pytest.fixture(scope="session")
def action_server(rasa_stack: RasaStack) -> Process:
    return rasa_stack.actions
