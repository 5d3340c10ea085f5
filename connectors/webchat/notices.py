"""What the channel itself says to a citizen (not the bot): limits and failures, zh and en.

These are channel notices, not dialogue: they never reach Rasa, so they are kept out of
``domain.yml``. They follow the conversation's language (see :mod:`.inbound`).
"""

from __future__ import annotations

from typing import Mapping

NOTICES: Mapping[str, Mapping[str, str]] = {
    "rate_limited": {
        "zh": "您发送得有点快，请稍等片刻再继续。刚才的部分消息没有收到，请稍后重新发送。",
        "en": "You are sending messages a little fast. Please wait a moment; some of your last messages "
        "were not received, so please send them again shortly.",
    },
    "truncated": {
        "zh": "您的消息较长，我们只收到了前 {limit} 个字。如有补充，请分几条发送。",
        "en": "Your message was long, so only the first {limit} characters were received. "
        "Please send anything else in a separate message.",
    },
    "failed": {
        "zh": "抱歉，系统暂时出了点问题。请稍后再试，紧急情况请直接拨打 12345。",
        "en": "Sorry, something went wrong on our side. Please try again shortly; "
        "for anything urgent, call 12345.",
    },
}


def notice(key: str, language: str, **values: object) -> str:
    """The notice ``key`` in ``language`` (zh when unknown), with ``values`` filled in."""
    texts = NOTICES[key]
    return texts.get(language, texts["zh"]).format(**values)
