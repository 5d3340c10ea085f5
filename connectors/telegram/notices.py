"""What the channel itself tells a citizen (zh/en), when the bot cannot answer for it.

These are channel limits (a voice note, a photo that could not be stored, an expired button),
not dialogue: the bot's domain does not know about them, so they live here in both languages.
"""

from __future__ import annotations

NOTICES: dict[str, dict[str, str]] = {
    "voice_unsupported": {
        "zh": "暂时还不能识别语音消息，请用文字描述您的问题。如需电话服务，请拨打 12345。",
        "en": "Voice messages are not supported yet. Please type your message, or call 12345.",
    },
    "photo_failed": {
        "zh": "照片暂时无法保存，请稍后再发一次，或者不带照片继续反映问题。",
        "en": "The photo could not be saved right now. Please send it again later, or continue without a photo.",
    },
    "photo_too_large": {
        "zh": "照片太大了，请发送不超过 5 MB 的照片。",
        "en": "This photo is too large. Please send a photo of at most 5 MB.",
    },
    "button_expired": {
        "zh": "这个按钮已失效，请直接输入您的回答。",
        "en": "This button has expired. Please type your answer.",
    },
    "unsupported": {
        "zh": "暂时只能处理文字、照片、定位和联系人，请用文字描述您的问题。",
        "en": "I can only handle text, photos, locations and contacts for now. Please describe your issue in text.",
    },
}


def language_from_code(language_code: object) -> str:
    """Telegram's ``language_code`` (IETF tag of the user's app) → zh|en: zh* is zh, the rest en."""
    return "zh" if isinstance(language_code, str) and language_code.lower().startswith("zh") else "en"


def notice(name: str, language: str) -> str:
    texts = NOTICES[name]
    return texts.get(language) or texts["zh"]
