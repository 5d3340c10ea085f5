"""``python -m case_service --host H --port P --database-url URL``: run the server.

Runs the application with an explicit ``AppRunner`` rather than
``web.run_app`` so that a failed start-up (unreachable database, missing
catalog files) ends with one clear log line and exit code 2, and SIGTERM /
SIGINT shut down gracefully (the database engine is disposed).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from typing import Optional, Sequence

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from .access_log import AccessLogger
from .app import create_app
from .db import parse_url
from .errors import CaseServiceError
from .settings import Settings

log = logging.getLogger("case_service")


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m case_service", description="Run the case service.")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8311, help="port (default 8311)")
    parser.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy URL; default $CASE_SERVICE_DATABASE_URL or sqlite var/cases.db",
    )
    parser.add_argument("--log-level", default="INFO", help="logging level (default INFO)")
    return parser.parse_args(argv)


async def serve(settings: Settings) -> None:
    """Start the app, listen until SIGINT/SIGTERM, then clean up."""
    runner = web.AppRunner(create_app(settings), access_log_class=AccessLogger)
    await runner.setup()  # runs start-up: migrations, engine, seeding
    try:
        await web.TCPSite(runner, settings.host, settings.port).start()
        log.info("listening on http://%s:%d/open311/v2", settings.host, settings.port)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
        log.info("shutting down")
    finally:
        await runner.cleanup()


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    settings = Settings.from_env(host=args.host, port=args.port, database_url=args.database_url)
    try:
        parse_url(settings.database_url)
        asyncio.run(serve(settings))
    except (CaseServiceError, SQLAlchemyError, OSError) as error:
        # configuration, catalog files, unreachable database, port in use
        log.error("cannot start: %s", error)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
