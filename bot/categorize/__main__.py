"""`python -m bot.categorize`: JSON lines {"text": ...} on stdin → {"level1", "level2", "confidence"} on stdout.

Order is kept; a line that is not valid JSON or has no text gets {"error": ...} so the count matches.
Add --ungated to publish the raw best level 1 even for uncertain minor domains.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.categorize.model import Categorizer, default_model_path

BATCH = 256


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--ungated", action="store_true")
    args = parser.parse_args(argv)
    path = args.model or default_model_path()
    if not path.exists():
        print(f"no categorizer model at {path}: run `make models` first", file=sys.stderr)
        return 2
    model = Categorizer.load(path)
    pending: list[tuple[int, str]] = []
    outputs: list[dict] = []

    def flush() -> None:
        texts = [t for _, t in pending]
        for (index, _), predictions in zip(pending, model.predict_many(texts)):
            best = predictions[0] if args.ungated else model.gated(predictions)
            outputs[index] = {"level1": best.level1, "level2": best.level2,
                              "confidence": round(best.confidence, 4)}
        for item in outputs:
            sys.stdout.write(json.dumps(item, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        outputs.clear()
        pending.clear()

    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            text = json.loads(line).get("text")
        except (ValueError, AttributeError):
            text = None
        if not isinstance(text, str) or not text.strip():
            outputs.append({"error": "each line must be a JSON object with a non-empty \"text\""})
        else:
            pending.append((len(outputs), text))
            outputs.append({})
        if len(outputs) >= BATCH:
            flush()
    flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
