"""domain.yml against the contract and against the action server."""
from __future__ import annotations

import re
import string

import pytest
from rasa_sdk.executor import ActionExecutor

from tests.bot.helpers import DOMAIN_DICT, ROOT

RESPONSES = DOMAIN_DICT["responses"]
SLOTS = DOMAIN_DICT["slots"]
ACTIONS_DIR = ROOT / "bot" / "actions"


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_every_response_has_exactly_a_zh_and_an_en_variation(name: str) -> None:
    variations = RESPONSES[name]
    languages = []
    for variation in variations:
        conditions = variation.get("condition") or []
        assert len(conditions) == 1, f"{name}: one condition per variation"
        condition = conditions[0]
        assert condition["type"] == "slot" and condition["name"] == "language"
        languages.append(condition["value"])
        assert variation.get("text"), f"{name}: empty text"
    assert sorted(languages) == ["en", "zh"], name
    zh, en = sorted(variations, key=lambda v: v["condition"][0]["value"], reverse=True)
    assert _placeholders(zh["text"]) == _placeholders(en["text"]), f"{name}: same variables in both languages"
    assert len(zh.get("buttons") or []) == len(en.get("buttons") or []), f"{name}: same buttons in both languages"
    assert re.search(r"[\u4e00-\u9fff]", zh["text"]) or zh["text"] == "{answer}", f"{name}: zh text is Chinese"
    assert not re.search(r"[\u4e00-\u9fff]", en["text"]), f"{name}: en text has no Chinese"


def test_no_condition_names_a_value_the_slot_cannot_take() -> None:
    for name, variations in RESPONSES.items():
        for variation in variations:
            for condition in variation.get("condition") or []:
                slot = SLOTS.get(condition["name"])
                assert slot is not None, f"{name}: condition on unknown slot {condition['name']}"
                value = condition["value"]
                if slot["type"] == "categorical":
                    assert value in slot["values"], f"{name}: {value!r} not a value of {condition['name']}"
                elif slot["type"] == "bool":
                    assert isinstance(value, bool), name
                elif slot["type"] == "float":
                    assert slot.get("min_value", 0) <= value <= slot.get("max_value", 1), name


def test_button_payloads_are_known_intents_or_plain_text() -> None:
    intents = set(DOMAIN_DICT["intents"])
    for name, variations in RESPONSES.items():
        for variation in variations:
            for button in variation.get("buttons") or []:
                payload = button["payload"]
                if payload.startswith("/"):
                    assert payload[1:] in intents, f"{name}: unknown intent in {payload}"


def test_contract_intents_entities_and_forms() -> None:
    assert set(DOMAIN_DICT["intents"]) == {
        "greet", "goodbye", "affirm", "deny", "thank", "bot_challenge", "help", "report_problem", "ask_status",
        "my_cases", "ask_question", "emergency", "request_human", "cancel", "inform", "anonymous", "out_of_scope",
        "skip", "nlu_fallback", "EXTERNAL_case_filed",
    }
    entities = {next(iter(e)) if isinstance(e, dict) else e for e in DOMAIN_DICT["entities"]}
    assert entities == {"district", "subdistrict", "phone", "case_number", "language"}
    # Entities fill slots but never steer the dialogue (the language entity is on every turn).
    assert all(isinstance(e, dict) and not next(iter(e.values()))["influence_conversation"]
               for e in DOMAIN_DICT["entities"])
    assert SLOTS["language"]["initial_value"] == "zh"
    assert SLOTS["appeal_type"]["values"] == ["咨询", "求助", "投诉", "举报", "建议"]
    forms = DOMAIN_DICT["forms"]
    assert forms["case_form"]["required_slots"][0] == "description"
    assert forms["status_form"]["required_slots"] == ["case_number"]
    assert forms["my_cases_form"]["required_slots"] == ["status_phone", "verification_code"]
    for form in forms.values():
        for slot in form["required_slots"]:
            assert slot in SLOTS
    for spec in SLOTS.values():
        assert spec.get("influence_conversation") is False


def test_every_form_slot_can_be_asked() -> None:
    actions = set(DOMAIN_DICT["actions"])
    for form_name, form in DOMAIN_DICT["forms"].items():
        for slot in form["required_slots"]:
            assert f"utter_ask_{slot}" in RESPONSES or f"action_ask_{slot}" in actions, (form_name, slot)


def test_domain_actions_are_exactly_the_action_servers() -> None:
    executor = ActionExecutor()
    executor.register_package("bot.actions")
    assert set(DOMAIN_DICT["actions"]) == set(executor.actions)


def test_every_response_the_code_utters_exists() -> None:
    code = "\n".join(p.read_text(encoding="utf-8") for p in ACTIONS_DIR.glob("*.py"))
    used = set(re.findall(r'"(utter_[a-z_]+)"', code))
    assert used, "no responses found in the actions"
    missing = {name for name in used if name not in RESPONSES}
    assert not missing
    for prefix in ("utter_explain_", "utter_updated_"):
        assert f'f"{prefix}{{slot}}"' in code or prefix in code
    explained = {"description", "appeal_type", "category_level1", "district", "subdistrict", "address",
                 "occurred_at", "contact_name", "contact_phone", "case_confirmed", "case_number", "status_phone",
                 "verification_code"}
    for slot in explained:
        assert f"utter_explain_{slot}" in RESPONSES
    for slot in DOMAIN_DICT["forms"]["case_form"]["required_slots"]:
        if slot != "case_confirmed":
            assert f"utter_updated_{slot}" in RESPONSES


@pytest.mark.filterwarnings("ignore:Slot auto-fill")
def test_domain_loads_in_rasa() -> None:
    from rasa.shared.core.domain import Domain

    domain = Domain.load(str(ROOT / "domain.yml"))
    assert "case_form" in domain.form_names
    assert domain.session_config.carry_over_slots


def test_rules_and_stories_only_use_known_names() -> None:
    """Whatever bot/data already contains refers to responses/actions/intents of this domain."""
    import yaml

    known_actions = set(DOMAIN_DICT["actions"]) | set(RESPONSES) | set(DOMAIN_DICT["forms"]) | {
        "action_listen", "action_restart", "action_deactivate_loop", "action_back", "action_two_stage_fallback",
        "action_default_ask_affirmation", "action_default_ask_rephrase", "action_unlikely_intent"}
    intents = set(DOMAIN_DICT["intents"])
    files = [p for p in (ROOT / "bot" / "data").rglob("*.yml") if "nlu" not in p.parts and p.name != "labelled.jsonl"]
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in (data.get("rules") or []) + (data.get("stories") or []):
            for step in (block.get("steps") or []) + (block.get("condition") or []):
                if "action" in step:
                    assert step["action"] in known_actions, f"{path.name}: {step['action']}"
                if "intent" in step:
                    assert step["intent"] in intents, f"{path.name}: {step['intent']}"
