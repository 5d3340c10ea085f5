"""The Rasa speed-ups (bot/nlp/speedups.py) must accept and refuse exactly what Rasa does."""

from __future__ import annotations

import contextlib
import copy
import operator

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core import events

from bot.nlp import speedups

VALID = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "district", "value": "朝阳区", "timestamp": None}],
     "responses": [{"text": "好的", "buttons": [{"title": "是", "payload": "/affirm"}]}]},
    {"events": [{"event": "active_loop", "name": "case_form"}, {"event": "followup", "name": "action_listen"},
                {"event": "pause"}, {"event": "reminder", "intent": "x", "date_time": "2026-11-30T10:00:00"}]},
    {},
]
INVALID = [
    {"events": [{"event": "slot"}]},
    {"events": [{"event": "no_such_event"}]},
    {"events": "not a list"},
    {"responses": [1, 2]},
    [],
]


@pytest.fixture(scope="module")
def action() -> RemoteAction:
    speedups.install()
    return RemoteAction("action_test", None)


@pytest.mark.parametrize("response", VALID)
def test_valid_responses_pass_as_with_rasa(action, response):
    jsonschema.validate(response, RemoteAction.action_response_format_spec())  # Rasa's own check
    assert action._validate_action_result(response) is True


@pytest.mark.parametrize("response", INVALID)
def test_invalid_responses_fail_as_with_rasa_with_rasas_message(action, response):
    with pytest.raises(jsonschema.ValidationError) as stock:
        jsonschema.validate(response, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError) as ours:
        action._validate_action_result(response)
    assert ours.value.message.startswith(stock.value.message)
    assert "Failed to validate Action server response" in ours.value.message


def test_event_types_resolve_as_before(action):
    assert events.Event.resolve_by_type("user") is events.UserUttered
    assert events.Event.resolve_by_type("slot") is events.SlotSet
    assert events.Event.resolve_by_type("topic") is None
    assert events.Event.resolve_by_type("nope", default=events.BotUttered) is events.BotUttered
    with pytest.raises(ValueError):
        events.Event.resolve_by_type("nope")
    speedups.install()  # idempotent
    assert events.deserialise_events([{"event": "bot", "text": "hi"}])[0].text == "hi"


def test_past_states_are_the_same_isolated_and_invalidated_by_updates():
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from tests.support.servers import PROJECT_ROOT

    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    history = [ActionExecuted("action_listen")]
    for _ in range(20):
        history += [UserUttered("hi", {"name": "greet", "confidence": 1.0}), SlotSet("district", "朝阳区"),
                    ActionExecuted("utter_greet"), ActionExecuted("action_listen")]
    reference = domain.states_for_tracker_history(DialogueStateTracker.from_events("a", history, slots=domain.slots))
    speedups.install()
    tracker = DialogueStateTracker.from_events("b", history, slots=domain.slots)
    first, second = tracker.past_states(domain), tracker.past_states(domain)
    assert first == second == reference
    second[-1].clear()  # Rasa mutates what it gets (_choose_last_user_input): others must not see it
    assert tracker.past_states(domain) == reference
    assert tracker.past_states(domain, omit_unset_slots=True) == domain.states_for_tracker_history(
        tracker, omit_unset_slots=True)
    tracker.update(UserUttered("bye", {"name": "goodbye", "confidence": 1.0}))
    assert tracker.past_states(domain) == domain.states_for_tracker_history(tracker)
    assert tracker.past_states(domain)[-1]["user"]["intent"] == "goodbye"  # the update was seen


async def test_action_server_requests_are_encoded_as_json_dumps_would(action):
    import json

    from rasa.utils.endpoints import EndpointConfig

    body = {"next_action": "case_form", "sender_id": "web-1", "version": "3.6.21",
            "tracker": {"events": [{"event": "user", "text": "路灯坏了 \u2028 \"quoted\"", "timestamp": 1796062063.3628378,
                                    "parse_data": {"intent": {"name": "report_problem", "confidence": 0.93}}},
                                   {"event": "slot", "name": "location_lat", "value": 39.9042, "timestamp": None}],
                        "slots": {"anonymous": False, "media_urls": [], "requested_slot_misses": 2.0}},
            "domain": {"big": 2 ** 70}}
    assert json.loads(speedups.json_dumps(body)) == json.loads(json.dumps(body))
    odd = {1: "non-string key", "n": float("nan")}
    assert speedups.json_dumps(odd) == json.dumps(odd)  # orjson refuses int keys: json.dumps answers
    session = EndpointConfig("http://127.0.0.1:1").session()
    try:
        assert session.json_serialize is speedups.json_dumps
    finally:
        await session.close()


MORE = VALID + INVALID + [
    {"events": [{"event": "user", "text": "你好", "parse_data": {"intent": {"name": "greet", "confidence": 1}},
                 "timestamp": 1.0}, {"event": "bot", "text": "您好"}]},
    {"events": [{"event": "user", "parse_data": {"entities": [{"entity": "district"}]}}]},  # no value
    {"events": [{"event": "slot", "name": "x", "value": None, "timestamp": "yesterday"}]},
    {"events": [{"name": "no event key"}]},
    {"events": [None]},
    {"events": [{"event": 3}]},
    {"events": [{"event": "action", "name": "utter_x", "policy": None, "confidence": "high"}]},
    {"events": [], "responses": [{"text": "x"}], "extra": 1},
    None, "text", 3,
]


@pytest.mark.parametrize("response", MORE)
def test_event_dispatching_check_agrees_with_jsonschema(response):
    from jsonschema import Draft7Validator

    schema = RemoteAction.action_response_format_spec()
    fast = speedups._event_dispatching_check(schema, Draft7Validator)
    assert fast(response) == Draft7Validator(schema).is_valid(response)


def test_event_dispatching_check_falls_back_when_alternatives_are_not_keyed_by_event():
    from jsonschema import Draft7Validator

    schema = {"type": "object", "properties": {"events": {"type": "array", "items": {
        "type": "object", "properties": {}, "required": ["event"],
        "oneOf": [{"properties": {"a": {"type": "string"}}}, {"properties": {"b": {"type": "string"}}}]}}}}
    fast = speedups._event_dispatching_check(schema, Draft7Validator)
    for response in ({"events": [{"event": "x", "a": "s"}]}, {"events": [{"event": "x"}]}):
        assert fast(response) == Draft7Validator(schema).is_valid(response)


def _story_trackers():
    """Every story and rule of bot/data and the test stories, as Rasa's training generator builds them."""
    from rasa.shared.core.generator import TrainingDataGenerator
    from rasa.shared.importers.importer import TrainingDataImporter

    from tests.support.servers import PROJECT_ROOT

    importer = TrainingDataImporter.load_from_config(
        str(PROJECT_ROOT / "config.yml"), str(PROJECT_ROOT / "domain.yml"),
        [str(PROJECT_ROOT / "bot" / "data"), str(PROJECT_ROOT / "bot" / "tests")])
    domain = importer.get_domain()
    trackers = TrainingDataGenerator(importer.get_stories(), domain, augmentation_factor=0,
                                     remove_duplicates=False).generate()
    return domain, trackers


def _with_reverts_and_hidden_turns(events: list) -> list:
    """The same events with every third action hidden as a rule turn, a new session a third of the way
    and a rewind after each user turn of the second half, so applied events also shrink or restart."""
    from rasa.shared.core.events import (ActionExecuted, ActionReverted, SessionStarted, UserUttered,
                                         UserUtteranceReverted)

    out, actions = [], 0
    for index, event in enumerate(events):
        if isinstance(event, ActionExecuted):
            actions += 1
            event = ActionExecuted(event.action_name, event.policy, event.confidence,
                                   action_text=event.action_text, hide_rule_turn=actions % 3 == 0)
        out.append(event)
        if index == len(events) // 3:
            out += [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
        if isinstance(event, UserUttered) and index > len(events) // 2:
            out += [UserUtteranceReverted(), event] if index % 2 else [ActionExecuted("utter_x"), ActionReverted()]
    return out


def _state_of(tracker) -> tuple:
    """Everything a tracker holds: events by identity, slots by their attributes, the rest by value."""
    rest = {key: value for key, value in vars(tracker).items() if not key.startswith("_hotline_")}
    events, slots = rest.pop("events"), rest.pop("slots")
    return type(tracker), [id(event) for event in events], events.maxlen, \
        {name: (type(slot), vars(slot)) for name, slot in slots.items()}, rest


def _change_in_place(tracker) -> None:
    from rasa.shared.core.events import ActiveLoop, SlotSet

    if tracker.active_loop is not None:
        tracker.active_loop.rejected = True  # the processor rejects/interrupts the loop in place
    if tracker.latest_action:
        tracker.latest_action["action_name"] = "changed"
    tracker.update(SlotSet("district", "海淀区"))
    tracker.update(ActiveLoop("case_form"))


@contextlib.contextmanager
def _rasas_applied_events():
    from rasa.shared.core.trackers import DialogueStateTracker

    patched = DialogueStateTracker.applied_events
    DialogueStateTracker.applied_events = speedups.ORIGINALS["applied_events"]
    try:
        yield
    finally:
        DialogueStateTracker.applied_events = patched


def test_a_replay_stopped_by_an_error_is_not_continued():
    """An event whose application fails part-way leaves no half-advanced replay behind."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from tests.support.servers import PROJECT_ROOT

    class Flaky(SlotSet):
        failures = 0

        def apply_to(self, tracker) -> None:
            if Flaky.failures:
                Flaky.failures -= 1
                raise RuntimeError("failed half-way")
            super().apply_to(tracker)

    speedups.install()
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    tracker = DialogueStateTracker.from_events("f", [ActionExecuted("action_listen"), UserUttered(
        "hi", {"name": "greet", "confidence": 1.0}), ActionExecuted("utter_greet")], slots=domain.slots)
    tracker.copy(), tracker.past_states(domain)
    tracker.update(Flaky("district", "朝阳区"))
    tracker.update(ActionExecuted("action_listen"))
    for call in (tracker.copy, lambda: tracker.past_states(domain)):
        Flaky.failures = 1
        with pytest.raises(RuntimeError):
            call()
    assert _state_of(tracker.copy()) == _state_of(speedups.ORIGINALS["copy"](tracker))
    with _rasas_applied_events():
        expected = domain.states_for_tracker_history(tracker)
    assert tracker.past_states(domain) == expected


def test_copies_do_not_share_placeholder_messages():
    """Before the first message the latest message is a placeholder; a copy changing it in place
    (EntitiesAdded) must not reach the next copy, as with Rasa's copy."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, EntitiesAdded, SessionStarted
    from rasa.shared.core.trackers import DialogueStateTracker

    from tests.support.servers import PROJECT_ROOT

    speedups.install()
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    tracker = DialogueStateTracker.from_events(
        "p", [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")],
        slots=domain.slots)
    first = tracker.copy()
    first.update(EntitiesAdded([{"entity": "district", "value": "朝阳区", "start": 0, "end": 3}]))
    assert first.latest_message.entities
    assert _state_of(tracker.copy()) == _state_of(speedups.ORIGINALS["copy"](tracker))
    assert not tracker.copy().latest_message.entities


def test_past_states_resumed_after_every_event_equal_rasas_replay(monkeypatch):
    """The resumable replay gives Rasa's states, the continued fold Rasa's applied events, and copy()
    Rasa's copy (a tracker that replayed the events, unaffected by changes to the copy), after
    every event of every story and rule, for every argument combination, including sessions whose
    applied events shrink (rewinds, loop undo)."""
    from rasa.shared.core.constants import RULE_ONLY_LOOPS, RULE_ONLY_SLOTS
    from rasa.shared.core.trackers import DialogueStateTracker

    speedups.install()
    started = []
    original_init = speedups._Replay.__init__
    monkeypatch.setattr(speedups._Replay, "__init__", lambda self, *a: started.append(1) or original_init(self, *a))
    domain, trackers = _story_trackers()
    assert len(trackers) > 20
    rule_only = {RULE_ONLY_SLOTS: [domain.slots[0].name], RULE_ONLY_LOOPS: list(domain.form_names)[:1]}
    arguments = [dict(), dict(omit_unset_slots=True), dict(ignore_rule_only_turns=True, rule_only_data=rule_only),
                 dict(ignore_rule_only_turns=True, rule_only_data=None)]
    checked = 0
    for story in trackers:
        # After every event, and after every third: then several events, a rewind among them, arrive
        # between two calls, as on the server, and the applied events may change behind the replay.
        for events, every in ((list(story.events), 1), (_with_reverts_and_hidden_turns(list(story.events)), 1),
                              (_with_reverts_and_hidden_turns(list(story.events)), 3)):
            tracker = DialogueStateTracker(story.sender_id, domain.slots)
            for index, event in enumerate(events):
                tracker.update(event)
                if index % every != every - 1 and index != len(events) - 1:
                    continue
                applied, rasas = tracker.applied_events(), speedups.ORIGINALS["applied_events"](tracker)
                assert len(applied) == len(rasas) and all(map(operator.is_, applied, rasas)), story.sender_id
                applied.clear()  # each caller gets its own list
                copied = tracker.copy()
                assert _state_of(copied) == _state_of(speedups.ORIGINALS["copy"](tracker)), story.sender_id
                _change_in_place(copied)  # as the processor does to its temporary copy
                assert _state_of(tracker.copy()) == _state_of(speedups.ORIGINALS["copy"](tracker))
                with _rasas_applied_events():  # the reference is computed by Rasa's code only
                    reference = DialogueStateTracker.from_events("ref", list(tracker.events), slots=domain.slots)
                    expectations = [domain.states_for_tracker_history(reference, **kwargs) for kwargs in arguments]
                for kwargs, expected in zip(arguments, expectations):
                    fresh = copy.deepcopy(kwargs)  # as Rasa does: a new rule_only_data dict every time
                    assert tracker.past_states(domain, **fresh) == expected, (story.sender_id, kwargs)
                    checked += 1
            assert len(tracker.__dict__[speedups._REPLAYS]) <= len(arguments)  # one replay per argument set
    assert checked > 1000
    assert len(started) < checked / 4  # resumed, not replayed from the start
