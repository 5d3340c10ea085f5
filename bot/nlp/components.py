"""Custom Rasa NLU components: language detection and the spaCy EntityRuler extractor.

Registered with Rasa's recipe when config.yml names them; importing this module loads no model.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp import graph_runs, malloc, speedups, tf_calls
from bot.nlp.language import detect_language

logger = logging.getLogger(__name__)

# NLU looks at the start of a message only: a 10,000-character paste must not stall the conversation,
# and the full text still reaches the case description through the tracker.
MAX_NLU_CHARS = 1000


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class LanguageDetector(GraphComponent, EntityExtractorMixin):
    """Adds a `language` entity (zh/en) so that the `language` slot follows the citizen.

    A channel may force the language with message metadata ``{"language": "en"}`` (the voice gateway
    knows it from speech recognition). Messages with no language (emoji, digits) add nothing, so the
    conversation keeps its current language.
    """

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LanguageDetector":
        # Every Rasa process that runs our model loads this component first: the place to install
        # the server speed-ups (bot/nlp/speedups.py, tf_calls.py, graph_runs.py) and to stop malloc from
        # keeping the model's load-time buffers resident (bot/nlp/malloc.py), explicitly rather
        # than at import.
        malloc.pin_mmap_threshold()
        speedups.install()
        tf_calls.install()
        graph_runs.install()
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            metadata = message.get("metadata") or {}
            forced = metadata.get("language") if isinstance(metadata, dict) else None
            language = forced if forced in ("zh", "en") else detect_language(text)
            if language is None:
                continue
            entity = {
                "entity": "language",
                "value": language,
                "start": 0,
                "end": 0,
                "confidence": 1.0,
                "extractor": self.__class__.__name__,
            }
            message.set(ENTITIES, message.get(ENTITIES, []) + [entity], add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False, model_from="SpacyNLP"
)
class RulerEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Entities from the spaCy EntityRuler built by `make` (places, phones, case numbers).

    Unlike Rasa's SpacyEntityExtractor it reports the pattern id as the value, so "Haidian",
    "海淀" and "海淀区" all arrive as the official name 海淀区.
    """

    @classmethod
    def required_components(cls) -> List[type]:
        return [SpacyNLP]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"dimensions": None}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._dimensions: Optional[List[Text]] = config.get("dimensions")

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "RulerEntityExtractor":
        return cls(config)

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        for message in messages:
            text = (message.get(TEXT) or "")[:MAX_NLU_CHARS]
            if not text.strip():
                continue
            doc = model.model(text)
            found = [
                {
                    "entity": ent.label_,
                    "value": ent.ent_id_ or ent.text,
                    "start": ent.start_char,
                    "end": ent.end_char,
                    "confidence": 1.0,
                }
                for ent in doc.ents
                if not self._dimensions or ent.label_ in self._dimensions
            ]
            found = self.add_extractor_name(found)
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages
