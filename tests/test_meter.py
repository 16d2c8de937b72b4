"""podkit's BS.1770-4 meter against the conformance files and known signals."""

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


@pytest.mark.parametrize("rate", [44100, 48000])
def test_full_scale_1k_sine_reads_about_plus_0_7_lufs_in_stereo(rate):
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


def test_silence_is_minus_infinity_and_short_input_has_no_block():
    meter = LoudnessMeter(44100, 1)
    meter.feed(np.zeros((44100 * 2, 1), np.float32))
    assert meter.result().integrated == -math.inf
    short = LoudnessMeter(44100, 1)
    short.feed(_sine(1000, 44100, 0.3, channels=1))
    assert short.result().integrated == -math.inf  # not even one 400 ms block
