"""``python -m operator_console.cli create-user NAME --role operator|supervisor``.

The password comes from ``OPERATOR_CONSOLE_PASSWORD`` (scripts, tests) or an interactive
prompt (asked twice); it is never accepted on the command line, where ``ps`` would show it.
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys

from operator_console.accounts import ROLES, AccountExists, create_user_sync
from operator_console.db import Database
from operator_console.passwords import WeakPassword
from operator_console.settings import ConsoleSettings


def _password() -> str:
    from_env = os.environ.get("OPERATOR_CONSOLE_PASSWORD")
    if from_env:
        return from_env
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat: "):
        raise SystemExit("passwords differ")
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m operator_console.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-user", help="create an operator or supervisor account")
    create.add_argument("name")
    create.add_argument("--role", choices=ROLES, default="operator")
    args = parser.parse_args(argv)
    db = Database(ConsoleSettings.from_env().database)
    db.migrate()
    try:
        user = create_user_sync(db, args.name, _password(), args.role)
    except (AccountExists, WeakPassword, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"created {user.role} {user.name!r} in {db.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
