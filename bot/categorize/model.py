"""The categorizer model: character n-gram TF-IDF and logistic regression, one per taxonomy level.

Character n-grams need no word segmentation, so Chinese and English share one vector space. Level 2
is chosen among the children of the predicted level 1, so the two answers never contradict.
"""
from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

# The seven domains that carry almost all hotline traffic (and the TipDM labelled corpus).
MAJOR_DOMAINS = (
    "城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生",
)
FORMAT_VERSION = 3
MAX_FEATURES = 60_000


@dataclass(frozen=True)
class Prediction:
    level1: str
    level2: str | None
    confidence: float


def default_model_path() -> Path:
    var_dir = Path(os.environ.get("HOTLINE_VAR_DIR", Path(__file__).resolve().parents[2] / "var"))
    return var_dir / "models" / "categorizer.pkl"


def _shrink(model) -> None:
    """Single-precision weights: half the size on disk and in memory, same predictions to 1e-6."""
    import numpy as np

    model.coef_ = model.coef_.astype(np.float32)
    model.intercept_ = model.intercept_.astype(np.float32)


def _normalise(text: str) -> str:
    return " ".join((text or "").split())[:600].lower()


class Categorizer:
    """Wraps the two fitted scikit-learn pipelines; build with `fit` or `load`."""

    def __init__(self, vectorizer, level1_model, level2_model, minor_gate: float = 0.9) -> None:
        self._vectorizer = vectorizer
        self._level1 = level1_model
        self._level2 = level2_model
        self.minor_gate = minor_gate

    @classmethod
    def fit(
        cls, texts: list[str], level1: list[str], level2: list[str], weights: list[float] | None = None
    ) -> "Categorizer":
        """Level 1: calibrated linear SVM (honest confidences for the low-confidence question).
        Level 2: plain linear SVM scores, only compared among one level 1's children.
        Both share one vocabulary, capped so the saved model stays small (40 MB instead of 290 MB)."""
        import numpy as np
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), min_df=2, sublinear_tf=True,
                                     max_features=MAX_FEATURES, dtype=np.float32)
        features = vectorizer.fit_transform([_normalise(t) for t in texts])
        vectorizer.stop_words_ = None  # the n-grams cut by max_features: only needed for introspection
        level1_model = CalibratedClassifierCV(LinearSVC(C=0.5, class_weight="balanced"), cv=3)
        level1_model.fit(features, np.array(level1), sample_weight=weights)
        joint = np.array([f"{a}/{b}" for a, b in zip(level1, level2)])
        level2_model = LinearSVC(C=0.5, class_weight="balanced").fit(features, joint, sample_weight=weights)
        _shrink(level2_model)
        for calibrated in level1_model.calibrated_classifiers_:
            _shrink(calibrated.base_estimator)
        return cls(vectorizer, level1_model, level2_model)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as handle:
            pickle.dump({"version": FORMAT_VERSION, "vectorizer": self._vectorizer, "level1": self._level1,
                         "level2": self._level2}, handle)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path | str | None = None) -> "Categorizer":
        """Loads a model this project trained (`make` writes it; it is never downloaded)."""
        with open(path or default_model_path(), "rb") as handle:
            state = pickle.load(handle)
        if state.get("version") != FORMAT_VERSION:
            raise ValueError("categorizer model has an old format; run `make` to retrain it")
        return cls(state["vectorizer"], state["level1"], state["level2"])

    def predict(self, text: str, top_k: int = 3) -> list[Prediction]:
        """The top level-1 candidates, best first, each with its best level 2."""
        return self.predict_many([text], top_k)[0]

    def predict_many(self, texts: Iterable[str], top_k: int = 3) -> list[list[Prediction]]:
        docs = [_normalise(t) for t in texts]
        if not docs:
            return []
        features = self._vectorizer.transform(docs)
        p1 = self._level1.predict_proba(features)
        p2 = self._level2.decision_function(features)
        classes1 = list(self._level1.classes_)
        classes2 = list(self._level2.classes_)
        results = []
        for row1, row2 in zip(p1, p2):
            ranked = sorted(zip(classes1, row1), key=lambda kv: -kv[1])[:top_k]
            predictions = []
            for level1, confidence in ranked:
                children = [(c.split("/", 1)[1], p) for c, p in zip(classes2, row2) if c.startswith(level1 + "/")]
                level2 = max(children, key=lambda kv: kv[1])[0] if children else None
                predictions.append(Prediction(level1, level2, float(confidence)))
            results.append(predictions)
        return results

    def gated(self, predictions: list[Prediction]) -> Prediction:
        """The answer to publish: a minor domain only when the model is very sure of it.

        Minor domains have few training examples; when unsure, the most likely major domain is the
        better bet (it is measured so in bot/categorize/train.py).
        """
        best = predictions[0]
        if best.level1 in MAJOR_DOMAINS or best.confidence >= self.minor_gate:
            return best
        for candidate in predictions:
            if candidate.level1 in MAJOR_DOMAINS:
                return candidate
        return best
