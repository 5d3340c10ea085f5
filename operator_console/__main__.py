"""``python -m operator_console --port 8320 [--host 127.0.0.1]``."""
from __future__ import annotations

import argparse
import logging

from aiohttp import web

from operator_console.app import create_app
from operator_console.settings import ConsoleSettings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m operator_console", description="12345 operator console")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8320)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    web.run_app(create_app(ConsoleSettings.from_env()), host=args.host, port=args.port, access_log=None)


if __name__ == "__main__":
    main()
