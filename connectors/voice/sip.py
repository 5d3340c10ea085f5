"""The phone line: a SIP user agent (pyVoIP) that answers calls and runs each through the gateway.

A call: answer → welcome prompt → listen (20 ms RTP frames, 8 kHz → 16 kHz, VAD endpointing) → the
gateway (recognition, read-back, assistant) → speak the reply → listen again. Keypad digits (RFC 2833
DTMF) work at any time: 0 for a person, 1/2 to answer a read-back, digits ending in # for an exact
number. A hand-off is a blind transfer (SIP REFER) to ``VOICE_OPERATOR_URI``; without one, the
operator's console replies are spoken on the call. A caller who hangs up, even mid-reply, ends the
loop and every resource of the call is released.

pyVoIP 1.6.8 is used as published plus three fixes applied here, found while testing against
baresip: empty header values (``Supported:``) made it drop the INVITE, without
``VOICE_SIP_REGISTER=0`` it would always REGISTER, and it sent A-law (PCMA, the codec of Chinese
telephone networks) encoded as µ-law. Its model is a line registered to one PBX (``VOICE_SIP_PEER``): replies
and requests go there, which is how a city's PBX or SIP trunk reaches an extension.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import time
from typing import Optional

import numpy as np

from .audio import SAMPLE_RATE, resample
from .conversation import Turn
from .gateway import Gateway
from .notices import notice
from .settings import VoiceSettings
from .vad import Endpointer

log = logging.getLogger(__name__)

LINE_RATE = 8000
FRAME_BYTES = 160  # 20 ms of 8 kHz 8-bit audio, pyVoIP's unit
MAX_CALL_SECONDS = 30 * 60
_patched = False


def _patch_pyvoip() -> None:
    """Tolerate empty header values (baresip sends ``Supported:``; pyVoIP 1.6.8 splits on ': '), and
    encode PCMA as A-law."""
    global _patched
    if _patched:
        return
    import pyVoIP.VoIP  # noqa: F401  (must precede pyVoIP.SIP: circular import)
    from pyVoIP import SIP

    def parse_raw_header(headers_raw, handle):
        headers = {"Via": []}
        for line in headers_raw:
            name, _, value = str(line, "utf8").partition(":")
            name, value = name.strip(), value.strip()
            if name == "Via":
                headers["Via"].append(value)
            elif name not in headers:
                headers[name] = value
        for key, value in headers.items():
            handle(key, value)

    SIP.SIPMessage.parse_raw_header = staticmethod(parse_raw_header)

    from pyVoIP import RTP

    original_encode = RTP.RTPClient.encode_packet

    def encode_packet(self, payload: bytes) -> bytes:
        """pyVoIP 1.6.8 encodes PCMA (G.711 A-law, Europe and China) with the µ-law encoder."""
        if self.preference == RTP.PayloadType.PCMA:
            return self.encode_pcma(payload)
        return original_encode(self, payload)

    RTP.RTPClient.encode_packet = encode_packet
    _patched = True


def u8_to_float(data: bytes) -> np.ndarray:
    """pyVoIP's audio (8-bit unsigned, silence 0x80) as float32."""
    return (np.frombuffer(data, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0


def float_to_u8(samples: np.ndarray) -> bytes:
    return (np.clip(samples, -1.0, 1.0) * 127.0 + 128.0).astype(np.uint8).tobytes()


class SipLine:
    def __init__(self, settings: VoiceSettings, gateway: Gateway, pushes, loop: asyncio.AbstractEventLoop) -> None:
        self.settings, self.gateway, self.pushes, self.loop = settings, gateway, pushes, loop
        self.phone = None
        self.active: set[str] = set()

    def start(self) -> None:
        _patch_pyvoip()
        from pyVoIP.VoIP import VoIPPhone

        host, port = self.settings.sip_peer_address
        low, high = self.settings.rtp_ports
        self.phone = VoIPPhone(host, port, self.settings.sip_user, self.settings.sip_password,
                               myIP=self.settings.sip_host, callCallback=self._on_call,
                               sipPort=self.settings.sip_port, rtpPortLow=low, rtpPortHigh=high)
        if not self.settings.sip_register:
            self.phone.sip.register = lambda: True
        self.phone.start()
        log.info("SIP line on %s:%s (peer %s, register=%s)", self.settings.sip_host, self.settings.sip_port,
                 self.settings.sip_peer, self.settings.sip_register)

    def stop(self) -> None:
        if self.phone is not None:
            try:
                self.phone.stop()
            except Exception:  # pyVoIP raises on stop when a call is half torn down; the process is ending
                log.exception("stopping the SIP line")
            self.phone = None

    def _on_call(self, call) -> None:
        """pyVoIP calls this in its own thread for every incoming call."""
        handler = CallHandler(self, call)
        try:
            handler.run()
        except Exception:
            log.exception("call %s failed", handler.sender)
        finally:
            handler.close()


class CallHandler:
    def __init__(self, line: SipLine, call) -> None:
        self.line, self.call = line, call
        call_id = str(call.request.headers.get("Call-ID", id(call)))
        self.sender = "voice-phone-" + "".join(c for c in call_id if c.isalnum())[:40]
        self.language = "zh"
        self.endpointer = Endpointer()
        self.keys = ""
        self.pushed: "queue.Queue[str]" = queue.Queue()
        self.playing_until = 0.0

    # --- plumbing ------------------------------------------------------------------------------
    def _await(self, coro, timeout: float):
        return asyncio.run_coroutine_threadsafe(coro, self.line.loop).result(timeout)

    def _up(self) -> bool:
        from pyVoIP.VoIP import CallState

        return self.call.state == CallState.ANSWERED

    def close(self) -> None:
        self.line.pushes.listeners.pop(self.sender, None)
        self.line.active.discard(self.sender)
        self.line.gateway.forget(self.sender)
        if self._up():
            try:
                self.call.hangup()
            except Exception:
                log.warning("hang-up of %s failed", self.sender)
        log.info("call %s released", self.sender)

    # --- the call --------------------------------------------------------------------------------
    def run(self) -> None:
        self.call.answer()
        self.line.active.add(self.sender)
        self.line.pushes.listeners[self.sender] = self.pushed.put
        log.info("answered call %s", self.sender)
        started = time.monotonic()
        self.speak(Turn("zh", [notice("welcome", "zh"), notice("welcome", "en")]), mixed=True)
        next_frame = time.monotonic()
        while self._up() and time.monotonic() - started < MAX_CALL_SECONDS:
            next_frame += FRAME_BYTES / LINE_RATE
            delay = next_frame - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            else:
                next_frame = time.monotonic()
            frame = self.call.read_audio(FRAME_BYTES, blocking=False)
            turn = self._keys() or self._pushes()
            if turn is None and time.monotonic() >= self.playing_until:
                utterance = self.endpointer.feed(resample(u8_to_float(frame), LINE_RATE, SAMPLE_RATE))
                if utterance is not None:
                    turn = self._await(self.line.gateway.hear(self.sender, utterance, None),
                                       self.line.settings.engine_timeout + self.line.settings.bot_timeout + 5)
            elif time.monotonic() < self.playing_until:
                self.endpointer.reset()  # no barge-in: our own reply must not be heard as the caller
            if turn is not None:
                self.language = turn.language
                self.speak(turn)
                if turn.transfer and self._transfer():
                    return

    def _keys(self) -> Optional[Turn]:
        digits = self.call.get_dtmf(32)
        if not digits:
            return None
        self.keys += digits
        conversation = self.line.gateway.conversation(self.sender)
        if self.keys == "0" or (self.keys in ("1", "2") and conversation.pending is not None) or self.keys.endswith("#"):
            keys, self.keys = self.keys, ""
            log.info("keypad %s on %s", keys, self.sender)
            self.playing_until = 0.0  # a key interrupts the prompt
            return self._await(self.line.gateway.keys(self.sender, keys), self.line.settings.bot_timeout + 5)
        return None

    def _pushes(self) -> Optional[Turn]:
        try:
            text = self.pushed.get_nowait()
        except queue.Empty:
            return None
        return Turn(self.language, [text])

    def speak(self, turn: Turn, mixed: bool = False) -> None:
        """Queue the turn's sentences on the call; ``playing_until`` says when the caller has heard them."""
        for index, text in enumerate(turn.texts):
            language = ("zh" if index == 0 else "en") if mixed else turn.language
            for sentence in self.line.gateway.voices.sentences(text, language):
                if not self._up():
                    return
                speech = self._await(self.line.gateway.speak(sentence, language), self.line.settings.engine_timeout + 5)
                if speech is None:
                    continue
                line_audio = float_to_u8(resample(speech.samples, speech.rate, LINE_RATE))
                self.call.write_audio(line_audio)
                now = time.monotonic()
                self.playing_until = max(self.playing_until, now) + len(line_audio) / LINE_RATE + 0.2

    def _wait_played(self) -> None:
        while self._up() and time.monotonic() < self.playing_until:
            time.sleep(0.05)

    def _transfer(self) -> bool:
        """Blind transfer (REFER) to the operator; ``False`` when there is nowhere to transfer to."""
        target = self.line.settings.operator_uri
        if not target:
            return False
        self.speak(Turn(self.language, [notice("transferring", self.language)]))
        self._wait_played()
        if not self._up():
            return True
        sip = self.line.phone.sip
        request = self.call.request
        message = sip.gen_bye(request).replace("BYE ", "REFER ", 1).replace(" BYE\r\n", " REFER\r\n")
        message = message.replace("Content-Length: 0\r\n", f"Refer-To: <{target}>\r\n"
                                  f"Referred-By: <sip:{sip.username}@{sip.myIP}:{sip.myPort}>\r\nContent-Length: 0\r\n")
        sip.out.sendto(message.encode("utf8"), (sip.server, sip.port))
        log.info("call %s transferred to %s", self.sender, target)
        deadline = time.monotonic() + 5
        while self._up() and time.monotonic() < deadline:
            time.sleep(0.1)
        return True
