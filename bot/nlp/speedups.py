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
two-level copy. A new answer is not replayed from the start of the session either: the replay
(:class:`_Replay`, Rasa's loop split into a resumable step) is kept on the tracker and continues
from the events it has already seen, as long as they are still the start of the applied events
(same objects, so a rewind or a loop's undo starts it over). Without this, latency grew with the
length of the conversation: at turn 300 a message took 410 ms against 46 ms at the start, and
``past_states`` was 57 % of the server's CPU. Tests compare the states after every event of every
story and rule with Rasa's replay.

**Applied events.** ``DialogueStateTracker.applied_events`` (the session without rewound events)
folds over every event of the session, and Rasa asks for it many times per message (policies,
``get_last_event_for``, the replay above). :func:`install` keeps the fold on the tracker and
continues it over the events appended since (the same deque, its first and last folded events
unchanged); a loop activated for the first time restarts it, since Rasa treats that loop's earlier
executions by the names of all the loops in the tracker. Callers get their own copy of the list.
Together with the resumed replay: message 300 of one conversation 410 → 127 ms; the 100-turn
bench conversation's last ten turns 2.7× → 1.1× its first ten.

**Tracker copies.** Before every action the processor runs the action on ``tracker.copy()``, which
builds a new tracker and replays every event of the session into it. :func:`install` keeps that
replayed tracker up to date (the same continuation check as above) and returns a clone of it
(:func:`clone`: the event deque, slots, active loop and latest action copied, so changes to the
copy do not reach it). Tests compare the clone with Rasa's copy after every event of every story.
"""

from __future__ import annotations

import copy
import itertools
import json
import logging
import operator
from typing import Any, Dict

log = logging.getLogger(__name__)
_installed = False
ORIGINALS: Dict[str, Any] = {}  # Rasa's functions that install() replaced, for tests to compare with


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
    _fold_applied_events()
    _memoise_past_states()
    _replayed_copies()
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


CACHE_PREFIX = "_hotline_"  # the attributes this module keeps on a tracker


def release_caches(tracker: Any) -> int:
    """Drop what this module keeps on ``tracker`` (replays, folds, memos); returns how many.

    They are rebuilt from the events on the next call, so this only costs time: the tracker store
    calls it for conversations that have gone quiet, to bound their memory."""
    keys = [key for key in tracker.__dict__ if key.startswith(CACHE_PREFIX)]
    for key in keys:
        del tracker.__dict__[key]
    return len(keys)


_STATES_CACHE = "_hotline_past_states"
_REPLAYS = "_hotline_state_replays"


def _copy_states(states: list) -> list:
    return [{key: dict(sub) for key, sub in state.items()} for state in states]


class _Replay:
    """Rasa's ``Domain.states_for_tracker_history`` loop, stopped after the events seen so far.

    Holds the prior tracker after ``events`` and the states of the turns before each
    ``ActionExecuted`` among them, plus the loop's two variables, so that events applied later are
    replayed on top instead of from the start of the session. Only valid for the same domain,
    arguments and applied-event prefix (checked by identity in :meth:`resume`).
    """

    __slots__ = ("domain", "omit_unset_slots", "ignore_rule_only_turns", "rule_only_data", "events",
                 "tracker", "states", "last_ml_action_sub_state", "turn_was_hidden")

    def __init__(self, tracker: Any, domain: Any, omit_unset_slots: bool, ignore_rule_only_turns: bool,
                 rule_only_data: Any) -> None:
        self.domain, self.rule_only_data = domain, copy.deepcopy(rule_only_data)
        self.omit_unset_slots, self.ignore_rule_only_turns = omit_unset_slots, ignore_rule_only_turns
        self.events: list = []
        self.tracker = tracker.init_copy()
        self.states: list = []
        self.last_ml_action_sub_state = None
        self.turn_was_hidden = False

    def fits(self, domain: Any, applied: list) -> bool:
        """The very domain (the caller's key holds only its id, and the flags and ``rule_only_data``),
        and ``applied`` starts with the very events replayed so far."""
        seen = self.events
        return self.domain is domain and len(applied) >= len(seen) and all(map(operator.is_, applied, seen))

    def resume(self, applied: list) -> list:
        """The states for ``applied`` (which starts with ``self.events``), as Rasa computes them."""
        from rasa.shared.core.events import ActionExecuted

        tracker = self.tracker
        for event in applied[len(self.events):]:
            if isinstance(event, ActionExecuted):
                state, self.last_ml_action_sub_state, self.turn_was_hidden = self._state(
                    event.hide_rule_turn, self.last_ml_action_sub_state, self.turn_was_hidden)
                if state is not None:
                    self.states.append(state)
            tracker.update(event)
            self.events.append(event)
        final, _, _ = self._state(False, self.last_ml_action_sub_state, self.turn_was_hidden)
        return self.states + [final] if final is not None else list(self.states)

    def _state(self, hide_rule_turn: bool, last_ml_action_sub_state: Any, turn_was_hidden: bool) -> tuple:
        """One pass of Rasa's loop body (rasa/shared/core/domain.py, states_for_tracker_history)."""
        from rasa.shared.core.constants import PREVIOUS_ACTION

        domain, tr = self.domain, self.tracker
        if self.ignore_rule_only_turns:
            if not turn_was_hidden:
                last_ml_action_sub_state = domain._get_prev_action_sub_state(tr)
            if not tr.followup_action and not tr.latest_action_name == tr.active_loop_name:
                turn_was_hidden = hide_rule_turn
            if turn_was_hidden:
                return None, last_ml_action_sub_state, turn_was_hidden
        state = domain.get_active_state(tr, omit_unset_slots=self.omit_unset_slots)
        if self.ignore_rule_only_turns:
            domain._remove_rule_only_features(state, self.rule_only_data)
            if self.states:
                domain._substitute_rule_only_user_input(state, self.states[-1])
            if last_ml_action_sub_state:
                state[PREVIOUS_ACTION] = last_ml_action_sub_state
        return domain._clean_state(state), last_ml_action_sub_state, turn_was_hidden


_APPLIED = "_hotline_applied_events"
_SHADOW = "_hotline_replayed_copy"


class _Folded:
    """A computation over the first ``count`` events of one tracker's event deque."""

    __slots__ = ("events", "count", "first", "last")

    def __init__(self, events: Any) -> None:
        self.events, self.count, self.first, self.last = events, 0, None, None

    def continues(self, events: Any) -> bool:
        """``events`` is the same deque, grown only by appending (Rasa never removes events; a deque
        with a ``maxlen`` may drop them, so it is always folded from the start)."""
        count = self.count
        return (events is self.events and events.maxlen is None and len(events) >= count
                and (count == 0 or (events[0] is self.first and events[count - 1] is self.last)))

    def new_events(self) -> list:
        return list(itertools.islice(self.events, self.count, None))

    def folded_all(self) -> None:
        events = self.events
        self.count = len(events)
        if events:
            self.first, self.last = events[0], events[-1]


class _Applied(_Folded):
    """Rasa's ``applied_events`` fold."""

    __slots__ = ("loop_names", "applied")

    def __init__(self, events: Any) -> None:
        from rasa.shared.core.events import ActiveLoop

        super().__init__(events)
        # As Rasa: every loop activated anywhere in the tracker, later events included.
        self.loop_names = {event.name for event in events if isinstance(event, ActiveLoop) and event.name}
        self.applied: list = []


class _Replayed(_Folded):
    """The tracker ``copy()`` returns, i.e. a new tracker that replayed the events, kept up to date."""

    __slots__ = ("tracker",)

    def __init__(self, events: Any, tracker: Any) -> None:
        super().__init__(events)
        self.tracker = tracker


def clone(tracker: Any) -> Any:
    """An independent tracker in the same state: the containers Rasa changes in place (the event
    deque, the slots, the active loop, the latest action, placeholder messages) are copied, event
    objects are shared as a replay shares them, and this module's caches are left behind."""
    import dataclasses

    clone = object.__new__(type(tracker))
    state = {key: value for key, value in tracker.__dict__.items() if not key.startswith(CACHE_PREFIX)}
    state["events"] = tracker._create_events(list(tracker.events))
    slots = type(tracker.slots)()
    slots.update((name, copy.copy(slot)) for name, slot in tracker.slots.items())
    state["slots"] = slots
    if tracker.active_loop is not None:
        state["active_loop"] = dataclasses.replace(tracker.active_loop)
    if isinstance(tracker.latest_action, dict):
        state["latest_action"] = dict(tracker.latest_action)
    # Before any message (or after a reset) these are placeholders, not events: Rasa's copy makes its
    # own, and events such as EntitiesAdded change them in place.
    for name in ("latest_message", "latest_bot_utterance"):
        value = state.get(name)
        if value is not None and not _is_last_of_its_kind(value, tracker.events):
            state[name] = copy.deepcopy(value)
    clone.__dict__.update(state)
    return clone


def _is_last_of_its_kind(value: Any, events: Any) -> bool:
    """Whether ``value`` is the last event of its type in ``events`` (not a placeholder)."""
    kind = type(value)
    for event in reversed(events):
        if type(event) is kind:
            return event is value
    return False


def _replayed_copies() -> None:
    from rasa.shared.core.trackers import DialogueStateTracker

    ORIGINALS.setdefault("copy", DialogueStateTracker.copy)

    def copy_(self: DialogueStateTracker) -> DialogueStateTracker:
        events = self.events
        replayed = self.__dict__.get(_SHADOW)
        if replayed is None or not replayed.continues(events):
            replayed = self.__dict__[_SHADOW] = _Replayed(events, self.init_copy())
        try:
            for event in replayed.new_events():
                replayed.tracker.update(event)
        except BaseException:
            del self.__dict__[_SHADOW]  # stopped half-way: never continue from it
            raise
        replayed.folded_all()
        return clone(replayed.tracker)

    DialogueStateTracker.copy = copy_  # type: ignore[assignment]


def _fold_applied_events() -> None:
    from rasa.shared.core.events import (ActionExecuted, ActionReverted, ActiveLoop, Restarted, SessionStarted,
                                         UserUttered, UserUtteranceReverted)
    from rasa.shared.core.trackers import DialogueStateTracker

    ORIGINALS.setdefault("applied_events", DialogueStateTracker.applied_events)

    def applied_events(self: DialogueStateTracker) -> list:
        events = self.events
        memo = self.__dict__.get(_APPLIED)
        if memo is None or not memo.continues(events):
            memo = self.__dict__[_APPLIED] = _Applied(events)
        new = memo.new_events()
        if any(isinstance(event, ActiveLoop) and event.name and event.name not in memo.loop_names
               for event in new):
            # A loop seen for the first time changes how its earlier executions count: start over.
            memo = self.__dict__[_APPLIED] = _Applied(events)
            new = list(events)
        applied, loop_names = memo.applied, memo.loop_names
        try:
            for event in new:  # the body of Rasa's DialogueStateTracker.applied_events
                if isinstance(event, (Restarted, SessionStarted)):
                    applied = []
                elif isinstance(event, ActionReverted):
                    self._undo_till_previous(ActionExecuted, applied)
                elif isinstance(event, UserUtteranceReverted):
                    self._undo_till_previous(UserUttered, applied)
                    self._undo_till_previous(ActionExecuted, applied)
                elif (isinstance(event, ActionExecuted) and event.action_name in loop_names
                      and not self._first_loop_execution_or_unhappy_path(event.action_name, applied)):
                    self._undo_till_previous_loop_execution(event.action_name, applied)
                else:
                    applied.append(event)
        except BaseException:
            del self.__dict__[_APPLIED]  # stopped half-way: never continue from it
            raise
        memo.applied = applied
        memo.folded_all()
        return list(applied)  # callers may change the list they get

    DialogueStateTracker.applied_events = applied_events  # type: ignore[assignment]


def _frozen(value: Any) -> Any:
    """A hashable equal-for-equal image of ``rule_only_data`` (dicts of lists of names)."""
    if isinstance(value, dict):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted(map(repr, value))))
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(item) for item in value)
    return value


def _memoise_past_states() -> None:
    from rasa.shared.core.trackers import DialogueStateTracker

    def past_states(self, domain, omit_unset_slots: bool = False, ignore_rule_only_turns: bool = False,
                    rule_only_data=None):
        events = self.events
        version = (id(events), len(events), id(events[-1]) if events else None)
        # Rasa hands the policies a new rule_only_data dict for every prediction: key by its value,
        # and only where it is used (when rule-only turns are ignored).
        key = (id(domain), omit_unset_slots, ignore_rule_only_turns,
               _frozen(rule_only_data) if ignore_rule_only_turns else None)
        cache = self.__dict__.get(_STATES_CACHE)
        if cache is None or cache[0] != version:
            cache = (version, {})
            self.__dict__[_STATES_CACHE] = cache
        states = cache[1].get(key)
        if states is None:
            applied = self.applied_events()
            replays = self.__dict__.setdefault(_REPLAYS, {})
            replay = replays.get(key)
            if replay is None or not replay.fits(domain, applied):
                for stale in [other for other in replays if other[0] != key[0]]:
                    del replays[stale]  # replays for a model's domain that has since been replaced
                replay = replays[key] = _Replay(self, domain, omit_unset_slots, ignore_rule_only_turns,
                                                rule_only_data)
            try:
                states = cache[1][key] = replay.resume(applied)
            except BaseException:
                del replays[key]  # stopped half-way: never resume from it
                raise
        return _copy_states(states)

    DialogueStateTracker.past_states = past_states  # type: ignore[assignment]
