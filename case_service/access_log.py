"""Access log lines without query strings.

Query strings carry ``api_key`` and, for the phone look-up, a citizen's phone
number; neither belongs in a log file, so only method, path, status, size and
duration are written.
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger


class AccessLogger(AbstractAccessLogger):
    """``127.0.0.1 "GET /open311/v2/requests.json" 200 1457 0.025s``"""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            '%s "%s %s" %s %s %.3fs',
            request.remote,
            request.method,
            request.path,
            response.status,
            response.body_length,
            time,
        )
