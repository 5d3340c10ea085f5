"""Answers to 咨询 questions from bot/knowledge/faq.yml: character n-gram TF-IDF retrieval.

Character n-grams need no word segmentation, so one index serves Mandarin and English. A
question is answered only above a similarity threshold; otherwise the citizen is offered to file
a 咨询 case or to talk to a person — never a confident wrong answer.
"""
from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
import re
from functools import lru_cache
from typing import Any

import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import HotlineAction, language_of
from bot.parsing.text import is_meaningful, is_payload, sanitize

logger = logging.getLogger(__name__)

FAQ_FILE = Path(__file__).resolve().parents[1] / "knowledge" / "faq.yml"
#: Minimum cosine similarity to answer an ``ask_question`` message. Measured leaving each FAQ
#: paraphrase out in turn (746 questions): 0.15 with the margin below answers 388 with the right
#: entry and 39 with another (often one of the same topic); without the margin, 419 and 81.
ANSWER_THRESHOLD = 0.15
#: Stricter bar when the NLU did not even recognise the message (``nlu_fallback``).
FALLBACK_THRESHOLD = 0.2
#: The best entry must beat the best entry of any other topic by this much: two close topics
#: mean "not sure".
MARGIN = 0.05
MAX_QUERY = 500


@dataclass(frozen=True)
class FaqEntry:
    id: str
    topic: str
    questions: dict[str, list[str]]
    answers: dict[str, str]

    def answer(self, language: str) -> str | None:
        return self.answers.get(language) or next((a for a in self.answers.values() if a), None)


@dataclass(frozen=True)
class FaqMatch:
    entry: FaqEntry
    score: float
    question: str
    margin: float = 1.0


def load_entries(path: Path) -> list[FaqEntry]:
    """Entries of faq.yml; malformed entries are skipped with a warning, a missing file is empty."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        logger.warning("no FAQ file at %s; questions will be redirected", path)
        return []
    if isinstance(data, dict):
        data = data.get("faq") or data.get("entries") or data.get("questions") or []
    entries = []
    for item in data if isinstance(data, list) else []:
        if not isinstance(item, dict):
            continue
        questions = item.get("questions") or {}
        answers = item.get("answer") or item.get("answers") or {}
        if isinstance(answers, str):
            answers = {"zh": answers}
        if isinstance(questions, list):
            questions = {"zh": questions}
        clean_q = {
            lang: [q for q in qs if isinstance(q, str) and q.strip()]
            for lang, qs in questions.items() if isinstance(qs, list)
        }
        clean_a = {lang: a.strip() for lang, a in answers.items() if isinstance(a, str) and a.strip()}
        if not any(clean_q.values()) or not clean_a:
            logger.warning("skipping FAQ entry %r: no questions or no answer", item.get("id"))
            continue
        entries.append(FaqEntry(str(item.get("id") or len(entries)), str(item.get("topic") or ""), clean_q, clean_a))
    return entries


class FaqIndex:
    """TF-IDF over every example question; built lazily once (in a thread)."""

    def __init__(self, entries: list[FaqEntry]) -> None:
        self.entries = entries
        self._built: tuple[Any, Any, list[tuple[int, str]]] | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_file(cls, path: Path | str) -> "FaqIndex":
        return _LazyFileIndex(Path(path))

    @classmethod
    def from_default_file(cls) -> "FaqIndex":
        return cls.from_file(FAQ_FILE)

    def _build(self) -> tuple[Any, Any] | None:
        """One document per entry (its questions, topic and answers): a question is matched
        against everything an entry says, which measured far fewer confident wrong answers than
        matching single example questions."""
        with self._lock:
            if self._built is not None:
                return self._built
            if not self.entries:
                return None
            from sklearn.feature_extraction.text import TfidfVectorizer

            documents = [
                " ".join([q for qs in e.questions.values() for q in qs] + [e.topic] + list(e.answers.values()))
                for e in self.entries
            ]
            vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3), sublinear_tf=True, lowercase=True)
            matrix = vectorizer.fit_transform([_normalise(d) for d in documents])
            self._built = (vectorizer, matrix)
            return self._built

    def match_sync(self, text: str) -> FaqMatch | None:
        built = self._build()
        query = _normalise(text)
        if built is None or not query:
            return None
        vectorizer, matrix = built
        scores = (matrix @ vectorizer.transform([query]).T).toarray().ravel()
        best = int(scores.argmax())
        entry = self.entries[best]
        # Only a close entry on another topic makes the match doubtful (居住证 vs 居住证续签 is fine).
        others = [float(x) for e, x in zip(self.entries, scores) if e.topic != entry.topic]
        runner_up = max(others, default=0.0)
        first_question = next((q for qs in entry.questions.values() for q in qs), "")
        return FaqMatch(entry, float(scores[best]), first_question, float(scores[best]) - runner_up)

    async def match(self, text: str) -> FaqMatch | None:
        """The closest FAQ entry and its similarity (0–1), or ``None`` without an index."""
        return await asyncio.to_thread(self.match_sync, text)

    async def answer_for(self, text: str, threshold: float = ANSWER_THRESHOLD) -> FaqMatch | None:
        found = await self.match(text)
        if found is None or found.score < threshold or found.margin < MARGIN:
            return None
        return found


class _LazyFileIndex(FaqIndex):
    """Reads the YAML file on first use instead of at construction."""

    def __init__(self, path: Path) -> None:
        super().__init__([])
        self.path = path
        self._loaded = False

    def _build(self):
        if not self._loaded:
            with self._lock:
                if not self._loaded:
                    self.entries = load_entries(self.path)
                    self._loaded = True
        return super()._build()


_TOKENS = re.compile(r"[a-z0-9']+|[^\sa-z0-9']+")


@lru_cache(maxsize=1)
def _english_stop_words() -> frozenset[str]:
    """English function words carry no topic but dominate the character n-grams of short questions."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | {"beijing", "do", "does", "i", "can", "how", "what", "where", "should",
                                            "need", "want", "please", "tell", "know"}


def _normalise(text: str) -> str:
    text = sanitize(text, MAX_QUERY).lower()
    stop = _english_stop_words()
    return " ".join(token for token in _TOKENS.findall(text) if token not in stop)


async def answer_question(dispatcher: CollectingDispatcher, tracker: Tracker, threshold: float) -> FaqMatch | None:
    """Utter the FAQ answer for the latest message if one is good enough; returns the match."""
    from bot.actions import runtime

    text = sanitize((tracker.latest_message or {}).get("text"), MAX_QUERY)
    if not is_meaningful(text) or is_payload(text):
        return None
    found = await runtime.get_runtime().faq().answer_for(text, threshold)
    if found is None:
        return None
    answer = found.entry.answer(language_of(tracker))
    if not answer:
        return None
    dispatcher.utter_message(response="utter_faq_answer", answer=answer)
    return found


class ActionAnswerQuestion(HotlineAction):
    """Answer a 咨询 question from the FAQ, or redirect helpfully."""

    def name(self) -> str:
        return "action_answer_question"

    async def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        found = await answer_question(dispatcher, tracker, ANSWER_THRESHOLD)
        if found is None:
            dispatcher.utter_message(response="utter_faq_no_match")
        return [SlotSet("fallback_count", 0.0)]
