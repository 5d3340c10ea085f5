"""End-of-speech → start-of-reply through the real voice gateway (for :mod:`bench.voice`).

Starts a case service, the action server, the Rasa server and the gateway (as ``make run`` does,
on free ports), then uploads every clip as push-to-talk would on release of the button: the time
until the gateway answers with the first reply sentence synthesised, plus fetching that audio, is
what a caller waits between the end of their speech and the start of the reply. On the phone
line the VAD's end-of-utterance pause (0.7 s) comes on top.
"""

from __future__ import annotations

import secrets
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.stats import percentile

from tests.support.servers import free_port, sqlite_url, start_case_service, terminate
from tests.support.voice import start_gateway
from tests.support.stack import launch_stack


async def gateway_latencies(clips_dir: Path, clips: list[dict]) -> dict:
    work = Path(tempfile.mkdtemp(prefix="bench-voice-"))
    case_service = start_case_service(sqlite_url(work / "cases.db"), log_path=work / "case_service.log")
    secret, port = secrets.token_urlsafe(24), free_port()
    voice_env = {"VOICE_CHANNEL_SECRET": secret, "VOICE_GATEWAY_URL": f"http://127.0.0.1:{port}"}
    stack = gateway = None
    try:
        stack = launch_stack(case_service, extra_env={"OPERATOR_CONSOLE_URL": f"http://127.0.0.1:{free_port()}",
                                                      "OPERATOR_CONSOLE_SECRET": secrets.token_hex(8)},
                             rasa_env=voice_env).wait_ready()
        gateway = start_gateway({"VOICE_CHANNEL_SECRET": secret, "VOICE_RASA_URL": stack.url}, work / "voice.log", port)
        url = f"http://127.0.0.1:{port}"
        totals, asr, bot, tts = [], [], [], []
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
            for round_ in range(2):  # the first round warms the assistant's caches; both are reported
                for clip in clips:
                    async with http.post(f"{url}/api/session") as reply:
                        session = (await reply.json())["session"]
                    data = (clips_dir / f"{clip['clip']}.wav").read_bytes()
                    started = time.perf_counter()
                    async with http.post(f"{url}/api/turn?session={session}", data=data,
                                         headers={"Content-Type": "audio/wav"}) as reply:
                        body = await reply.json()
                    first = body["replies"][0]["audio"] if body.get("replies") else None
                    if first:
                        async with http.get(url + first) as reply:
                            await reply.read()
                    totals.append(time.perf_counter() - started)
                    timings = body.get("timings") or {}
                    asr.append(timings.get("asr_s", 0.0))
                    bot.append(timings.get("bot_s", 0.0))
                    tts.append(timings.get("tts_first_s", 0.0))
        return {"n": len(totals), "p50_s": statistics.median(totals), "p95_s": percentile(totals, 95),
                "max_s": max(totals), "asr_p50_s": statistics.median(asr), "bot_p50_s": statistics.median(bot),
                "tts_p50_s": statistics.median(tts)}
    finally:
        if gateway is not None:
            terminate(gateway)
        if stack is not None:
            stack.stop()
        case_service.stop()
