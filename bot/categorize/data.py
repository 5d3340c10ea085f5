"""The labelled training data: real citizen messages labelled by us, plus English seed sentences.

Files live in bot/data/categorizer/: `labelled.jsonl` (id, text, level1, level2, appeal) and
`english_seeds.tsv` (level1, level2, appeal, text). The held-out split is fixed by a hash of the id,
so every machine measures on the same messages.
"""
from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "categorizer"
HELD_OUT_PERCENT = 15


@dataclass(frozen=True)
class Example:
    id: str
    text: str
    level1: str
    level2: str
    appeal: str
    language: str = "zh"


def is_held_out(example_id: str) -> bool:
    digest = hashlib.sha256(example_id.encode("utf-8")).digest()
    return digest[0] * 100 // 256 < HELD_OUT_PERCENT


def load_examples(data_dir: Path = DATA_DIR) -> list[Example]:
    examples: list[Example] = []
    labelled = data_dir / "labelled.jsonl"
    if labelled.exists():
        with open(labelled, encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                examples.append(
                    Example(row["id"], row["text"], row["level1"], row["level2"], row["appeal"], "zh")
                )
    seeds = data_dir / "english_seeds.tsv"
    if seeds.exists():
        with open(seeds, encoding="utf-8", newline="") as handle:
            for i, row in enumerate(csv.reader(handle, delimiter="\t")):
                if len(row) == 4 and not row[0].startswith("#"):
                    examples.append(Example(f"en:{i}", row[3], row[0], row[1], row[2], "en"))
    return examples


def split(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    """(train, held_out). English seeds are always trained on: there are too few to hold out."""
    train = [e for e in examples if e.language != "zh" or not is_held_out(e.id)]
    held = [e for e in examples if e.language == "zh" and is_held_out(e.id)]
    return train, held
