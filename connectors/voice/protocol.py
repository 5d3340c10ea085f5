"""What the gateway and the Rasa ``voice`` channel agree on: the secret header and its check.

Kept apart from :mod:`.channel` so the gateway process never imports Rasa (or Sanic, whose import
switches the event-loop policy to uvloop).
"""

from __future__ import annotations

import hmac
from typing import Optional

SECRET_HEADER = "X-Voice-Secret"


def secret_matches(given: Optional[str], expected: str) -> bool:
    """Constant-time comparison; an empty expected secret never matches."""
    return bool(expected) and hmac.compare_digest((given or "").encode(), expected.encode())
