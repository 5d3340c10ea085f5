"""Train the categorizer on the labelled split and report held-out scores.

`python -m bot.categorize.train --out var/models/categorizer.pkl` (what `make` runs).
"""
from __future__ import annotations

import argparse
import logging
from pathlib import Path

from bot.categorize.data import load_examples, split
from bot.categorize.model import MAJOR_DOMAINS, Categorizer, default_model_path

logger = logging.getLogger(__name__)
ENGLISH_WEIGHT = 5.0


def evaluate(model: Categorizer, held_out) -> dict:
    """Level-1 macro-F1 (all domains, raw), 7-domain view (gated), level-2 accuracy."""
    from sklearn.metrics import accuracy_score, f1_score

    if not held_out:
        return {}
    predictions = model.predict_many([e.text for e in held_out])
    gold1 = [e.level1 for e in held_out]
    raw = [p[0].level1 for p in predictions]
    gated = [model.gated(p).level1 for p in predictions]
    major = [i for i, g in enumerate(gold1) if g in MAJOR_DOMAINS]
    level2_ok = [
        e.level2 == p[0].level2 for e, p in zip(held_out, predictions) if p[0].level1 == e.level1
    ]
    return {
        "held_out": len(held_out),
        "level1_macro_f1_all": f1_score(gold1, raw, average="macro"),
        "level1_accuracy_all": accuracy_score(gold1, raw),
        "level1_macro_f1_major7_gated": f1_score(
            [gold1[i] for i in major], [gated[i] for i in major], average="macro", labels=list(MAJOR_DOMAINS)
        ) if major else 0.0,
        "level1_accuracy_major7_gated": accuracy_score([gold1[i] for i in major], [gated[i] for i in major])
        if major else 0.0,
        "level2_accuracy_given_level1": sum(level2_ok) / len(level2_ok) if level2_ok else 0.0,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=default_model_path())
    parser.add_argument("--all", action="store_true", help="also train on the held-out split")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    examples = load_examples()
    train, held = split(examples)
    if args.all:
        train = examples
    logger.info("training on %d examples (%d held out)", len(train), len(held))
    # The few English seed sentences would drown among thousands of Chinese messages.
    weights = [ENGLISH_WEIGHT if e.language == "en" else 1.0 for e in train]
    model = Categorizer.fit(
        [e.text for e in train], [e.level1 for e in train], [e.level2 for e in train], weights
    )
    model.save(args.out)
    for key, value in evaluate(model, held).items():
        logger.info("%-34s %s", key, f"{value:.3f}" if isinstance(value, float) else value)


if __name__ == "__main__":
    main()
