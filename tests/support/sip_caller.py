"""A real SIP caller for the phone-line tests: Debian's baresip on loopback, no registrar.

:func:`place_call` makes baresip dial the gateway with a WAV file as its microphone (``aufile``)
and records what it hears (``sndfile``: ``dump-*-dec.wav``, 8 kHz mono). baresip hangs up when its
input file ends, so the silence padded after the question is how long the caller stays on the line.
Optional ``ctrl_tcp`` lets a test press keys (RFC 2833 DTMF) during the call.
"""

from __future__ import annotations

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


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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

    def received_samples(self) -> np.ndarray:
        from connectors.voice.audio import read_wav

        if self.received is None:
            return np.zeros(0, np.float32)
        samples, _ = read_wav(self.received.read_bytes())
        return samples


def place_call(work_dir: Path, *, target_port: int, caller_port: int, microphone: bytes, seconds: float,
               rtp_low: int = 30000) -> CallResult:
    """Dial ``sip:hotline@127.0.0.1:target_port`` from ``caller_port``; hang up when ``microphone``
    ends; stop baresip after ``seconds`` at the latest."""
    work_dir.mkdir(parents=True, exist_ok=True)
    config_dir, records = work_dir / "baresip", work_dir / "records"
    config_dir.mkdir(exist_ok=True)
    records.mkdir(exist_ok=True)
    mic = work_dir / "microphone.wav"
    mic.write_bytes(microphone)
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
        "module_tmp account.so", "module_app menu.so",
        f"snd_path {records}",
    ]) + "\n")
    (config_dir / "accounts").write_text("<sip:caller@127.0.0.1>;regint=0;audio_codecs=PCMU\n")
    (config_dir / "contacts").write_text("")
    log_path = work_dir / "baresip.log"
    started = time.monotonic()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [BARESIP, "-f", str(config_dir), "-e", f"/dial sip:hotline@127.0.0.1:{target_port}", "-t", str(int(seconds) + 5)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = started + seconds
        while time.monotonic() < deadline and process.poll() is None:
            text = log_path.read_text(errors="replace")
            if "terminated" in text or "call closed" in text.lower() or "session closed" in text.lower():
                time.sleep(0.5)
                break
            time.sleep(0.2)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
    received = sorted(records.glob("dump-*-dec.wav"))
    return CallResult(received[-1] if received else None, log_path.read_text(errors="replace"),
                      time.monotonic() - started)
