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

**Dialogue states.** ``DialogueStateTracker.past_states`` replays the whole conversation into
dialogue states, and every policy (Memoization, Rule, TED) asks for them again for the same tracker
at every predicted action. :func:`install` keeps the last answers on the tracker object, keyed by
the arguments and by the tracker's events (the deque, its length and its last event, so any update
invalidates them), and hands out copies: states are two levels of dicts holding strings and
tuples, and Rasa mutates the lists it gets (``_choose_last_user_input``), so each caller gets its own
two-level copy.
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
    _memoise_past_states()
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


_STATES_CACHE = "_hotline_past_states"


def _copy_states(states: list) -> list:
    return [{key: dict(sub) for key, sub in state.items()} for state in states]


def _memoise_past_states() -> None:
    from rasa.shared.core.trackers import DialogueStateTracker

    original = DialogueStateTracker.past_states

    def past_states(self, domain, omit_unset_slots: bool = False, ignore_rule_only_turns: bool = False,
                    rule_only_data=None):
        events = self.events
        key = (id(domain), omit_unset_slots, ignore_rule_only_turns, id(rule_only_data),
               id(events), len(events), id(events[-1]) if events else None)
        cache = self.__dict__.get(_STATES_CACHE)
        if cache is None or cache[0] != key[4:]:
            cache = (key[4:], {})
            self.__dict__[_STATES_CACHE] = cache
        states = cache[1].get(key)
        if states is None:
            states = original(self, domain, omit_unset_slots=omit_unset_slots,
                              ignore_rule_only_turns=ignore_rule_only_turns, rule_only_data=rule_only_data)
            cache[1][key] = _copy_states(states)
            return states
        return _copy_states(states)

    DialogueStateTracker.past_states = past_states  # type: ignore[assignment]
