"""podkit's BS.1770-4 meter against EBU Tech 3341 signals made here, known signals, and the
conformance files of the team's shared data (extras)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from podkit.normalise.meter import LoudnessMeter, measure_file

from .conftest import shared

CONFORMANCE = [
    ("1770-2_Comp_AbsGateTest.wav", -69.5),
    ("1770-2_Comp_RelGateTest.wav", -10.0),
    ("sine_1000.wav", -3.0523),
]


@pytest.mark.parametrize("name,expected", CONFORMANCE)
def test_conformance_files_within_a_tenth_of_a_lu(name, expected):
    m = measure_file(shared("loudness", name))
    assert m.integrated == pytest.approx(expected, abs=0.1)


def _sine(freq, rate, seconds, amp=1.0, phase=0.0, channels=2):
    t = np.arange(int(rate * seconds)) / rate
    x = (amp * np.sin(2 * np.pi * freq * t + phase)).astype(np.float32)
    return np.repeat(x[:, None], channels, axis=1)


def _steps(rate, levels, freq=1000.0, channels=2):
    """A continuous sine whose peak level steps through ``levels``: (dBFS, seconds) each."""
    counts = [round(seconds * rate) for _, seconds in levels]
    amp = np.repeat([10 ** (db / 20) for db, _ in levels], counts)
    t = np.arange(len(amp)) / rate
    x = (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return np.repeat(x[:, None], channels, axis=1)


def _measure(x, rate, *, true_peak=True, chunk=12_347):
    """Streamed as a decoder would, in chunks that do not line up with the 100 ms sub-blocks."""
    meter = LoudnessMeter(rate, x.shape[1], true_peak=true_peak)
    for i in range(0, len(x), chunk):
        meter.feed(x[i : i + chunk])
    return meter.result()


# EBU Tech 3341 ("EBU Mode" meters), cases 1-5: a 1 kHz sine in both channels, its peak level
# in dBFS for so many seconds, and the integrated loudness a meter must read, +-0.1 LU.
EBU_LOUDNESS = {
    "case1": ([(-23.0, 20)], -23.0),
    "case2": ([(-33.0, 20)], -33.0),
    "case3-relative-gate": ([(-36.0, 10), (-23.0, 60), (-36.0, 10)], -23.0),
    "case4-both-gates": ([(-72.0, 10), (-36.0, 10), (-23.0, 60), (-36.0, 10), (-72.0, 10)], -23.0),
    "case5": ([(-26.0, 20), (-20.0, 20.1), (-26.0, 20)], -23.0),
}


@pytest.mark.parametrize("rate", [48000, 44100])
@pytest.mark.parametrize("case", list(EBU_LOUDNESS))
def test_ebu_tech_3341_loudness_cases(case, rate):
    levels, expected = EBU_LOUDNESS[case]
    x = _steps(rate, levels)
    m = _measure(x, rate, true_peak=False)
    assert m.integrated == pytest.approx(expected, abs=0.1)
    assert m.duration == pytest.approx(sum(s for _, s in levels), abs=1e-3)


def test_ebu_gates_do_change_the_result():
    """Cases 3 and 4 pass only because of the gates: without them the quiet parts would pull
    the mean well under -23 (so the cases above could not pass by accident)."""
    rate = 48000
    levels, _ = EBU_LOUDNESS["case4-both-gates"]
    m = _measure(_steps(rate, levels), rate, true_peak=False)
    ungated = -0.691 + 10 * math.log10(float(np.mean(m.levels)))
    assert ungated < -23.0 - 0.8
    assert m.integrated == pytest.approx(-23.0, abs=0.1)


def test_mono_sine_reads_3_db_under_the_same_sine_in_stereo():
    # BS.1770 sums the channels' mean squares (weights 1.0 for left, right or mono). A 1 kHz
    # sine of peak A has mean square A^2 / 2 and K-weighting lifts 1 kHz by ~0.691 dB, which
    # the -0.691 offset cancels: stereo -0.691 + 10 log10(2 * A^2/2 * K^2) = 20 log10 A = -23,
    # mono -0.691 + 10 log10(A^2/2 * K^2) = -23 - 10 log10(2) = -26.01.
    rate = 48000
    mono = _measure(_steps(rate, [(-23.0, 20)], channels=1), rate, true_peak=False)
    stereo = _measure(_steps(rate, [(-23.0, 20)], channels=2), rate, true_peak=False)
    assert mono.integrated == pytest.approx(-23.0 - 10 * math.log10(2), abs=0.1)
    assert stereo.integrated - mono.integrated == pytest.approx(10 * math.log10(2), abs=0.01)


@pytest.mark.parametrize("rate", [44100, 48000])
def test_full_scale_1k_sine_reads_0_lufs_in_stereo(rate):
    # A 0 dBFS 1 kHz sine in both channels: -0.691 + 10 log10(2 * 0.5 * K(1 kHz)^2) ~ 0 LUFS
    meter = LoudnessMeter(rate, 2)
    meter.feed(_sine(997, rate, 5, amp=1.0))
    assert meter.result().integrated == pytest.approx(0.0, abs=0.05)


def test_result_does_not_depend_on_chunk_sizes():
    rng = np.random.default_rng(7)
    x = (rng.standard_normal((44100 * 6, 2)) * 0.1).astype(np.float32)
    whole = LoudnessMeter(44100, 2)
    whole.feed(x)
    pieces = LoudnessMeter(44100, 2)
    i = 0
    for size in rng.integers(1, 30000, size=1000):
        pieces.feed(x[i : i + size])
        i += size
        if i >= len(x):
            break
    a, b = whole.result(), pieces.result()
    assert a.integrated == pytest.approx(b.integrated, abs=1e-4)
    assert a.true_peak == pytest.approx(b.true_peak, abs=1e-4)
    assert len(a.levels) == len(b.levels) == 60


def test_true_peak_finds_the_peak_between_samples():
    # fs/4 sine at 45 degrees: every sample sits at +-0.707 but the waveform reaches 1.0.
    x = _sine(44100 / 4, 44100, 1, amp=1.0, phase=math.pi / 4)
    meter = LoudnessMeter(44100, 2)
    meter.feed(x)
    m = meter.result()
    assert m.sample_peak == pytest.approx(-3.01, abs=0.05)
    assert m.true_peak == pytest.approx(0.0, abs=0.2)


# True peak in the spirit of EBU Tech 3341 cases 15-19 (48 kHz): sines whose samples miss the
# waveform's peak by a known amount; a meter must read the peak level +0.2/-0.4 dB.
# (frequency, rate, phase in degrees, peak level dBFS, dB by which the samples miss the peak)
MISS_FS4_45 = -20 * math.log10(math.sin(math.radians(45)))  # samples at 45, 135, ... degrees: 3.01 dB
MISS_FS6_60 = -20 * math.log10(math.sin(math.radians(60)))  # 60, 120, 180, ...: 1.25 dB
MISS_FS8_67 = -20 * math.log10(math.sin(math.radians(67.5)))  # 67.5, 112.5, ...: 0.69 dB
MISS_5K = -20 * math.log10(math.cos(math.radians(3.75)))  # 5/48 of a cycle a sample: every 7.5 degrees
TRUE_PEAK = {
    "case15-fs/4-0deg": (12000, 48000, 0.0, -6.0, 0.0),
    "case16-fs/4-45deg": (12000, 48000, 45.0, -6.0, MISS_FS4_45),
    "case17-fs/6-60deg": (8000, 48000, 60.0, -6.0, MISS_FS6_60),
    "case18-fs/8-67.5deg": (6000, 48000, 67.5, -6.0, MISS_FS8_67),
    "case19-fs/4-45deg-over-full-scale": (12000, 48000, 45.0, 3.0, MISS_FS4_45),
    "997Hz": (997, 48000, 30.0, -1.0, 0.0),  # no period in whole samples: some sample comes close
    "5kHz": (5000, 48000, 3.75, -6.0, MISS_5K),
    "fs/4-45deg-44.1k": (11025, 44100, 45.0, -6.0, MISS_FS4_45),
    "fs/6-60deg-44.1k": (7350, 44100, 60.0, -6.0, MISS_FS6_60),
}


def _faded_sine(freq, rate, phase_deg, peak_db, seconds=1.0, fade_s=0.05):
    """A stereo sine with 50 ms raised-cosine fades. The fades matter: a sine switched on
    mid-cycle is a step whose band-limited waveform really does overshoot the sine's peak (by
    up to 0.7 dB at fs/8), which a true-peak meter is right to report and these cases are not about."""
    n = round(rate * seconds)
    t = np.arange(n) / rate
    x = 10 ** (peak_db / 20) * np.sin(2 * np.pi * freq * t + math.radians(phase_deg))
    k = round(rate * fade_s)
    ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(k) / k)
    x[:k] *= ramp
    x[n - k :] *= ramp[::-1]
    return np.repeat(x.astype(np.float32)[:, None], 2, axis=1)


@pytest.mark.parametrize("case", list(TRUE_PEAK))
def test_true_peak_of_sines_between_samples(case):
    freq, rate, phase, peak_db, miss_db = TRUE_PEAK[case]
    m = _measure(_faded_sine(freq, rate, phase, peak_db), rate)
    assert m.sample_peak == pytest.approx(peak_db - miss_db, abs=0.01)  # the case is what it says
    assert peak_db - 0.4 <= m.true_peak <= peak_db + 0.2, f"{m.true_peak:.3f} dBTP for a {peak_db} dB peak"


def test_true_peak_is_the_loudest_part_of_a_long_programme():
    """EBU case 5's signal, streamed in chunks: true peak follows the -20 dBFS middle part."""
    rate = 48000
    levels, _ = EBU_LOUDNESS["case5"]
    m = _measure(_steps(rate, levels), rate)
    assert -20.4 <= m.true_peak <= -19.8
    assert m.integrated == pytest.approx(-23.0, abs=0.1)


def test_silence_is_minus_infinity_and_short_input_has_no_block():
    meter = LoudnessMeter(44100, 1)
    meter.feed(np.zeros((44100 * 2, 1), np.float32))
    assert meter.result().integrated == -math.inf
    short = LoudnessMeter(44100, 1)
    short.feed(_sine(1000, 44100, 0.3, channels=1))
    assert short.result().integrated == -math.inf  # not even one 400 ms block
