"""End to end over the REST channel: the whole stack files a case in each language.

The trained model, the action server and the case service run as real processes. The test
answers whatever the bot asks (it reads `requested_slot` from the tracker, as an operator's
tool would), so it checks the outcome — a case in case_service with the right fields — and not
one exact dialogue path.
"""
from __future__ import annotations

import json
import re
import urllib.request
import uuid

import pytest

from bench.conversations import ANSWERS, CASE_NUMBER, PHRASES

pytestmark = pytest.mark.slow

# The same citizen as the benchmark's (bench/conversations.py): one script, two uses.
OPENINGS = {language: phrases["open"] for language, phrases in PHRASES.items()}


def _post(url: str, body: dict) -> list[dict]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def _converse(stack, language: str) -> tuple[str, list[str]]:
    sender = f"e2e-{language}-{uuid.uuid4().hex[:8]}"
    webhook = f"{stack.url}/webhooks/rest/webhook"
    transcript: list[str] = []
    message = OPENINGS[language]
    for _ in range(16):
        transcript.append(f"> {message}")
        replies = _post(webhook, {"sender": sender, "message": message})
        transcript += [f"< {r.get('text', '')}" for r in replies]
        for reply in replies:
            found = CASE_NUMBER.search(reply.get("text") or "")
            if found:
                return found.group(1), transcript
        tracker = _get(f"{stack.url}/conversations/{sender}/tracker?token={stack.token}")
        slots = tracker["slots"]
        if slots.get("last_case_number"):
            return slots["last_case_number"], transcript
        requested = slots.get("requested_slot")
        buttons = [b for r in replies for b in (r.get("buttons") or [])]
        if requested in ANSWERS[language] and not (requested == "appeal_type" and buttons):
            message = ANSWERS[language][requested]
        elif buttons:
            message = buttons[0]["payload"]
        else:
            message = ANSWERS[language].get(requested or "", ANSWERS[language]["case_confirmed"])
    raise AssertionError("no case number after 16 turns:\n" + "\n".join(transcript))


@pytest.mark.parametrize("language", ["zh", "en"])
def test_file_a_case_over_rest(rasa_stack, language):
    case_number, transcript = _converse(rasa_stack, language)
    case = _get(
        f"{rasa_stack.case_service.url}/requests/{case_number}.json?extensions=true"
        f"&api_key={rasa_stack.case_service.api_key}"
    )[0]
    assert "12" in (case.get("description") or "") + (case.get("address") or ""), transcript
    extension = case["x12345"]
    assert extension["language"] == language, transcript
    assert extension["district_code"] == "110105", transcript
    assert extension["channel"] == "rest", transcript
    assert case["expected_datetime"], transcript
    # Every bot line of the conversation is in the citizen's language.
    bot_lines = [line[2:] for line in transcript if line.startswith("< ") and len(line) > 6]
    has_cjk = [bool(re.search(r"[\u4e00-\u9fff]", line)) for line in bot_lines]
    if language == "zh":
        assert all(has_cjk), transcript
    else:
        # English replies may quote Chinese names (department, district); most lines have none.
        assert sum(has_cjk) <= len(has_cjk) // 2, transcript
