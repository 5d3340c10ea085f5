"""Pure parts of the Telegram channel: splitting, update parsing, callback data, settings, keyboards."""

from __future__ import annotations

import pytest
from telegram import Update

from connectors.telegram.callbacks import KEY_PREFIX, MAX_CALLBACK_BYTES, CallbackTable
from connectors.telegram.output import inline_keyboard
from connectors.telegram.settings import TelegramSettings
from connectors.telegram.splitting import TELEGRAM_LIMIT, split_text, utf16_len
from connectors.telegram.updates import Kind, chat_id_from_sender, command_text, parse_update, sender_id_for
from tests.support import telegram_updates as tg


def parse(data: dict):
    return parse_update(Update.de_json(data, None))


# ------------------------------------------------------------------ splitting

def test_short_text_is_one_message_and_blank_is_none():
    assert split_text("你好") == ["你好"]
    assert split_text("  \n ") == []


def test_long_text_is_split_on_paragraphs_then_lines_then_sentences():
    paragraph = "第一段。" * 600  # 2,400 characters
    parts = split_text(paragraph + "\n\n" + paragraph)
    assert parts == [paragraph, paragraph]
    lines = "\n".join(f"第{i}行：路灯已修复。" for i in range(800))
    parts = split_text(lines)
    assert all(utf16_len(p) <= TELEGRAM_LIMIT for p in parts) and len(parts) >= 3
    assert all(p.endswith("路灯已修复。") for p in parts)  # cut at line ends
    assert "\n".join(parts) == lines
    sentences = "This is a sentence. " * 400
    parts = split_text(sentences)
    assert all(p.endswith(".") for p in parts) and all(utf16_len(p) <= TELEGRAM_LIMIT for p in parts)


def test_split_counts_utf16_units_and_cuts_hard_without_boundaries():
    emoji = "😀" * 3000  # 6,000 UTF-16 units
    parts = split_text(emoji)
    assert [utf16_len(p) for p in parts] == [4096, 6000 - 4096]
    assert "".join(parts) == emoji
    assert split_text("x" * 10_000, limit=4000) == ["x" * 4000, "x" * 4000, "x" * 2000]


# ------------------------------------------------------------------ callback data

def test_short_payloads_travel_as_themselves_and_long_ones_through_the_table():
    table = CallbackTable(max_size=3)
    assert table.encode("/affirm") == "/affirm" and len(table) == 0
    long = '/inform{"district": "朝阳区", "subdistrict": "建国门外街道办事处"}'
    assert len(long.encode()) > MAX_CALLBACK_BYTES
    key = table.encode(long)
    assert key.startswith(KEY_PREFIX) and len(key.encode()) <= MAX_CALLBACK_BYTES
    assert table.encode(long) == key and len(table) == 1  # same payload, same key
    assert table.decode(key) == long and table.decode("/affirm") == "/affirm"
    assert table.encode(KEY_PREFIX + "x") != KEY_PREFIX + "x"  # never confused with a key


def test_callback_table_is_bounded_and_forgets_the_least_recently_used():
    table = CallbackTable(max_size=2)
    keys = [table.encode(f"/inform{{\"text\": \"{'很长的负载' * 5}{i}\"}}") for i in range(3)]
    assert len(table) == 2
    assert table.decode(keys[0]) is None  # evicted: reported, never guessed
    assert table.decode(keys[2]) is not None and table.decode(KEY_PREFIX + "nonsense") is None


def test_inline_keyboard_maps_payloads_and_rows():
    table = CallbackTable()
    long = "/inform{\"category\": \"" + "城乡建设" * 10 + "\"}"
    markup = inline_keyboard([{"title": "是", "payload": "/affirm"}, {"title": "否", "payload": "/deny"},
                              {"title": "城乡建设", "payload": long}], table)
    rows = markup.to_dict()["inline_keyboard"]
    assert [[b["text"] for b in row] for row in rows] == [["是", "否"], ["城乡建设"]]
    assert table.decode(rows[1][0]["callback_data"]) == long
    markup = inline_keyboard([{"title": "A rather long English button title", "payload": "/help"},
                              {"title": "Site", "url": "https://www.beijing.gov.cn/"}], table)
    rows = markup.to_dict()["inline_keyboard"]
    assert len(rows) == 2 and rows[1][0]["url"] == "https://www.beijing.gov.cn/"
    assert inline_keyboard([], table) is None


# ------------------------------------------------------------------ update parsing

def test_text_message():
    inbound = parse(tg.text(1001, "我家楼下的路灯坏了"))
    assert inbound.kind is Kind.MESSAGE and inbound.text == "我家楼下的路灯坏了" and inbound.metadata == {}
    assert inbound.sender_id == "tg-1001" and inbound.chat_id == 1001


@pytest.mark.parametrize("code, language", [("zh-hans", "zh"), ("zh-TW", "zh"), ("en", "en"), ("ru", "en"), (None, "en")])
def test_start_forces_the_language_from_language_code(code, language):
    inbound = parse(tg.text(1002, "/start", language_code=code))
    assert inbound.text == f'/greet{{"language": "{language}"}}' and inbound.metadata == {"language": language}


def test_commands_other_than_known_ones_lose_their_power():
    assert command_text("/start@hotline12345_bot") == ("/greet", True)
    assert command_text("/help") == ("/help", False)
    assert command_text('/inform{"contact_phone": "13800138000"}')[0].startswith("／")
    assert parse(tg.text(1003, "/restart")).text == "／restart"


def test_location_becomes_metadata_with_an_inform():
    inbound = parse(tg.location(1004, 39.9087, 116.3975))
    assert inbound.kind is Kind.MESSAGE and inbound.text == "/inform"
    assert inbound.metadata == {"location": {"lat": 39.9087, "long": 116.3975}}


def test_own_contact_is_a_verified_phone_someone_elses_is_not():
    own = parse(tg.contact(1005, "+86 138-0013-8000", owner=1005))
    assert own.text == "13800138000" and own.metadata == {"verified_phone": "+8613800138000"}
    other = parse(tg.contact(1005, "13900139000", owner=2222))
    assert other.text == "13900139000" and other.metadata == {}
    unknown_owner = parse(tg.contact(1005, "13900139000", owner=None))
    assert unknown_owner.metadata == {}


def test_photo_picks_the_largest_size_within_the_limit():
    inbound = parse(tg.photo(1006, "ph-1", 200_000, caption="路灯坏了"))
    assert inbound.kind is Kind.PHOTO and inbound.photo_file_id == "ph-1" and inbound.text == "路灯坏了"
    assert inbound.photo_unique_id == "ph-1-u"
    too_big = parse_update(Update.de_json(tg.photo(1006, "ph-2", 6 * 1024 * 1024), None))
    assert too_big.kind is Kind.PHOTO and too_big.photo_file_id == "ph-2-small"
    nothing_fits = parse_update(Update.de_json(tg.photo(1006, "ph-3", 6 * 1024 * 1024), None), media_max_bytes=500)
    assert nothing_fits.kind is Kind.NOTICE and nothing_fits.notice == "photo_too_large"


def test_voice_note_gets_a_notice_in_the_users_language():
    zh = parse(tg.voice(1007, "zh-CN"))
    assert zh.kind is Kind.NOTICE and zh.notice == "voice_unsupported" and zh.language == "zh"
    assert parse(tg.voice(1007, "de")).language == "en"


def test_callback_query():
    inbound = parse(tg.callback(1008, "/affirm", message_id=77))
    assert inbound.kind is Kind.CALLBACK and inbound.callback_data == "/affirm"
    assert inbound.callback_message_id == 77 and inbound.chat_id == 1008


@pytest.mark.parametrize("data", [
    tg.edited(1009), tg.sticker(1009), tg.channel_post(), tg.poll(), tg.unknown_kind(),
    tg.text(1009, "大家好", chat_kind="group"),
], ids=["edited", "sticker", "channel_post", "poll", "unknown", "group"])
def test_other_updates_are_ignored(data):
    inbound = parse(data)
    assert inbound.kind is Kind.IGNORED and inbound.reason


def test_long_text_is_cut():
    inbound = parse_update(Update.de_json(tg.text(1010, "很" * 5000), None), max_chars=4000)
    assert len(inbound.text) == 4000


def test_sender_ids_round_trip_and_foreign_ids_are_refused():
    assert chat_id_from_sender(sender_id_for(123456)) == 123456
    assert chat_id_from_sender("123456") == 123456
    assert chat_id_from_sender("0f" * 16) is None


# ------------------------------------------------------------------ settings

def test_settings_from_env_and_missing_secrets_disable():
    assert not TelegramSettings.from_env({}).configured
    assert TelegramSettings.from_env({"TELEGRAM_BOT_TOKEN": "1:a"}).missing == ["TELEGRAM_WEBHOOK_SECRET"]
    settings = TelegramSettings.from_env({"TELEGRAM_BOT_TOKEN": "1:a", "TELEGRAM_WEBHOOK_SECRET": "s3cret_-x",
                                          "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/"})
    assert settings.configured and settings.bot_base_url == "http://127.0.0.1:8081/bot"
    assert settings.file_base_url == "http://127.0.0.1:8081/file/bot"
    assert "1:a" not in repr(settings) and "s3cret" not in repr(settings)
    with pytest.raises(ValueError):
        TelegramSettings.from_env({"TELEGRAM_WEBHOOK_SECRET": "not allowed!"})
    with pytest.raises(ValueError):
        TelegramSettings.from_env({"TELEGRAM_READ_TIMEOUT": "soon"})
