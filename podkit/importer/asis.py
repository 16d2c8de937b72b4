"""Imported audio published as it is: it was mastered where it was first published.

The normalise stage calls this for an imported episode (its sidecar has ``imported_from``)
unless the show asks for normalisation (``[import] normalise = true``). The recording is
checked and measured as any other (empty, unreadable, truncated, silent and too-short files
fail with the same reasons), then an MP3 is copied byte for byte (the tag stage replaces its
ID3 tag) and anything else is encoded at the show's bitrate with no gain, no limiter and no
trim. The record says what was measured, with no gain, so status and the feed read it as
they read any other.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ..config import ShowConfig, Sidecar
from ..ffmpeg import probe, run
from ..normalise.options import NormaliseOptions
from ..normalise.process import analyse
from ..records import NormaliseResult, Progress

NOTE = "imported: published as it is, without a loudness change ([import] normalise = true normalises it)"


def as_is(show: ShowConfig, sidecar: Sidecar, multitrack: bool = False) -> bool:
    """Whether an episode's audio is published as it is."""
    return sidecar.imported and not show.import_.normalise and not multitrack


def publish_as_is(
    src: Path, out: Path, options: NormaliseOptions, *, progress: Progress | None = None
) -> NormaliseResult:
    """``src`` into the MP3 ``out`` (a temporary path the caller renames) without a change
    of loudness."""
    channels, m = analyse(src, options, progress)
    info = probe(src)
    copied = info.codec == "mp3" and "mp3" in info.format.split(",")
    if copied:
        shutil.copyfile(src, out)
    else:
        bitrate = options.bitrate_for(channels)
        args = ["-nostdin", "-v", "error", "-y", "-i", str(src), "-map", "0:a:0", "-vn", "-map_metadata", "-1"]
        args += ["-ac", str(channels), "-ar", str(options.sample_rate), "-c:a", "libmp3lame", "-b:a", f"{bitrate}k"]
        run("ffmpeg", [*args, "-f", "mp3", str(out)], path=src)
    return NormaliseResult(
        channels=channels,
        input_loudness=m.integrated,
        input_true_peak=m.true_peak,
        target=m.integrated,
        gain_db=0.0,
        start_s=0.0,
        end_s=m.duration,
        duration=m.duration,
        limited=False,
        max_reduction_db=0.0,
        output_loudness=m.integrated,
        output_true_peak=m.true_peak,
        verified=copied,  # the same bytes: what was measured is what is published
        notes=(NOTE,),
    )
