"""The actions' own exceptions (backend errors come from :mod:`backend_client.errors`)."""
from __future__ import annotations


class ActionsError(Exception):
    """Base class for failures inside the action server."""


class IncompleteCase(ActionsError):
    """The collected slots are not enough to file a case (a dialogue path skipped the form)."""


class UnknownCategory(ActionsError):
    """No service code matches the chosen category; the case cannot be filed as it is."""


class StorageError(ActionsError):
    """The local SQLite state (outbox, verification codes) could not be read or written."""
