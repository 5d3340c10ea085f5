"""Operator console: the web app where 12345 operators take over conversations from the bot.

``python -m operator_console --port 8320`` serves it; ``python -m operator_console.cli
create-user NAME --role supervisor`` creates accounts. The design (queue in SQLite, the action
server posting hand-offs to ``/internal/handoffs``, replies and release through Rasa's HTTP
API) is described in ``docs/handoff.md``. Importing this package does nothing.
"""
