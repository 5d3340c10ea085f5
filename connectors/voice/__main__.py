"""``python -m connectors.voice``: the voice gateway process (``make run`` starts it).

Start-up order matters for callers: the model's sha256 is checked and the engines are loaded before
the port opens, so the first caller never waits for a model load, and a wrong model stops the
process (exit 3) instead of mis-hearing people.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from dataclasses import replace

import aiohttp
from aiohttp import web

from .asr import HttpRecognizer, WhisperRecognizer
from .assistant import AssistantClient
from .errors import ModelIntegrityError
from .gateway import Gateway
from .server import VoiceServer
from .settings import VoiceSettings
from .tts import build_synthesizers

log = logging.getLogger("connectors.voice")


async def build_gateway(settings: VoiceSettings, session: aiohttp.ClientSession) -> Gateway:
    """Engines and clients for one process, all sharing ``session``."""
    loop = asyncio.get_running_loop()
    if settings.asr.startswith(("http://", "https://")):
        recognizer = HttpRecognizer(settings.asr, session, settings.engine_timeout)
    elif settings.asr == "whisper":
        prompts = {k: v for k, v in (("zh", settings.prompt_zh), ("en", settings.prompt_en)) if v}
        recognizer = await loop.run_in_executor(None, lambda: WhisperRecognizer(
            settings.model_dir, settings.asr_threads, prompts, settings.engine_timeout,
            lexicon=settings.lexicon).load())
    else:
        raise ValueError(f"VOICE_ASR must be 'whisper' or a URL, got {settings.asr!r}")
    voices = build_synthesizers(session, settings.tts_zh, settings.tts_en, settings.engine_timeout)
    await loop.run_in_executor(None, voices.load)
    assistant = AssistantClient(session, settings.rasa_url, settings.channel_secret, settings.bot_timeout)
    return Gateway(settings, recognizer, voices, assistant)


def create_app(settings: VoiceSettings) -> web.Application:
    """The gateway as an aiohttp application; engines load in its start-up hook."""
    server = VoiceServer(settings)
    app = server.app()
    state: dict = {}

    async def start(app: web.Application) -> None:
        state["session"] = aiohttp.ClientSession()
        server.gateway = await build_gateway(settings, state["session"])
        if settings.sip_port:
            from .sip import SipLine

            state["sip"] = SipLine(settings, server.gateway, server.pushes, asyncio.get_running_loop())
            await asyncio.get_running_loop().run_in_executor(None, state["sip"].start)
        log.info("voice gateway ready on http://%s:%s/ (phone line: %s)", settings.host, settings.port,
                 f"udp {settings.sip_host}:{settings.sip_port}" if settings.sip_port else "off")

    async def stop(app: web.Application) -> None:
        if "sip" in state:
            await asyncio.get_running_loop().run_in_executor(None, state["sip"].stop)
        if "session" in state:
            await state["session"].close()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    return app


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m connectors.voice", description=__doc__)
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = VoiceSettings.from_env()
    settings = replace(settings, host=args.host or settings.host, port=args.port or settings.port)
    if not settings.channel_secret:
        print("VOICE_CHANNEL_SECRET is required (shared with the Rasa voice channel)", file=sys.stderr)
        return 2
    try:
        web.run_app(create_app(settings), host=settings.host, port=settings.port, print=None, access_log=None)
    except ModelIntegrityError as exc:
        print(f"refusing to start: {exc}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
