"""Voice benchmark (issue #7): recognition accuracy, speed and end-of-speech → reply latency.

``.venv/bin/python -m bench.voice`` (also run by ``make bench``) prints one table and writes
``bench/results/voice-<time>.json``:

* CER on the Mandarin clips, WER on the English clips (``bench/voice_clips``, 16 kHz and 8 kHz
  telephone band), after the same normalisation for reference and hypothesis (case, punctuation,
  Traditional → Simplified);
* real-time factor of recognition (seconds of compute per second of audio);
* end-of-speech → start-of-reply: recognition + the assistant + synthesis of the first reply
  sentence, through the real gateway (``--stack``: case service, actions, Rasa and gateway started
  here), or recognition + synthesis alone without it.

``BENCH_VOICE_VARIANTS=1`` also measures the recognition variants in :data:`VARIANTS` (window,
beam, prompt), the numbers behind the choices in docs/voice.md.
"""

from __future__ import annotations

import asyncio
import copy
import csv
import json
import os
import re
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLIPS = ROOT / "bench" / "voice_clips"
RESULTS = ROOT / "bench" / "results"


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h))
        previous = current
    return previous[-1]


def units(text: str, language: str) -> list[str]:
    """Characters for zh (CER), words for en (WER), without case and punctuation."""
    from connectors.voice.textnorm import to_simplified

    text = to_simplified(text).lower()
    if language == "zh":
        return [c for c in text if re.match(r"[\w\u4e00-\u9fff]", c)]
    return re.findall(r"[a-z0-9']+", text)


def load_clips() -> list[dict]:
    with (CLIPS / "transcripts.tsv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


async def recognition(recognizer, band: str) -> dict:
    from connectors.voice.audio import decode

    errors = {"zh": [0, 0], "en": [0, 0]}
    compute = audio_seconds = 0.0
    wrong_language = 0
    rows = []
    for clip in load_clips():
        name = clip["clip"] + (".8k" if band == "8k" else "")
        audio = decode((CLIPS / f"{name}.wav").read_bytes(), 60)
        started = time.perf_counter()
        transcript = await recognizer.transcribe(audio)
        compute += time.perf_counter() - started
        audio_seconds += audio.seconds
        language = clip["language"]
        ref, hyp = units(clip["text"], language), units(transcript.text, language)
        errors[language][0] += edit_distance(ref, hyp)
        errors[language][1] += len(ref)
        wrong_language += transcript.language != language
        rows.append({"clip": name, "language": transcript.language, "text": transcript.text})
    return {
        "cer_zh": errors["zh"][0] / errors["zh"][1],
        "wer_en": errors["en"][0] / errors["en"][1],
        "rtf": compute / audio_seconds,
        "mean_recognition_s": compute / len(rows),
        "wrong_language": wrong_language,
        "transcripts": rows,
    }


async def synthesis_first_sentence(synth) -> dict:
    texts = {"zh": "好的，已为您记录路灯损坏的问题。请问具体地址是哪里？",
             "en": "All right, I have noted the broken street light. What is the exact address?"}
    out = {}
    for language, text in texts.items():
        times = []
        for _ in range(3):
            started = time.perf_counter()
            await synth.first_sentence(text, language)
            times.append(time.perf_counter() - started)
        out[f"tts_first_sentence_{language}_s"] = statistics.median(times)
    return out


async def through_gateway() -> dict:
    """Latency through the real gateway: one POST per clip, timed by the gateway itself."""
    from bench.voice_stack import gateway_latencies

    return await gateway_latencies(CLIPS, load_clips())


LONG_ZH_PROMPT = ("以下是普通话的句子，是市民打给12345市民服务热线的电话，内容涉及投诉、举报、咨询、求助、建议，"
                  "城乡建设、环境保护、交通运输、劳动和社会保障、卫生计生、教育、民政、小区物业、工单编号。")
VARIANTS = {
    "default: auto window, beam 5, no zh prompt, lexicon": {},
    "short zh prompt": {"prompts": {"zh": "以下是普通话的句子。"}},
    "no lexicon correction": {"corrector": None},
    "30 s window": {"window": "full"},
    "beam 1": {"beam_size": 1},
    "no prompts": {"prompts": {"zh": "", "en": ""}},
    "long zh prompt of hotline words": {"prompts": {"zh": LONG_ZH_PROMPT}},
}


def table(rows: list[tuple[str, str]]) -> str:
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)


async def main() -> int:
    from connectors.voice.asr import WhisperRecognizer
    from connectors.voice.tts import build_synthesizers

    model_dir = ROOT / "var" / "voice" / "whisper-base"
    started = time.perf_counter()
    recognizer = WhisperRecognizer(model_dir, lexicon=ROOT / "var" / "voice" / "lexicon.tsv").load()
    load_s = time.perf_counter() - started
    result: dict = {"time": datetime.now(timezone.utc).isoformat(), "model_load_s": load_s}
    for band in ("16k", "8k"):
        result[band] = await recognition(recognizer, band)
    synth = build_synthesizers(None, "espeak", "piper")
    result.update(await synthesis_first_sentence(synth))
    if os.environ.get("BENCH_VOICE_VARIANTS") == "1":
        result["variants"] = {}
        for name, options in VARIANTS.items():
            variant = copy.copy(recognizer)  # same loaded model, other decoding options
            variant.prompts = {**recognizer.prompts, **options.get("prompts", {})}
            for key in ("window", "beam_size", "corrector"):
                if key in options:
                    setattr(variant, key, options[key])
            measured = await recognition(variant, "16k")
            result["variants"][name] = {k: measured[k] for k in ("cer_zh", "wer_en", "rtf")}
    if os.environ.get("BENCH_VOICE_STACK", "1") == "1":
        result["gateway"] = await through_gateway()
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"voice-{datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    rows = [("model load", f"{load_s:.2f} s")]
    for band in ("16k", "8k"):
        r = result[band]
        rows += [(f"CER zh ({band})", f"{r['cer_zh']:.1%}  (target ≤ 12% on 16k)"),
                 (f"WER en ({band})", f"{r['wer_en']:.1%}  (target ≤ 5% on 16k)"),
                 (f"RTF ({band})", f"{r['rtf']:.3f}  ({r['mean_recognition_s']:.2f} s per clip)"),
                 (f"language wrong ({band})", f"{r['wrong_language']} of 20")]
    rows += [(f"TTS first sentence {lang}", f"{result[f'tts_first_sentence_{lang}_s']:.2f} s") for lang in ("zh", "en")]
    for name, values in result.get("variants", {}).items():
        rows.append((f"variant: {name}", f"CER {values['cer_zh']:.1%}  WER {values['wer_en']:.1%}  RTF {values['rtf']:.3f}"))
    if "gateway" in result:
        g = result["gateway"]
        rows += [("end of speech → reply audio, p50", f"{g['p50_s']:.2f} s  (target ≤ 2.5 s)"),
                 ("end of speech → reply audio, p95", f"{g['p95_s']:.2f} s"),
                 ("  of which recognition / bot / synthesis (p50)",
                  f"{g['asr_p50_s']:.2f} / {g['bot_p50_s']:.2f} / {g['tts_p50_s']:.2f} s")]
    print(table(rows))
    print(f"\nwritten: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
