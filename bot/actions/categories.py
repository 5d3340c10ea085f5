"""Which taxonomy category a description belongs to — the categorizer model, loaded lazily
once per process, with a graceful "ask the citizen" path when it is missing or fails."""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from bot.parsing import categories as taxonomy

logger = logging.getLogger(__name__)

#: Below this confidence the citizen chooses among the top 3 (contract).
CONFIDENCE_THRESHOLD = 0.5
#: A missing model is looked for again after this many seconds (``make`` may build it later).
RETRY_MISSING_AFTER = 300.0


@dataclass(frozen=True)
class Guess:
    """A category guess: level 1, level 2 (may be None) and the model's confidence."""

    level1: str
    level2: str | None
    confidence: float

    @property
    def encoded(self) -> str:
        return taxonomy.encode(self.level1, self.level2)


class CategoryService:
    """Wraps ``bot.categorize.Categorizer``; never raises — ``None`` means "no model, ask"."""

    def __init__(self, model_path: Path | str | None = None, loader: Callable[[Path | None], Any] | None = None) -> None:
        self._path = Path(model_path) if model_path else None
        self._loader = loader
        self._model: Any = None
        self._failed_at: float | None = None
        self._lock = threading.Lock()

    @classmethod
    def with_model(cls, model: Any) -> "CategoryService":
        """A service around an already built model (tests, notebooks)."""
        service = cls()
        service._model = model
        return service

    def _load(self) -> Any:
        with self._lock:
            if self._model is not None:
                return self._model
            if self._failed_at is not None and time.monotonic() - self._failed_at < RETRY_MISSING_AFTER:
                return None
            try:
                if self._loader is not None:
                    self._model = self._loader(self._path)
                else:
                    from bot.categorize import Categorizer, default_model_path

                    path = self._path or default_model_path()
                    if not Path(path).exists():
                        raise FileNotFoundError(str(path))
                    self._model = Categorizer.load(path)
                logger.info("categorizer loaded")
                return self._model
            except Exception as exc:  # noqa: BLE001 — a missing/broken model must not break filing
                self._failed_at = time.monotonic()
                logger.warning("categorizer unavailable (%s); the citizen will choose the category", exc)
                return None

    async def guesses(self, text: str, top_k: int = 3) -> list[Guess] | None:
        """Up to ``top_k`` guesses, best first; ``None`` when no model is available."""
        if not text or not text.strip():
            return None
        model = self._model if self._model is not None else await asyncio.to_thread(self._load)
        if model is None:
            return None
        try:
            predictions = await asyncio.to_thread(model.predict, text, top_k)
        except Exception as exc:  # noqa: BLE001
            logger.warning("categorizer failed on a description: %s", exc)
            return None
        guesses = []
        for prediction in predictions or []:
            level1 = getattr(prediction, "level1", None)
            level2 = getattr(prediction, "level2", None)
            if not taxonomy.is_known(level1):
                continue
            if level2 is not None and not taxonomy.is_known(level1, level2):
                level2 = None
            try:
                confidence = float(getattr(prediction, "confidence", 0.0))
            except (TypeError, ValueError):
                confidence = 0.0
            guesses.append(Guess(level1, level2, confidence))
        if guesses and hasattr(model, "gated") and predictions:
            try:
                best = model.gated(list(predictions))
                chosen = Guess(best.level1, best.level2 if taxonomy.is_known(best.level1, best.level2) else None,
                               float(best.confidence))
                guesses = [chosen] + [g for g in guesses if g.level1 != chosen.level1]
            except Exception:  # noqa: BLE001
                pass
        return guesses

    async def confident(self, text: str) -> Guess | None:
        """The best guess when it is confident enough to file without asking."""
        guesses = await self.guesses(text)
        if guesses and guesses[0].confidence >= CONFIDENCE_THRESHOLD:
            return guesses[0]
        return None
