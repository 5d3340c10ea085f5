"""The error middleware: every failure leaves as an Open311 error array.

``ClientError`` → its status and messages (logged as a warning, since rejected
input is worth seeing); aiohttp's own HTTP errors (unknown route, wrong
method, body over ``client_max_size``) → the same shape; anything else is a
bug → logged with its traceback and answered with a JSON 500 as the very last
resort, never a stack trace. A database that cannot be reached (or stays
locked) is a 503, which clients may retry.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable

from aiohttp import web
from sqlalchemy.exc import InterfaceError, OperationalError

from .errors import ClientError
from .formats import format_of, respond
from .render import error_document

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_HTTP_MESSAGES = {
    404: "no such endpoint",
    405: "method not allowed",
    413: "request body too large",
}


def _error_response(request: web.Request, status: int, messages: tuple[str, ...]) -> web.Response:
    return respond(error_document(status, messages), "errors", format_of(request), status=status)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ClientError as error:
        log.warning(
            "rejected %s %s with %d: %s", request.method, request.path, error.status, "; ".join(error.messages)
        )
        return _error_response(request, error.status, error.messages)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        message = _HTTP_MESSAGES.get(exc.status, exc.reason)
        if exc.status == 413:
            message = f"{message}: {exc.text}"
        log.warning("rejected %s %s with %d: %s", request.method, request.path, exc.status, message)
        response = _error_response(request, exc.status, (message,))
        if "Allow" in exc.headers:
            response.headers["Allow"] = exc.headers["Allow"]
        return response
    except asyncio.CancelledError:
        raise
    except (OperationalError, InterfaceError, ConnectionError) as error:
        log.error("database unavailable on %s %s: %s", request.method, request.path, error)
        return _error_response(request, 503, ("database unavailable, try again later",))
    except Exception:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return _error_response(request, 500, ("internal server error",))
