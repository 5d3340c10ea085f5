"""The voice pipeline shared by both channels: audio → checks → VAD → recognition → conversation
(read-back, keypad, the assistant) → sentences to synthesise.

Every failure of the caller's audio or of an engine becomes a spoken/shown notice (a :class:`Turn`
with ``notice`` set) and a logged warning; nothing here raises to the channel.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from typing import Optional, Union

from . import audio as audio_mod
from . import vad
from .asr import Recognizer
from .assistant import AssistantClient
from .audio import Audio
from .conversation import Conversation, Turn
from .errors import AudioInputError, EngineError, NoSpeechError
from .settings import VoiceSettings
from .tts import Speech, Voices

log = logging.getLogger(__name__)

MAX_CONVERSATIONS = 10_000


class Gateway:
    def __init__(self, settings: VoiceSettings, recognizer: Recognizer, voices: Voices,
                 assistant: AssistantClient) -> None:
        self.settings, self.recognizer, self.voices, self.assistant = settings, recognizer, voices, assistant
        self._conversations: "OrderedDict[str, Conversation]" = OrderedDict()
        self._pending = 0  # utterances decoding or waiting for the recognizer (2 cores: it queues)

    def conversation(self, sender: str, language: str = "zh") -> Conversation:
        conversation = self._conversations.get(sender)
        if conversation is None:
            conversation = Conversation(sender, self.assistant, language)
            self._conversations[sender] = conversation
            while len(self._conversations) > MAX_CONVERSATIONS:
                self._conversations.popitem(last=False)
        self._conversations.move_to_end(sender)
        return conversation

    def forget(self, sender: str) -> None:
        self._conversations.pop(sender, None)

    async def hear(self, sender: str, data: Union[bytes, Audio], hint: Optional[str] = None) -> Turn:
        """One utterance from ``sender`` (an upload's bytes, or decoded phone audio)."""
        conversation = self.conversation(sender, hint or "zh")
        language = hint if hint in ("zh", "en") else conversation.language
        timings: dict[str, float] = {}
        started = time.perf_counter()
        if self._pending >= self.settings.max_pending:
            log.warning("voice input from %s refused: %d utterances already waiting", sender, self._pending)
            return Turn.notice_for("busy", language)
        self._pending += 1
        try:
            speech = await asyncio.get_running_loop().run_in_executor(None, self._prepare, data)
            transcript = await self.recognizer.transcribe(speech, language)
        except AudioInputError as exc:
            log.warning("voice input from %s refused (%s): %s", sender, exc.message_key, exc)
            return Turn.notice_for(exc.message_key, language)
        except EngineError as exc:
            log.warning("recognition failed for %s: %s", sender, exc)
            return Turn.notice_for("engine", language)
        finally:
            self._pending -= 1
        timings["asr_s"] = time.perf_counter() - started
        log.info("heard %s (%s, %.2f s audio, %.2f s): %s", sender, transcript.language, transcript.seconds,
                 timings["asr_s"], transcript.text)
        bot_started = time.perf_counter()
        turn = await conversation.on_speech(transcript.text, transcript.language)
        timings["bot_s"] = time.perf_counter() - bot_started
        turn.timings.update(timings)
        return turn

    def _prepare(self, data: Union[bytes, Audio]) -> Audio:
        """Decode, check the level and trim to the speech (CPU work, so off the event loop)."""
        audio = data if isinstance(data, Audio) else audio_mod.decode(data, self.settings.max_seconds)
        audio_mod.check_level(audio)
        speech = vad.trim(audio)
        if speech is None:
            raise NoSpeechError("no voiced frames")
        return speech

    async def keys(self, sender: str, keys: str) -> Turn:
        return await self.conversation(sender).on_keys(keys)

    def sentences(self, turn: Turn) -> list[str]:
        return [s for text in turn.texts for s in self.voices.sentences(text, turn.language)]

    async def speak(self, sentence: str, language: str) -> Optional[Speech]:
        """Synthesise one sentence; ``None`` (logged) when the engine fails, so the text still shows."""
        try:
            return await self.voices.synthesize(sentence, language)
        except (EngineError, AudioInputError) as exc:
            log.warning("synthesis failed (%s): %s", language, exc)
            return None
