"""Plain parts of the voice gateway: audio decoding and checks, VAD, text for speech, read-back,
settings, and the model's integrity check."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import numpy as np
import pytest

from connectors.voice import audio, readback, vad
from connectors.voice.errors import (AudioFormatError, AudioTooLongError, ClippedAudioError, ModelIntegrityError,
                                     NoSpeechError)
from connectors.voice.model_files import PINNED_SHA256, sha256_of, verify
from connectors.voice.settings import ChannelSettings, VoiceSettings
from connectors.voice.speech_text import sentences, speakable, spell_digits
from connectors.voice.textnorm import to_simplified
from tests.connectors.voice.conftest import MODEL_DIR, clip_bytes


def tone(seconds: float, rate: int = 16000, amplitude: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def encode(samples: np.ndarray, rate: int, fmt: str, codec: str) -> bytes:
    """A real compressed file, as a browser's MediaRecorder would upload (PyAV encoder)."""
    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format=fmt) as out:
        stream = out.add_stream(codec, rate=48000 if codec == "libopus" else rate)
        stream.layout = "mono"
        resampled = audio.resample(samples, rate, stream.rate)
        frame = av.AudioFrame.from_ndarray((resampled * 32767).astype(np.int16).reshape(1, -1), format="s16", layout="mono")
        frame.rate = stream.rate
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()


# --- decoding ---------------------------------------------------------------------------------------
def test_decodes_a_wav_clip_to_16k_mono():
    decoded = audio.decode(clip_bytes("zh1"), max_seconds=60)
    assert 2.0 < decoded.seconds < 3.0
    assert decoded.samples.dtype == np.float32


def test_decodes_telephone_band_and_webm_opus_as_browsers_send():
    assert 2.0 < audio.decode(clip_bytes("en1.8k"), 60).seconds < 3.2
    samples = audio.decode(clip_bytes("en1"), 60).samples
    webm = encode(samples, 16000, "webm", "libopus")
    decoded = audio.decode(webm, 60)
    assert abs(decoded.seconds - len(samples) / 16000) < 0.2


@pytest.mark.parametrize("data", [b"", b"not audio at all" * 100, b"RIFF\x00\x00\x00\x00WAVEfmt ", json.dumps({"a": 1}).encode()])
def test_wrong_formats_are_refused_with_a_format_error(data):
    with pytest.raises(AudioFormatError):
        audio.decode(data, 60)


def test_truncated_wav_is_refused_or_decoded_partially_never_crashes():
    data = clip_bytes("zh2")[:2000]
    try:
        decoded = audio.decode(data, 60)
        assert decoded.seconds < 0.1
    except AudioFormatError:
        pass


def test_a_ten_minute_upload_is_refused_quickly_without_decoding_it_all():
    ten_minutes = encode(tone(600, 16000, 0.2), 16000, "ogg", "libopus")
    started = time.perf_counter()
    with pytest.raises(AudioTooLongError):
        audio.decode(ten_minutes, max_seconds=60)
    assert time.perf_counter() - started < 5


def test_silence_and_clipping_are_recognised_before_recognition():
    with pytest.raises(NoSpeechError):
        audio.check_level(audio.Audio(np.zeros(16000, np.float32)))
    with pytest.raises(ClippedAudioError):
        audio.check_level(audio.Audio(np.sign(tone(2.0)).astype(np.float32)))
    audio.check_level(audio.decode(clip_bytes("en2"), 60))


def test_wav_round_trip_and_resampling():
    samples = tone(1.0)
    back, rate = audio.read_wav(audio.wav_bytes(samples, 16000))
    assert rate == 16000 and np.allclose(back, samples, atol=1e-3)
    assert len(audio.resample(samples, 16000, 8000)) == 8000


# --- VAD ---------------------------------------------------------------------------------------------
def test_trim_cuts_silence_around_speech_and_finds_none_in_noise_free_silence():
    speech = audio.decode(clip_bytes("zh5"), 60).samples
    padded = np.concatenate([np.zeros(32000, np.float32), speech, np.zeros(32000, np.float32)])
    trimmed = vad.trim(audio.Audio(padded))
    assert trimmed is not None and trimmed.seconds < len(padded) / 16000 - 2.5
    assert vad.trim(audio.Audio(np.zeros(48000, np.float32))) is None


def test_endpointer_reports_one_utterance_after_the_pause():
    speech = audio.decode(clip_bytes("en5"), 60).samples
    stream = np.concatenate([np.zeros(16000, np.float32), speech, np.zeros(24000, np.float32)])
    endpointer = vad.Endpointer()
    utterances = [u for i in range(0, len(stream), 320) if (u := endpointer.feed(stream[i:i + 320])) is not None]
    assert len(utterances) == 1
    assert abs(utterances[0].seconds - len(speech) / 16000) < 1.5


# --- text for speech and read-back ---------------------------------------------------------------------
def test_numbers_are_spoken_digit_by_digit_in_groups():
    assert spell_digits("13800138000", "zh") == "幺三八，零零幺三，八零零零"
    assert spell_digits("2026113000042", "en") == "2 0 2 6, 1 1 3 0, 0 0 0 4 2"
    assert spell_digits("12333", "zh") == "幺二三三三"
    assert "幺三八" in speakable("您的电话是 138-0013-8000，请确认。", "zh")
    assert "http" not in speakable("See https://example.org/x **now** 😀", "en")


def test_sentences_split_for_early_playback():
    assert sentences("第一句。第二句！Third one. Fourth?") == ["第一句。", "第二句！", "Third one.", "Fourth?"]
    assert sentences("   ") == []


def test_traditional_transcripts_become_simplified():
    assert to_simplified("我要投訴小區附近的噪音問題") == "我要投诉小区附近的噪音问题"


@pytest.mark.parametrize("text, expecting, kind, value", [
    ("我的电话是13800138000", "contact_phone", "phone", "13800138000"),
    ("幺三八零零幺三八零零零", "contact_phone", "phone", "13800138000"),
    ("查一下工单2026113000042", None, "case_number", "2026113000042"),
    ("朝阳区建国路88号", "address", "address", "朝阳区建国路88号"),
])
def test_numbers_and_addresses_need_a_read_back(text, expecting, kind, value):
    pending = readback.needs_readback(text, expecting)
    assert pending is not None and (pending.kind, pending.value) == (kind, value)


def test_a_misheard_number_is_read_back_as_heard():
    pending = readback.needs_readback("My phone number is 1380001380000.", None)
    assert pending is not None and pending.value == "1380001380000"
    assert readback.needs_readback("123", "contact_phone").value == "123"
    assert readback.needs_readback("I live at number 12", None) is None


def test_ordinary_answers_need_no_read_back():
    assert readback.needs_readback("路灯坏了好几天了", "description") is None
    assert readback.needs_readback("朝阳区建国路88号", "description") is None


@pytest.mark.parametrize("text, answer", [("对", True), ("是的", True), ("Yes.", True), ("1", True),
                                          ("不对", False), ("不是", False), ("no", False), ("2", False),
                                          ("路灯坏了", None)])
def test_confirmation_answers(text, answer):
    assert readback.confirmation(text) is answer


# --- settings -----------------------------------------------------------------------------------------
def test_settings_read_once_and_refuse_bad_values():
    settings = VoiceSettings.from_env({"VOICE_PORT": "9000", "VOICE_SIP_PORT": "0", "VOICE_SIP_PEER": "pbx.local:5060",
                                       "VOICE_RTP_PORTS": "12000-12099", "VOICE_CHANNEL_SECRET": "s3cret"})
    assert settings.port == 9000 and settings.sip_port == 0 and settings.sip_peer_address == ("pbx.local", 5060)
    assert "s3cret" not in repr(settings)
    for bad in ({"VOICE_PORT": "x"}, {"VOICE_SIP_PEER": "nohost"}, {"VOICE_RTP_PORTS": "9-1"}, {"VOICE_MAX_SECONDS": "-1"}):
        with pytest.raises(ValueError):
            VoiceSettings.from_env(bad)
    assert ChannelSettings.from_env({}).secret == ""


# --- model integrity ------------------------------------------------------------------------------------
def test_integrity_check_refuses_a_changed_or_missing_file(tmp_path: Path):
    (tmp_path / "config.json").write_text("{}")
    expected = {"config.json": sha256_of(tmp_path / "config.json")}
    verify(tmp_path, expected)
    (tmp_path / "config.json").write_text('{"tampered": true}')
    with pytest.raises(ModelIntegrityError, match="sha256"):
        verify(tmp_path, expected)
    with pytest.raises(ModelIntegrityError, match="missing"):
        verify(tmp_path, {"model.bin": "0" * 64})


def test_the_joined_model_matches_the_pinned_sha256():
    if not (MODEL_DIR / "model.bin").is_file():
        pytest.skip("run `make voice-model`")
    verify(MODEL_DIR, PINNED_SHA256)


# --- the phone line's pyVoIP fixes ----------------------------------------------------------------------
def test_pcma_is_sent_as_a_law_after_our_fix():
    import audioop

    from connectors.voice import sip
    from connectors.voice.sip import _patch_pyvoip

    _patch_pyvoip()
    from pyVoIP import RTP

    pcm = sip.float_to_u8(np.sin(np.arange(160) / 5).astype(np.float32) * 0.5)
    client = RTP.RTPClient({8: RTP.PayloadType.PCMA, 101: RTP.PayloadType.EVENT}, "127.0.0.1", 0, "127.0.0.1", 0,
                           RTP.TransmitType.SENDRECV)
    assert client.encode_packet(pcm) == audioop.lin2alaw(audioop.bias(pcm, 1, -128), 1)
    client.preference = RTP.PayloadType.PCMU
    assert client.encode_packet(pcm) == audioop.lin2ulaw(audioop.bias(pcm, 1, -128), 1)


def test_empty_sip_header_values_no_longer_drop_the_invite():
    from connectors.voice.sip import _patch_pyvoip

    _patch_pyvoip()
    from pyVoIP import SIP

    invite = ("INVITE sip:hotline@127.0.0.1:5080 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1;rport\r\n"
              "From: <sip:caller@127.0.0.1>;tag=1\r\nTo: <sip:hotline@127.0.0.1:5080>\r\nCall-ID: abc\r\n"
              "CSeq: 1 INVITE\r\nSupported:\r\nContact: <sip:caller@127.0.0.1:5070>\r\nContent-Length: 0\r\n\r\n")
    message = SIP.SIPMessage(invite.encode())
    assert message.method == "INVITE" and message.headers["Call-ID"] == "abc"


async def test_a_full_recognition_queue_answers_busy_instead_of_queueing_forever():
    from connectors.voice.gateway import Gateway

    gateway = Gateway(VoiceSettings(max_pending=0), recognizer=None, voices=None, assistant=None)
    turn = await gateway.hear("voice-web-test", clip_bytes("zh1"), "zh")
    assert turn.notice == "busy" and "繁忙" in turn.texts[0]
