"""The normalise stage's options: the single source of its defaults (podkit.toml [normalise])."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NormaliseOptions:
    target_stereo: float = -16.0  # LUFS
    target_mono: float = -19.0  # LUFS
    true_peak: float = -1.0  # dBTP ceiling
    bitrate_stereo: int = 128  # kbit/s
    bitrate_mono: int = 64  # kbit/s
    sample_rate: int = 44100
    trim_silence: bool = True
    silence_below: float = 40.0  # LU under the integrated loudness that counts as silence
    lead_s: float = 0.25  # silence kept before the first sound
    tail_s: float = 0.5  # silence kept after the last sound
    codec_headroom: float = 0.5  # dB the limiter keeps below the ceiling: MP3 coding adds peaks
    verify_margin: float = 2.0  # dB: measure the MP3 when its peak may come this close
    max_passes: int = 3

    def target_for(self, channels: int) -> float:
        return self.target_mono if channels == 1 else self.target_stereo

    def bitrate_for(self, channels: int) -> int:
        return self.bitrate_mono if channels == 1 else self.bitrate_stereo
