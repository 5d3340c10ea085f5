"""Unit tests of the web chat's small parts: outbox, token bucket, inbound cleaning, settings."""

from __future__ import annotations

import logging

import pytest

from connectors.webchat import inbound
from connectors.webchat.notices import notice
from connectors.webchat.outbox import Outbox
from connectors.webchat.output import WebChatOutput
from connectors.webchat.page import content_security_policy, render
from connectors.webchat.ratelimit import TokenBucket
from connectors.webchat.sessions import SessionRegistry
from connectors.webchat.settings import WebChatSettings
from connectors.webchat.upload import sniff_image


def test_outbox_numbers_replays_and_forgets_acked():
    box = Outbox(capacity=3)
    for n in range(1, 4):
        assert box.add({"text": str(n)}).seq == n
    assert [i.seq for i in box.after(1)] == [2, 3]
    box.ack(2)
    assert [i.seq for i in box.after(0)] == [3]
    box.ack(99)  # clamped: never beyond what was sent
    assert box.acked == 3 and box.after(0) == []
    assert box.add({"text": "4"}).seq == 4 and box.add({"text": "5"}).with_seq() == {"text": "5", "seq": 5}


def test_outbox_is_bounded_and_warns_when_dropping_unread(caplog):
    box = Outbox(capacity=2)
    with caplog.at_level(logging.WARNING):
        for n in range(5):
            box.add({"text": str(n)})
    assert len(box) == 2 and [i.seq for i in box.after(0)] == [4, 5]
    assert "unacknowledged message" in caplog.text


def test_token_bucket_burst_then_refill():
    now = [0.0]
    bucket = TokenBucket(3, 0.5, clock=lambda: now[0])
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    assert bucket.wait_time() == pytest.approx(2.0)
    now[0] += 2.0
    assert bucket.take() and not bucket.take()
    now[0] += 100
    assert sum(bucket.take() for _ in range(10)) == 3  # never more than the capacity


def test_clean_text_cuts_long_and_strips():
    assert inbound.clean_text("  hi \x00 ", 10) == ("hi", False)
    text, cut = inbound.clean_text("字" * 10_000, 4000)
    assert cut and len(text) == 4000
    assert inbound.clean_text(None, 5) == ("", False)
    assert inbound.clean_text(42, 5) == ("42", False)


def test_metadata_allowlist_drops_trusted_keys_and_foreign_media(caplog):
    raw = {
        "language": "en", "location": {"lat": "39.9", "long": 116.4}, "verified_phone": "13800138000",
        "channel": "operator", "media_urls": ["https://cases/m/1", "https://evil.example/x.jpg"], "x": 1,
    }
    with caplog.at_level(logging.WARNING):
        clean = inbound.clean_metadata(raw, uploaded={"https://cases/m/1"}, session_id="abc")
    assert clean == {"language": "en", "location": {"lat": 39.9, "long": 116.4}, "media_urls": ["https://cases/m/1"]}
    assert "verified_phone" in caplog.text and "not uploaded here" in caplog.text
    assert inbound.clean_metadata({"language": "fr", "location": {"lat": 91, "long": 0}}, ()) == {}
    assert inbound.clean_metadata({"location": {"lat": True, "long": 1}}, ()) == {}
    assert inbound.parse_metadata('{"language": "zh"}') == {"language": "zh"}
    assert inbound.parse_metadata("not json") == {} and inbound.parse_metadata([1]) == {}


def test_commands_only_when_offered():
    assert inbound.neutralize_command("/greet", {"/greet"}) == "/greet"
    assert inbound.neutralize_command('/inform{"phone":"1"}', {"/greet"}) == '／inform{"phone":"1"}'
    assert inbound.neutralize_command("hello /x", set()) == "hello /x"


def test_session_ids_and_language_guess():
    assert inbound.valid_session_id("a" * 32)
    assert not any(inbound.valid_session_id(v) for v in ("A" * 32, "123456789", None, "a" * 33, "../" * 11))
    assert inbound.guess_language("路灯坏了") == "zh" and inbound.guess_language("lamp broken") == "en"
    assert inbound.guess_language("😀 123") is None


def test_sniff_image_by_magic_bytes():
    assert sniff_image(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert sniff_image(b"\x89PNG\r\n\x1a\nrest") == "image/png"
    assert sniff_image(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff_image(b"GIF89a") is None and sniff_image(b"<svg") is None and sniff_image(b"") is None


def test_settings_from_env_and_overrides():
    settings = WebChatSettings.from_env({"WEBCHAT_RATE_BURST": "3", "WEBCHAT_CORS_ORIGINS": "https://a, https://b",
                                         "WEBCHAT_SOCKETIO_PATH": "chat/socket.io/"})
    assert settings.rate_burst == 3 and settings.cors_origins == ("https://a", "https://b")
    assert settings.socketio_path == "/chat/socket.io"
    assert settings.with_overrides({"max_message_chars": "2000"}).max_message_chars == 2000
    with pytest.raises(ValueError, match="unknown web chat settings"):
        settings.with_overrides({"max_mesage_chars": 1})
    with pytest.raises(ValueError, match="WEBCHAT_RATE_BURST"):
        WebChatSettings.from_env({"WEBCHAT_RATE_BURST": "lots"})
    with pytest.raises(ValueError):
        WebChatSettings.from_env({"WEBCHAT_RATE_PER_MINUTE": "0"})


def test_session_registry_is_bounded():
    registry = SessionRegistry(WebChatSettings(max_sessions=2))
    a, b, c = ("a" * 32, "b" * 32, "c" * 32)
    registry.get_or_create(a)
    registry.get_or_create(b)
    registry.get(a)  # a is now the most recent
    registry.get_or_create(c)
    assert registry.get(b) is None and registry.get(a) is not None and len(registry) == 2


async def test_output_shapes_are_plain_rasa_webchat():
    sent: list = []

    async def deliver(recipient, message):
        sent.append((recipient, message))

    out = WebChatOutput(deliver)

    await out.send_response("s", {"text": "你好\n\n第二段"})
    await out.send_response("s", {"text": "ok?", "buttons": [{"title": "是", "payload": "/affirm"}]})
    await out.send_response("s", {"image": "https://x/y.png"})
    assert sent[0] == ("s", {"text": "你好\n\n第二段"})
    assert sent[1][1] == {"text": "ok?", "quick_replies": [{"content_type": "text", "title": "是", "payload": "/affirm"}]}
    assert sent[2][1] == {"attachment": {"type": "image", "payload": {"src": "https://x/y.png"}}}
    assert WebChatOutput.name() == "webchat"


def test_notices_and_page_policy():
    assert "4000" in notice("truncated", "zh", limit=4000) and "4000" in notice("truncated", "en", limit=4000)
    assert notice("rate_limited", "fr") == notice("rate_limited", "zh")
    policy = content_security_policy(WebChatSettings(image_origins=("https://img.example",)))
    assert "script-src 'self'" in policy and "unsafe" not in policy and "https://img.example" in policy
    assert "'unsafe-inline'" in content_security_policy(WebChatSettings(), inline_styles=True).split("style-src")[1]
    page = render("index.html", {"socket_path": '"/><script>x</script>', "max_chars": "1", "max_upload": "2"})
    assert "<script>x" not in page and "&lt;script&gt;" in page
    assert "<script>" not in page.replace("<script src=", "")  # no inline script at all


def test_the_citizen_page_links_the_voice_page_only_when_configured():
    assert WebChatSettings.from_env({"WEBCHAT_VOICE_URL": "http://127.0.0.1:8330/"}).voice_url == "http://127.0.0.1:8330/"
    with pytest.raises(ValueError):
        WebChatSettings.from_env({"WEBCHAT_VOICE_URL": "javascript:alert(1)"})
    values = {"socket_path": "/s", "max_chars": "1", "max_upload": "2"}
    linked = render("index.html", {**values, "voice_url": "http://127.0.0.1:8330/", "voice_hidden": ""})
    assert 'id="voice" class="tool" href="http://127.0.0.1:8330/"' in linked
    hidden = render("index.html", {**values, "voice_url": "#", "voice_hidden": "hidden"})
    assert 'href="#" data-i18n="voice" hidden' in hidden
