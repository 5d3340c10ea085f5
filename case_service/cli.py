"""Operator command line: ``python -m case_service.cli COMMAND``.

::

    advance ID --stage S [--department D] [--note N]   move a case along its timeline
    show ID                                            print a case (with timeline) as JSON
    migrate [--revision REV]                           upgrade the database (default: head)

Each takes ``--database-url`` (default as for the server). ``advance`` uses the
same rules and transaction as ``POST …/x12345/requests/{id}/timeline.json``.
Exit codes: 0 success, 1 rejected (unknown case, bad stage), 2 usage or
configuration error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from typing import Awaitable, Callable, Optional, Sequence

from sqlalchemy.exc import SQLAlchemyError

from . import migrate
from .cases import advance_case, get_case
from .db import Database
from .errors import ClientError, ConfigurationError
from .models import Case
from .render import request_document
from .settings import Settings
from .workflow import STAGES


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m case_service.cli", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    def with_db(sub: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sub.add_argument("--database-url", default=None, help="default: $CASE_SERVICE_DATABASE_URL or var/cases.db")
        return sub

    advance = with_db(commands.add_parser("advance", help="move a case to a stage"))
    advance.add_argument("case_id", metavar="ID")
    advance.add_argument("--stage", required=True, choices=STAGES)
    advance.add_argument("--department", default=None)
    advance.add_argument("--note", default=None)

    show = with_db(commands.add_parser("show", help="print a case as JSON"))
    show.add_argument("case_id", metavar="ID")

    upgrade = with_db(commands.add_parser("migrate", help="upgrade the database schema"))
    upgrade.add_argument("--revision", default="head")
    return parser


async def _with_database(url: str, work: Callable[[Database], Awaitable[int]]) -> int:
    database = Database.connect(url)
    try:
        return await work(database)
    finally:
        await database.dispose()


def _print_case(case: Case) -> None:
    print(json.dumps(request_document(case, extensions=True), ensure_ascii=False, indent=2))


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env(database_url=args.database_url)
    try:
        if args.command == "migrate":
            migrate.upgrade(settings.database_url, args.revision)
            print(f"database at revision {migrate.current_revision(settings.database_url)}")
            return 0

        if args.command == "advance":
            async def work(db: Database) -> int:
                case = await advance_case(db, args.case_id, args.stage, args.department, args.note)
                _print_case(case)
                return 0
        else:
            async def work(db: Database) -> int:
                _print_case(await get_case(db, args.case_id))
                return 0

        return asyncio.run(_with_database(settings.database_url, work))
    except ClientError as error:
        print(f"error: {'; '.join(error.messages)}", file=sys.stderr)
        return 1
    except ConfigurationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except SQLAlchemyError as error:
        detail = getattr(error, "orig", None) or error
        print(f"error: database: {detail} (is it migrated? try the migrate command)", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
