"""The categorizer's data split, model API and the `python -m bot.categorize` JSON-lines contract."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.categorize import Categorizer, Prediction
from bot.categorize.data import is_held_out, load_examples, split
from bot.categorize.model import MAJOR_DOMAINS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def small_model(tmp_path_factory):
    """A model trained in the test on a slice of the real labelled data (seconds, not minutes)."""
    train, _ = split(load_examples())
    per_class: dict[str, int] = {}
    subset = []
    for example in train:
        if per_class.get(example.level1, 0) < 40:
            per_class[example.level1] = per_class.get(example.level1, 0) + 1
            subset.append(example)
    model = Categorizer.fit([e.text for e in subset], [e.level1 for e in subset], [e.level2 for e in subset])
    path = tmp_path_factory.mktemp("cat") / "categorizer.pkl"
    model.save(path)
    return path


def test_labelled_data_is_valid_against_the_taxonomy():
    import csv

    taxonomy = {}
    with open(ROOT / "data" / "taxonomy.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            taxonomy.setdefault(row["level1"], set()).add(row["level2"])
    examples = load_examples()
    assert len(examples) > 7000
    for example in examples:
        assert example.level2 in taxonomy[example.level1], example
        assert example.appeal in {"咨询", "求助", "投诉", "举报", "建议"}
    train, held = split(examples)
    assert 0.1 < len(held) / len(examples) < 0.2
    assert not {e.id for e in train} & {e.id for e in held}
    assert is_held_out(held[0].id) and all(e.language == "zh" for e in held)


def test_predictions_are_ranked_with_consistent_levels(small_model):
    model = Categorizer.load(small_model)
    predictions = model.predict("小区物业乱收停车费，业主意见很大", top_k=3)
    assert len(predictions) == 3
    assert all(isinstance(p, Prediction) for p in predictions)
    assert predictions[0].confidence >= predictions[1].confidence >= predictions[2].confidence
    assert 0.0 <= predictions[-1].confidence <= predictions[0].confidence <= 1.0
    for p in predictions:
        assert p.level2 is None or isinstance(p.level2, str)
    assert model.predict("", top_k=1)  # empty text still answers, never raises


def test_gate_prefers_a_major_domain_when_unsure(small_model):
    model = Categorizer.load(small_model)
    unsure = [Prediction("党务政务", "其他", 0.4), Prediction("城乡建设", "其他", 0.3)]
    sure = [Prediction("党务政务", "其他", 0.95), Prediction("城乡建设", "其他", 0.03)]
    assert model.gated(unsure).level1 == "城乡建设"
    assert model.gated(sure).level1 == "党务政务"
    assert "城乡建设" in MAJOR_DOMAINS


def test_cli_keeps_order_and_reports_bad_lines(small_model):
    lines = [
        {"text": "楼下烧烤店油烟和噪音扰民"},
        "not json",
        {"text": ""},
        {"text": "My employer has not paid my salary for two months"},
        {"text": "x" * 10_000},
    ]
    stdin = "\n".join(l if isinstance(l, str) else json.dumps(l, ensure_ascii=False) for l in lines)
    result = subprocess.run(
        [sys.executable, "-m", "bot.categorize", "--model", str(small_model)],
        input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 5
    assert "error" in out[1] and "error" in out[2]
    for i in (0, 3, 4):
        assert set(out[i]) == {"level1", "level2", "confidence"}
        assert 0 <= out[i]["confidence"] <= 1


def test_cli_without_model_says_how_to_build_it(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot.categorize", "--model", str(tmp_path / "missing.pkl")],
        input="", capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert result.returncode == 2 and "make models" in result.stderr
