"""Rasa's own checks on the project: data validation and the test stories in zh and en."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RASA = str(Path(sys.executable).with_name("rasa"))
MODEL = ROOT / "var" / "models" / "hotline.tar.gz"
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}

pytestmark = pytest.mark.slow


def test_rasa_data_validate():
    result = subprocess.run(
        [RASA, "data", "validate", "--fail-on-warnings", "--config", "config.yml",
         "--domain", "domain.yml", "--data", "bot/data"],
        cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_test_stories_pass_without_prediction_errors(tmp_path):
    if not MODEL.is_file():
        pytest.skip("trained model not built: run `make models`")
    result = subprocess.run(
        [RASA, "test", "core", "--model", str(MODEL), "--stories", "bot/tests",
         "--fail-on-prediction-errors", "--out", str(tmp_path / "results")],
        cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=900,
    )
    failed = tmp_path / "results" / "failed_test_stories.yml"
    details = failed.read_text(encoding="utf-8")[-4000:] if failed.exists() else ""
    assert result.returncode == 0, details + result.stdout[-2000:] + result.stderr[-2000:]
