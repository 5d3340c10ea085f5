"""The channel without the model: disabled without secrets, credentials.yml loading, the CLI.

Fast, in process (plus one CLI subprocess): the Rasa stack tests run with Telegram configured,
so what happens *without* it — the default of ``make run`` — is checked here.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from rasa.core.channels.channel import UserMessage
import yaml
from rasa.shared.utils.common import class_from_module_path

from connectors.telegram import TelegramInput, cli
from connectors.telegram.settings import TelegramSettings
from tests.support import telegram_updates as tg
from tests.support.servers import PROJECT_ROOT, PYTHON
from tests.support.telegram_double import TelegramDouble

TOKEN = "42:channel-test-token"
SECRET = "channel-test-secret"


@pytest.fixture
def no_telegram_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("TELEGRAM_"):
            monkeypatch.delenv(name)


@pytest.fixture
def api():
    double = TelegramDouble(TOKEN).start()
    yield double
    double.stop()


async def never_called(message: UserMessage) -> None:
    raise AssertionError(f"nothing may reach Rasa, got {message.text!r}")


def test_credentials_yml_loads_every_channel_without_telegram_env(no_telegram_env):
    """What ``rasa run`` does with a custom channel entry: import the class, ``from_credentials``.
    (Not ``rasa.core.run`` itself: importing it costs seconds of TensorFlow start-up.)"""
    credentials = yaml.safe_load((PROJECT_ROOT / "credentials.yml").read_text(encoding="utf-8"))
    assert "rest" in credentials and "connectors.webchat.WebChatInput" in credentials
    channels = [class_from_module_path(path).from_credentials(credentials[path])
                for path in credentials if "." in path]
    assert [channel.name() for channel in channels] == ["webchat", "telegram", "voice"]
    telegram = channels[1]
    assert telegram.get_output_channel() is None
    telegram.blueprint(never_called)  # builds without any network


async def test_disabled_channel_answers_503(no_telegram_env):
    channel = TelegramInput()
    await channel.start()  # no bot, no session
    response = await channel.handle_webhook(SECRET, json.dumps(tg.text(1, "你好")).encode(), never_called)
    assert response.status == 503
    await channel.stop()


async def test_secret_is_checked_before_anything_else(api):
    settings = TelegramSettings(token=TOKEN, webhook_secret=SECRET, api_base_url=api.url)
    channel = TelegramInput(settings)
    await channel.start()
    try:
        assert [c.method for c in api.calls] == ["getMe"]  # at server start, not in the constructor
        body = json.dumps(tg.text(1, "你好")).encode()
        for wrong in (None, "", SECRET.upper(), SECRET + " ", "é"):
            assert (await channel.handle_webhook(wrong, body, never_called)).status == 403
        assert (await channel.handle_webhook(SECRET, b"[]", never_called)).status == 400
        assert [c.method for c in api.calls] == ["getMe"]
    finally:
        await channel.stop()


async def test_photo_that_cannot_be_fetched_gets_a_notice_and_the_caption_still_goes_through(api):
    settings = TelegramSettings(token=TOKEN, webhook_secret=SECRET, api_base_url=api.url)
    channel = TelegramInput(settings)
    received: list[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        received.append(message)

    await channel.start()
    try:
        update = tg.photo(77, "missing-file", 1000, caption="路灯坏了")  # the double has no such file
        assert (await channel.handle_webhook(SECRET, json.dumps(update).encode(), on_new_message)).status == 200
        assert [m.text for m in received] == ["路灯坏了"] and not (received[0].metadata or {}).get("media_urls")
        assert received[0].sender_id == "tg-77" and received[0].input_channel == "telegram"
        assert "照片暂时无法保存" in api.texts_to(77)[0]
        received.clear()
        update = tg.photo(77, "missing-file-2", 1000)  # no caption: only the notice
        assert (await channel.handle_webhook(SECRET, json.dumps(update).encode(), on_new_message)).status == 200
        assert received == []
    finally:
        await channel.stop()


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    return subprocess.run([PYTHON, "-m", "connectors.telegram.cli", *args], cwd=PROJECT_ROOT, env={**base, **env},
                          capture_output=True, text=True, timeout=60)


def test_cli_sets_the_webhook_with_the_secret(api):
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET, "TELEGRAM_API_BASE_URL": api.url}
    url = "https://hotline.example.cn/webhooks/telegram/webhook"
    result = run_cli("set-webhook", url, env=env)
    assert result.returncode == 0, result.stderr
    (call,) = api.calls_to("setWebhook")
    assert call.params["url"] == url and call.params["secret_token"] == SECRET
    assert call.params["allowed_updates"] == ["message", "callback_query"]


def test_cli_refuses_without_env_or_https_and_never_prints_the_token(api, no_telegram_env, monkeypatch, capsys):
    url = "https://hotline.example.cn/webhooks/telegram/webhook"
    assert cli.main(["set-webhook", url]) == 2
    assert "TELEGRAM_BOT_TOKEN" in capsys.readouterr().err
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", api.url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    assert cli.main(["set-webhook", "http://insecure.example.cn/"]) == 2
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "42:wrong")
    assert cli.main(["webhook-info"]) == 1
    out = capsys.readouterr()
    assert "42:wrong" not in out.err + out.out and "failed" in out.err
    assert api.calls_to("setWebhook") == []
