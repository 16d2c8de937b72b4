"""Benchmark media, built once into bench/.cache from real speech (never committed).

The speech: the LibriVox clips of Debian's pocketsphinx-testdata, JFK's inaugural line from
../shared/data/speech (when present) and the sample show's own recording, looped.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")
JFK = ROOT.parent / "shared" / "data" / "speech" / "jfk.flac"
SAMPLE = ROOT / "audio" / "2026-11-20-weekly-roundup.mp3"


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


def speech_base() -> Path:
    """A few minutes of real speech, stereo 44.1 kHz 16-bit WAV."""
    out = CACHE / "speech-base.wav"
    if out.exists():
        return out
    CACHE.mkdir(parents=True, exist_ok=True)
    sources = sorted(LIBRIVOX.glob("*.wav")) + ([JFK] if JFK.exists() else []) + [SAMPLE]
    inputs = [arg for src in sources for arg in ("-i", str(src))]
    chains = "".join(f"[{i}:a]aresample=44100,aformat=channel_layouts=stereo[a{i}];" for i in range(len(sources)))
    joined = "".join(f"[a{i}]" for i in range(len(sources)))
    _ffmpeg(
        *inputs,
        "-filter_complex",
        f"{chains}{joined}concat=n={len(sources)}:v=0:a=1[out]",
        "-map",
        "[out]",
        "-c:a",
        "pcm_s16le",
        str(out),
    )
    return out


def long_speech_mp3(minutes: int = 22) -> Path:
    out = CACHE / f"speech-{minutes}min.mp3"
    if not out.exists():
        _ffmpeg(
            "-stream_loop",
            "-1",
            "-i",
            str(speech_base()),
            "-t",
            str(minutes * 60),
            "-c:a",
            "libmp3lame",
            "-b:a",
            "128k",
            str(out),
        )
    return out


def long_speech_wav(minutes: int = 120) -> Path:
    out = CACHE / f"speech-{minutes}min.wav"
    if not out.exists():
        _ffmpeg("-stream_loop", "-1", "-i", str(speech_base()), "-t", str(minutes * 60), "-c:a", "pcm_s16le", str(out))
    return out
