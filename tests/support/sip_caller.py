"""A real SIP caller for the phone-line tests: Debian's baresip on loopback, no registrar.

:func:`place_call` makes baresip dial the gateway with a WAV file as its microphone (``aufile``)
and records what it hears (``sndfile``: ``dump-*-dec.wav``, 8 kHz mono). baresip hangs up when its
input file ends, so the silence padded after the question is how long the caller stays on the line.
Optional ``ctrl_tcp`` lets a test press keys (RFC 2833 DTMF) during the call.
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

BARESIP = shutil.which("baresip") or "/usr/bin/baresip"
MODULES = Path("/usr/lib/baresip/modules")
RATE = 8000


def free_tcp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_sip_port() -> int:
    """A port for a SIP user agent, chosen below the kernel's ephemeral range (32768+) and the
    RTP ranges of the tests (20000+).

    baresip listens on UDP and TCP ``port`` and TLS ``port + 1``, and binds them only when a call
    is placed, long after the port was picked: an OS-picked port is in the ephemeral range, where
    any outgoing TCP connection of the tests (to Rasa, the action server...) may take it meanwhile
    ("tcp: sock_bind: Address already in use"). Ports in 10000-19999 are taken only by listeners.
    """
    import random

    for _ in range(200):
        port = random.randrange(10000, 19999)
        try:
            for kind, number in ((socket.SOCK_DGRAM, port), (socket.SOCK_STREAM, port),
                                 (socket.SOCK_STREAM, port + 1)):
                with socket.socket(socket.AF_INET, kind) as sock:
                    sock.bind(("127.0.0.1", number))
        except OSError:
            continue
        return port
    raise RuntimeError("no free SIP port in 10000-19999")


def free_sip_ports(count: int) -> list[int]:
    """``count`` ports from :func:`free_sip_port`, none on another's TLS port (``port + 1``)."""
    ports: list[int] = []
    while len(ports) < count:
        candidate = free_sip_port()
        if all(abs(candidate - other) > 1 for other in ports):
            ports.append(candidate)
    return ports


def caller_audio(samples_16k: np.ndarray, lead_seconds: float, hold_seconds: float) -> bytes:
    """The caller's microphone: silence, the question, silence (8 kHz mono 16-bit WAV)."""
    from connectors.voice.audio import resample, wav_bytes

    speech = resample(samples_16k, 16000, RATE)
    lead = np.zeros(int(lead_seconds * RATE), np.float32)
    hold = np.zeros(int(hold_seconds * RATE), np.float32)
    return wav_bytes(np.concatenate([lead, speech, hold]), RATE)


@dataclass
class CallResult:
    received: Optional[Path]
    log: str
    seconds: float
    established: bool = False
    closed_by_peer: bool = False

    def received_samples(self) -> np.ndarray:
        from connectors.voice.audio import read_wav

        if self.received is None:
            return np.zeros(0, np.float32)
        samples, _ = read_wav(self.received.read_bytes())
        return samples


class Control:
    """baresip's ``ctrl_tcp``: netstring-framed JSON commands and events."""

    def __init__(self, port: int, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", port), timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self.buffer, self.count, self.events = b"", 0, []

    def _receive(self, timeout: float) -> Optional[dict]:
        self.sock.settimeout(max(timeout, 0.001))
        while True:
            colon = self.buffer.find(b":")
            if colon > 0:
                size = int(self.buffer[:colon])
                if len(self.buffer) >= colon + size + 2:
                    payload = self.buffer[colon + 1:colon + 1 + size]
                    self.buffer = self.buffer[colon + 2 + size:]
                    message = json.loads(payload)
                    if message.get("event"):
                        self.events.append(message.get("type"))
                    return message
            try:
                chunk = self.sock.recv(4096)
            except socket.timeout:
                return None
            if not chunk:
                raise EOFError("baresip closed ctrl_tcp")
            self.buffer += chunk

    def command(self, command: str, params: str = "", timeout: float = 5.0) -> dict:
        self.count += 1
        token = f"t{self.count}"
        data = json.dumps({"command": command, "params": params, "token": token}).encode()
        self.sock.sendall(b"%d:%s," % (len(data), data))
        deadline = time.monotonic() + timeout
        while (message := self._receive(deadline - time.monotonic())) is not None:
            if message.get("response") and message.get("token") == token:
                return message
        raise TimeoutError(command)

    def wait_event(self, kind: str, timeout: float) -> bool:
        if kind in self.events:
            return True
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = self._receive(deadline - time.monotonic())
            if message and message.get("event") and message.get("type") == kind:
                return True
        return False

    def close(self) -> None:
        self.sock.close()


def place_call(work_dir: Path, *, target_port: int, caller_port: int, microphone: bytes, seconds: float,
               keys: tuple[tuple[float, str], ...] = (), hang_up_after: Optional[float] = None,
               rtp_low: int = 30000) -> CallResult:
    """Dial ``sip:hotline@127.0.0.1:target_port`` from ``caller_port`` with ``microphone`` as input.

    baresip hangs up by itself when the microphone file ends; ``keys`` are (seconds after the call
    is established, digits) pressed as RFC 2833 DTMF; ``hang_up_after`` hangs up earlier (a caller
    who leaves mid-reply). baresip is stopped after ``seconds`` at the latest.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    config_dir, records = work_dir / "baresip", work_dir / "records"
    config_dir.mkdir(exist_ok=True)
    records.mkdir(exist_ok=True)
    mic = work_dir / "microphone.wav"
    mic.write_bytes(microphone)
    control_port = free_tcp_port()
    (config_dir / "config").write_text("\n".join([
        "poll_method epoll",
        f"sip_listen 127.0.0.1:{caller_port}",
        "net_interface 127.0.0.1",
        "dns_server 127.0.0.1:53",
        f"rtp_ports {rtp_low}-{rtp_low + 99}",
        "call_local_timeout 20",
        "call_max_calls 2",
        f"audio_source aufile,{mic}",
        "ausrc_format s16", "auplay_format s16", "auenc_format s16", "audec_format s16",
        "audio_buffer 20-160", "jitter_buffer_delay 5-10", "rtcp_mux no",
        f"module_path {MODULES}",
        "module g711.so", "module aufile.so", "module sndfile.so",
        "module_tmp account.so", "module_app menu.so", "module_app ctrl_tcp.so",
        f"ctrl_tcp_listen 127.0.0.1:{control_port}",
        f"snd_path {records}",
    ]) + "\n")
    (config_dir / "accounts").write_text("<sip:caller@127.0.0.1>;regint=0;audio_codecs=PCMU\n")
    (config_dir / "contacts").write_text("")
    log_path = work_dir / "baresip.log"
    started = time.monotonic()
    with open(log_path, "wb") as log:
        process = subprocess.Popen([BARESIP, "-f", str(config_dir), "-t", str(int(seconds) + 10)],
                                   stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    control: Optional[Control] = None
    established = closed = False
    try:
        control = Control(control_port)
        control.command("dial", f"sip:hotline@127.0.0.1:{target_port}")
        established = control.wait_event("CALL_ESTABLISHED", 15)
        if established:
            answered = time.monotonic()
            for at, digits in sorted(keys):
                control.wait_event("CALL_CLOSED", max(0.0, answered + at - time.monotonic()))
                if "CALL_CLOSED" in control.events:
                    break
                control.command("sndcode", digits)
            limit = started + seconds
            if hang_up_after is not None:
                limit = min(limit, answered + hang_up_after)
            closed = control.wait_event("CALL_CLOSED", max(0.0, limit - time.monotonic()))
            if not closed:
                control.command("hangup", timeout=5)
                control.wait_event("CALL_CLOSED", 3)
            time.sleep(0.3)
        try:
            control.command("quit", timeout=3)
        except (TimeoutError, OSError, EOFError):
            pass
    finally:
        if control is not None:
            control.close()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
    received = sorted(records.glob("dump-*-dec.wav"))
    return CallResult(received[-1] if received else None, log_path.read_text(errors="replace"),
                      time.monotonic() - started, established, closed)
