"""`make eval`: intent and entity F1 on held-out NLU messages, and the categorizer's held-out scores.

The NLU messages in bot/tests/nlu_holdout.yml are not in the training data; the categorizer's
held-out split is fixed by bot/categorize/data.py.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _spans(entities: list[dict], wanted: set[str]) -> set[tuple[str, int, int]]:
    return {(e["entity"], e["start"], e["end"]) for e in entities if e.get("entity") in wanted}


async def evaluate_nlu(model: Path, holdout: Path) -> dict:
    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.loading import load_data
    from sklearn.metrics import accuracy_score, f1_score

    data = load_data(str(holdout))
    agent = Agent.load(str(model))
    wanted = {"district", "subdistrict", "phone", "case_number"}
    gold, predicted, tp, fp, fn = [], [], 0, 0, 0
    for example in data.intent_examples:
        result = await agent.parse_message(example.get("text"))
        gold.append(example.get("intent"))
        predicted.append(result["intent"]["name"])
        truth = _spans(example.get("entities") or [], wanted)
        found = _spans(result.get("entities") or [], wanted)
        tp, fp, fn = tp + len(truth & found), fp + len(found - truth), fn + len(truth - found)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {
        "messages": len(gold),
        "intent_macro_f1": f1_score(gold, predicted, average="macro", labels=sorted(set(gold))),
        "intent_accuracy": accuracy_score(gold, predicted),
        "entity_precision": precision,
        "entity_recall": recall,
        "entity_f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
    }


def evaluate_categorizer(model: Path) -> dict:
    from bot.categorize.data import load_examples, split
    from bot.categorize.model import Categorizer
    from bot.categorize.train import evaluate

    _, held = split(load_examples())
    return evaluate(Categorizer.load(model), held)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=ROOT / "var" / "models" / "hotline.tar.gz")
    parser.add_argument("--categorizer", type=Path, default=ROOT / "var" / "models" / "categorizer.pkl")
    parser.add_argument("--holdout", type=Path, default=ROOT / "bot" / "tests" / "nlu_holdout.yml")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    rows = [("NLU (held-out messages)", asyncio.run(evaluate_nlu(args.model, args.holdout))),
            ("Categorizer (held-out split)", evaluate_categorizer(args.categorizer))]
    for title, scores in rows:
        print(f"\n{title}")
        print("-" * 44)
        for key, value in scores.items():
            print(f"{key:34s} {value:.3f}" if isinstance(value, float) else f"{key:34s} {value}")


if __name__ == "__main__":
    main()
