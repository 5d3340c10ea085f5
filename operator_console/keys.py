"""Typed keys of the shared objects on the aiohttp application (one place, no string typos)."""
from __future__ import annotations

from aiohttp import web

from backend_client import CaseBackend

from operator_console.db import Database
from operator_console.handoffs import HandoffQueue
from operator_console.rasa_api import RasaApi
from operator_console.ratelimit import LoginLimiter
from operator_console.sessions import SessionStore
from operator_console.settings import ConsoleSettings

SETTINGS = web.AppKey("settings", ConsoleSettings)
DB = web.AppKey("db", Database)
SESSIONS = web.AppKey("sessions", SessionStore)
QUEUE = web.AppKey("queue", HandoffQueue)
LIMITER = web.AppKey("login_limiter", LoginLimiter)
RASA = web.AppKey("rasa", RasaApi)
BACKEND = web.AppKey("backend", CaseBackend)
