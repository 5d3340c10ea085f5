"""Speed-ups for the Rasa 3.6 server process, installed when our NLU components load.

Each replaces one measured hot spot with code that returns exactly what Rasa's does.

**Action responses.**
Rasa checks every action-server response with ``jsonschema.validate(result, schema)``, which first
validates the schema itself against the 2020-12 meta-schema and then builds a new validator, on
every call. Profiling our server under load (py-spy, bench/README.md) put about half of its CPU
there. :func:`install` replaces ``RemoteAction._validate_action_result`` with the same check done
by one validator built once: the schema uses only draft-7 keywords (``type``, ``properties``,
``patternProperties``, ``required``, ``items``, ``oneOf``, ``const``), so a Draft 7 validator
accepts and refuses exactly what Rasa's does, with the same best-match error and message.
Measured: 50.8 ms → 7.5 ms per typical response (10 events).

**Event types.** ``Event.resolve_by_type`` walks every subclass of ``Event`` (recursively, checking
each for abstractness) for every event it deserialises, i.e. for every event of a conversation each
time the tracker store loads it. :func:`install` memoises the name → class answer (only answers
that were found: unknown names still raise or fall back as before).
"""

from __future__ import annotations

import logging
from typing import Any, Dict

log = logging.getLogger(__name__)
_installed = False


def install() -> None:
    """Idempotent; called from :meth:`bot.nlp.components.LanguageDetector.create` / ``load``."""
    global _installed
    if _installed:
        return
    from jsonschema import Draft7Validator
    from jsonschema.exceptions import best_match
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    schema = RemoteAction.action_response_format_spec()
    Draft7Validator.check_schema(schema)
    validator = Draft7Validator(schema)

    def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
        error = best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the "
            f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[assignment]
    _memoise_event_types()
    _installed = True
    log.info("Rasa speed-ups installed (bot/nlp/speedups.py)")


def _memoise_event_types() -> None:
    from rasa.shared.core.events import Event

    original = Event.resolve_by_type
    found: Dict[str, Any] = {}

    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        cls = found.get(type_name)
        if cls is None:
            cls = original(type_name, default)
            if cls is not None and cls is not default:
                found[type_name] = cls
        return cls

    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[assignment]
