"""Update JSON exactly as Telegram sends it to a webhook (Bot API 7/8 shapes), for the tests."""

from __future__ import annotations

import itertools
import time
from typing import Any, Optional

_update_ids = itertools.count(700_000_000)
_message_ids = itertools.count(1)


def user(user_id: int, language_code: Optional[str] = "zh-hans", first_name: str = "小明") -> dict[str, Any]:
    data: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if language_code:
        data["language_code"] = language_code
    return data


def chat(chat_id: int, kind: str = "private") -> dict[str, Any]:
    data: dict[str, Any] = {"id": chat_id, "type": kind}
    data.update({"first_name": "小明"} if kind == "private" else {"title": "某群"})
    return data


def message(user_id: int, language_code: Optional[str] = "zh-hans", chat_kind: str = "private", **content: Any) -> dict[str, Any]:
    return {"message_id": next(_message_ids), "from": user(user_id, language_code),
            "chat": chat(user_id if chat_kind == "private" else -100_000 - user_id, chat_kind),
            "date": int(time.time()), **content}


def update(**kinds: Any) -> dict[str, Any]:
    return {"update_id": next(_update_ids), **kinds}


def text(user_id: int, value: str, language_code: Optional[str] = "zh-hans", **extra: Any) -> dict[str, Any]:
    content: dict[str, Any] = {"text": value}
    if value.startswith("/"):
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(value.split()[0])}]
    return update(message=message(user_id, language_code, **extra, **content))


def location(user_id: int, lat: float, long: float) -> dict[str, Any]:
    return update(message=message(user_id, location={"latitude": lat, "longitude": long}))


def contact(user_id: int, phone: str, owner: Optional[int]) -> dict[str, Any]:
    data: dict[str, Any] = {"phone_number": phone, "first_name": "小明"}
    if owner is not None:
        data["user_id"] = owner
    return update(message=message(user_id, contact=data))


def photo(user_id: int, file_id: str, size: int, caption: Optional[str] = None) -> dict[str, Any]:
    sizes = [
        {"file_id": f"{file_id}-small", "file_unique_id": f"{file_id}-s", "file_size": 1_000, "width": 90, "height": 60},
        {"file_id": file_id, "file_unique_id": f"{file_id}-u", "file_size": size, "width": 1280, "height": 853},
    ]
    content: dict[str, Any] = {"photo": sizes}
    if caption:
        content["caption"] = caption
    return update(message=message(user_id, **content))


def voice(user_id: int, language_code: str = "zh-CN") -> dict[str, Any]:
    return update(message=message(user_id, language_code, voice={
        "file_id": "voice-1", "file_unique_id": "voice-1u", "duration": 3, "mime_type": "audio/ogg", "file_size": 9000}))


def sticker(user_id: int) -> dict[str, Any]:
    return update(message=message(user_id, sticker={
        "file_id": "st-1", "file_unique_id": "st-1u", "type": "regular", "width": 512, "height": 512,
        "is_animated": False, "is_video": False}))


def callback(user_id: int, data: str, message_id: int = 1, language_code: str = "zh-hans") -> dict[str, Any]:
    bot_message = {"message_id": message_id, "from": {"id": 4242424242, "is_bot": True, "first_name": "Hotline"},
                   "chat": chat(user_id), "date": int(time.time()), "text": "?"}
    return update(callback_query={"id": f"cq-{next(_message_ids)}", "from": user(user_id, language_code),
                                  "message": bot_message, "chat_instance": "-123", "data": data})


def edited(user_id: int) -> dict[str, Any]:
    edited_message = message(user_id, text="改一下")
    edited_message["edit_date"] = int(time.time())
    return update(edited_message=edited_message)


def channel_post() -> dict[str, Any]:
    return update(channel_post={"message_id": 5, "chat": {"id": -1001234, "type": "channel", "title": "新闻"},
                                "date": int(time.time()), "text": "公告"})


def poll() -> dict[str, Any]:
    return update(poll={"id": "p1", "question": "?", "options": [{"text": "a", "voter_count": 0, "persistent_id": "o1"}],
                        "total_voter_count": 0, "is_closed": False, "is_anonymous": True, "type": "regular",
                        "allows_multiple_answers": False, "allows_revoting": False, "members_only": False})


def unknown_kind() -> dict[str, Any]:
    return update(message_reaction_count={"chat": chat(1), "message_id": 3, "date": int(time.time()), "reactions": []})
