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
Measured: 50.8 ms → 7.5 ms per typical response (10 events). Most of what is left is ``oneOf``:
each event is tried against all 23 event schemas. Since each of those fixes ``event`` to its own
constant, a valid response is recognised by checking each event against its own schema only
(:func:`_event_dispatching_check`, 5 ms → 0.4 ms); a response it refuses goes through the full
check, so refusals and their errors stay exactly Rasa's.

**Requests to the action server.** Every custom action call sends the whole tracker (every event
of the session) as JSON; ``json.dumps`` of it was 9 % of the server's CPU under load. The sessions
Rasa's ``EndpointConfig`` opens encode ``json=`` bodies with orjson instead (the same JSON value;
``json.dumps`` for what orjson refuses).

**Event types.** ``Event.resolve_by_type`` walks every subclass of ``Event`` (recursively, checking
each for abstractness) for every event it deserialises, i.e. for every event of a conversation each
time the tracker store loads it. :func:`install` memoises the name → class answer (only answers
that were found: unknown names still raise or fall back as before).

**Dialogue states.** ``DialogueStateTracker.past_states`` replays the whole conversation into
dialogue states, and every policy (Memoization, Rule) asks for them again for the same tracker
at every predicted action. :func:`install` keeps the last answers on the tracker object, keyed by
the arguments and by the tracker's events (the deque, its length and its last event, so any update
invalidates them), and hands out copies: states are two levels of dicts holding strings and
tuples, and Rasa mutates the lists it gets (``_choose_last_user_input``), so each caller gets its own
two-level copy.
"""

from __future__ import annotations

import json
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
    is_valid = _event_dispatching_check(schema, Draft7Validator)

    def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
        if is_valid(result):
            return True
        error = best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the "
            f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[assignment]
    _fast_json_requests()
    _memoise_event_types()
    _memoise_past_states()
    _installed = True
    log.info("Rasa speed-ups installed (bot/nlp/speedups.py)")


def _event_dispatching_check(schema: Dict[str, Any], validator_class: Any) -> Any:
    """A fast yes/no for Rasa's action-response schema, exact for ``True``.

    Each event must match exactly one of 23 ``oneOf`` alternatives, and every alternative fixes
    ``event`` to a different constant (checked here, or this returns the plain check). So an event
    whose ``event`` is X is valid iff it matches the item keywords and X's alternative; checking
    only that one saves the other 22 per event. Everything outside ``events.items`` is checked by
    the schema with ``items`` emptied.
    """
    import copy

    plain = validator_class(schema).is_valid
    items = (schema.get("properties", {}).get("events") or {}).get("items") or {}
    alternatives = items.get("oneOf") or []
    names = [((a.get("properties") or {}).get("event") or {}).get("const") for a in alternatives]
    if (
        not alternatives
        or set(items) != {"type", "properties", "required", "oneOf"}
        or "event" not in items.get("required", [])
        or any(not isinstance(n, str) for n in names)
        or len(set(names)) != len(names)
    ):
        return plain
    base = {k: v for k, v in items.items() if k != "oneOf"}
    by_event = {
        name: validator_class({**base, "allOf": [alternative]}).is_valid
        for name, alternative in zip(names, alternatives)
    }
    outer = copy.deepcopy(schema)
    outer["properties"]["events"]["items"] = {}
    outer_valid = validator_class(outer).is_valid

    def is_valid(result: Any) -> bool:
        if not outer_valid(result):
            return False
        for event in result.get("events") or []:
            check = by_event.get(event.get("event")) if isinstance(event, dict) else None
            if check is None or not check(event):
                return False
        return True

    return is_valid


def json_dumps(value: Any) -> str:
    """``json.dumps`` done by orjson (same JSON text up to whitespace); json.dumps where orjson refuses."""
    import orjson

    try:
        return orjson.dumps(value).decode("utf-8")
    except TypeError:  # orjson.JSONEncodeError: non-str keys, big ints, unknown types
        return json.dumps(value)


def _fast_json_requests() -> None:
    from rasa.utils.endpoints import EndpointConfig

    original = EndpointConfig.session

    def session(self: EndpointConfig) -> Any:
        client = original(self)
        client._json_serialize = json_dumps  # aiohttp's json= encoder for this session
        return client

    EndpointConfig.session = session  # type: ignore[assignment]


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
