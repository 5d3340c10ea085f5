"""What a citizen's message may carry into Rasa, and nothing more.

The page is not trusted: anything in a socket event can be forged. So:

* the text is cut at a length limit (Rasa and the case service both have limits, and a
  10,000-character paste should not cost a model inference on all of it);
* metadata is reduced to what the web page legitimately sends — ``language`` (zh/en),
  ``location`` ``{lat, long}`` and ``media_urls`` — because the actions trust other keys
  (``verified_phone`` skips SMS verification, ``channel`` changes the work order);
  ``media_urls`` must be photos this conversation uploaded through our endpoint;
* ``/intent`` payloads (which Rasa executes directly, entities included) are accepted only
  when the bot offered them as a quick reply or they are configured commands; otherwise
  the slash is replaced by a full-width one and the text goes through NLU like any other.
"""

from __future__ import annotations

import json
import logging
import math
import re
from typing import Any, Collection, Mapping, Optional

log = logging.getLogger(__name__)

SESSION_ID = re.compile(r"^[0-9a-f]{32}$")
ALLOWED_LANGUAGES = ("zh", "en")
#: keys the page may send; anything else is dropped (and logged when it looks like an attack)
TRUSTED_KEYS = frozenset({"verified_phone", "channel", "phone_verified"})
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def valid_session_id(value: Any) -> bool:
    """Session ids are ours (``uuid4().hex``): a client cannot pick another channel's sender id."""
    return isinstance(value, str) and bool(SESSION_ID.match(value))


def clean_text(raw: Any, max_chars: int) -> tuple[str, bool]:
    """The message text, stripped and cut at ``max_chars``; ``True`` when it was cut."""
    if not isinstance(raw, str):
        raw = "" if raw is None else str(raw)
    text = raw.replace("\x00", "").strip()
    if len(text) <= max_chars:
        return text, False
    return text[:max_chars].rstrip(), True


def _coordinate(value: Any, limit: float) -> Optional[float]:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(number) or not -limit <= number <= limit:
        return None
    return number


def parse_metadata(raw: Any) -> dict[str, Any]:
    """``customData``/``metadata`` as a dict (some clients send it as a JSON string)."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return {}
    return raw if isinstance(raw, dict) else {}


def clean_metadata(raw: Mapping[str, Any], uploaded: Collection[str], session_id: str = "") -> dict[str, Any]:
    """Keep ``language``, a valid ``location`` and ``media_urls`` uploaded in this conversation."""
    clean: dict[str, Any] = {}
    forged = TRUSTED_KEYS & set(raw)
    if forged:
        log.warning("web chat %s: dropped metadata the page may not set: %s", session_id[:8], sorted(forged))
    language = raw.get("language")
    if language in ALLOWED_LANGUAGES:
        clean["language"] = language
    location = raw.get("location")
    if isinstance(location, dict):
        lat = _coordinate(location.get("lat", location.get("latitude")), 90.0)
        long = _coordinate(location.get("long", location.get("lng", location.get("longitude"))), 180.0)
        if lat is not None and long is not None:
            clean["location"] = {"lat": lat, "long": long}
    urls = raw.get("media_urls")
    if isinstance(urls, str):
        urls = [urls]
    if isinstance(urls, list):
        kept = [url for url in urls if isinstance(url, str) and url in uploaded]
        if len(kept) != len(urls):
            log.warning("web chat %s: dropped %d media URL(s) not uploaded here", session_id[:8], len(urls) - len(kept))
        if kept:
            clean["media_urls"] = list(dict.fromkeys(kept))[:10]
    return clean


def neutralize_command(text: str, allowed: Collection[str]) -> str:
    """Keep ``/intent…`` only if offered; otherwise make it ordinary text (full-width slash)."""
    if not text.startswith("/") or text in allowed:
        return text
    return "／" + text[1:]


def guess_language(text: str) -> Optional[str]:
    """zh if the text has Chinese characters, en if it has Latin letters only, else unknown."""
    if _CJK.search(text):
        return "zh"
    if _LATIN.search(text):
        return "en"
    return None
