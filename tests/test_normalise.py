"""normalise, re-measured by an independent meter (ffmpeg's ebur128 with peak=true)."""

from __future__ import annotations

import numpy as np
import pytest

from podkit.errors import MediaError
from podkit.normalise import NormaliseOptions, normalise
from podkit.normalise.limiter import Limiter
from podkit.normalise.meter import LoudnessMeter

from .conftest import SAMPLE, ebur128, ffmpeg, ffprobe, shared, speech
from .speech import clip


@pytest.mark.parametrize("gain_db", [-22.0, 0.0, 14.0], ids=["quiet", "normal", "loud"])
@pytest.mark.parametrize("channels,target", [(1, -19.0), (2, -16.0)], ids=["mono", "stereo"])
def test_output_on_target_and_under_ceiling(tmp_path, gain_db, channels, target):
    src = speech(tmp_path / "in.wav", channels=channels, gain_db=gain_db)
    if gain_db > 0:  # a loud recording that clips, as hot ones do
        ffmpeg("-i", str(src), "-af", "alimiter=limit=1:level=false", str(tmp_path / "hot.wav"))
        src = tmp_path / "hot.wav"
    before = src.read_bytes()
    out = tmp_path / "out.mp3"
    result = normalise(src, out)
    loud, peak = ebur128(out)
    assert loud == pytest.approx(target, abs=0.5)
    assert peak <= -1.0 + 0.1
    assert src.read_bytes() == before  # the recording is never touched
    stream = ffprobe(out)["streams"][0]
    assert stream["codec_name"] == "mp3" and stream["sample_rate"] == "44100"
    assert stream["channels"] == channels
    assert int(stream["bit_rate"]) == (64000 if channels == 1 else 128000)
    assert result.target == target


def test_quiet_recording_with_high_peaks_is_limited_not_clipped(tmp_path):
    # Speech at -40 LUFS with a click at 0 dBFS: the gain to -16 needs the limiter.
    src = speech(tmp_path / "in.wav", channels=2, gain_db=-20)
    ffmpeg(
        "-i", str(src), "-af", "aeval=val(ch)+if(between(t\\,5\\,5.002)\\,0.95\\,0):c=same", str(tmp_path / "click.wav")
    )
    out = tmp_path / "out.mp3"
    result = normalise(tmp_path / "click.wav", out)
    assert result.limited and result.max_reduction_db > 6
    loud, peak = ebur128(out)
    assert loud == pytest.approx(-16.0, abs=0.5)
    assert peak <= -0.9


def test_target_and_true_peak_options(tmp_path):
    src = speech(tmp_path / "in.wav", channels=2)
    out = tmp_path / "out.mp3"
    normalise(src, out, NormaliseOptions(true_peak=-3.0), target=-14.0)
    loud, peak = ebur128(out)
    assert loud == pytest.approx(-14.0, abs=0.5)
    assert peak <= -2.9


def test_third_party_speech_stereo_44k(tmp_path):
    """A LibriVox reading (16 kHz mono) made a 44.1 kHz stereo FLAC, as JFK's extra below is:
    real speech podkit did not make, whose peaks the gain to -16 LUFS would lift over the ceiling."""
    src = tmp_path / "reading.flac"
    ffmpeg("-i", str(clip("0920").path), "-af", "aresample=44100,pan=stereo|c0=c0|c1=c0", str(src))
    assert ffprobe(src)["streams"][0]["channels"] == 2
    src_loud, src_peak = ebur128(src)
    assert src_peak + (-16.0 - src_loud) > -1.0  # the gain alone would break the -1 dBTP ceiling
    out = tmp_path / "reading.mp3"
    result = normalise(src, out)
    assert result.input_loudness == pytest.approx(src_loud, abs=0.3)  # podkit's meter and ffmpeg's agree
    assert result.channels == 2 and result.target == -16.0 and result.limited
    loud, peak = ebur128(out)
    assert loud == pytest.approx(-16.0, abs=0.5) and peak <= -0.9
    stream = ffprobe(out)["streams"][0]
    assert stream["channels"] == 2 and stream["sample_rate"] == "44100"
    assert float(ffprobe(out)["format"]["duration"]) == pytest.approx(result.duration, abs=0.1)


def test_jfk_stereo_44k(tmp_path):
    out = tmp_path / "jfk.mp3"
    normalise(shared("speech", "jfk.flac"), out)
    loud, peak = ebur128(out)
    assert loud == pytest.approx(-16.0, abs=0.5) and peak <= -0.9


def test_trims_silence_but_keeps_the_speech(tmp_path):
    src = speech(tmp_path / "in.wav", seconds=10, pad_start=4.0, pad_end=5.0)
    out = tmp_path / "out.mp3"
    result = normalise(src, out)
    # 4 s of digital silence before and 5 s after: kept are 0.25 s lead and 0.5 s tail.
    assert result.start_s == pytest.approx(4.0 - 0.25, abs=0.15)
    assert result.duration == pytest.approx(10.0 + 0.75, abs=0.3)
    dur = float(ffprobe(out)["format"]["duration"])
    assert dur == pytest.approx(result.duration, abs=0.1)
    # No speech lost: the trimmed output holds as much speech energy as the padded input.
    untrimmed = tmp_path / "untrimmed.mp3"
    normalise(src, untrimmed, NormaliseOptions(trim_silence=False))
    assert float(ffprobe(untrimmed)["format"]["duration"]) == pytest.approx(19.0, abs=0.1)
    assert ebur128(out)[0] == pytest.approx(ebur128(untrimmed)[0], abs=0.2)


def test_limiter_output_never_exceeds_ceiling_between_samples():
    rate = 44100
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((rate * 3, 2)) * 0.05).astype(np.float32)
    x[rate : rate + 50] *= 40  # a burst well over full scale
    limiter = Limiter(rate, 2, ceiling_db=-1.0)
    out = [limiter.process(x[i : i + 7000]) for i in range(0, len(x), 7000)]
    out.append(limiter.flush())
    y = np.concatenate(out)
    assert y.shape == x.shape  # delay-compensated: every frame comes out, once
    meter = LoudnessMeter(rate, 2)
    meter.feed(y)
    assert meter.result().true_peak <= -1.0 + 0.05
    # Away from the bursts the signal passes untouched.
    assert np.allclose(y[: rate // 2], x[: rate // 2])
    assert limiter.max_reduction_db > 10


@pytest.mark.parametrize(
    "case,message",
    [
        ("empty", "is empty (0 bytes)"),
        ("text", "not a readable audio file"),
        ("truncated", "is truncated"),
        ("silent", "is silent"),
        ("short", "is too short (0.50 s)"),
        ("video-no-audio", "has no audio track"),
    ],
)
def test_bad_recordings_fail_with_the_reason(tmp_path, case, message):
    path = tmp_path / f"{case}.mp3"
    if case == "empty":
        path.write_bytes(b"")
    elif case == "text":
        path.write_text("this is not audio, just text renamed to .mp3\n" * 20)
    elif case == "truncated":
        ffmpeg("-i", str(SAMPLE), "-t", "30", "-b:a", "64k", str(path))
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 3])
    elif case == "silent":
        ffmpeg("-f", "lavfi", "-i", "anullsrc=r=44100:cl=stereo", "-t", "5", str(path))
    elif case == "short":
        path = tmp_path / "short.wav"
        speech(path, seconds=0.5)
    elif case == "video-no-audio":
        path = tmp_path / "video.mp4"
        ffmpeg("-f", "lavfi", "-i", "color=c=blue:s=64x64:d=2", str(path))
    before = path.read_bytes()
    with pytest.raises(MediaError) as info:
        normalise(path, tmp_path / "out.mp3")
    assert message in str(info.value)
    assert str(info.value).count(str(path)) == 1  # named once, at the start
    assert path.read_bytes() == before
