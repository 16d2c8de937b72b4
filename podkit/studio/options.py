"""The studio's options: the single source of their defaults (podkit.toml ``[studio]``, and a
sidecar's own ``[studio]`` table for one episode).

Everything is off unless a show asks: a show without ``[studio]`` publishes exactly what it
did before the studio existed, so an upgrade redoes no episode. ``podkit init`` writes
``dehum = true`` for a new show, because it is safe: it acts only where it finds mains hum
(narrow notches at the hum's own harmonics; a recording without hum passes untouched). The leveler
and noise reduction change how a recording sounds (dynamics, ambience, music beds), so a
show turns them on; intro, outro and music bed are files the show names.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_CLIP_S = 300.0  # an intro or outro is read whole into memory (pydub): at most 5 minutes
MAX_CROSSFADE_S = 10.0
DENOISE_MODELS = ("spectral", "deepfilternet")  # denoise_model: what reduces the noise


@dataclass(frozen=True)
class StudioOptions:
    leveler: bool = False  # speakers and passages brought to one loudness; multitrack: tracks levelled and gated
    denoise: bool = False  # broadband noise (hiss, fan, room) reduced
    # how: "spectral" (a gain from the recording's own noise print, fast) or "deepfilternet"
    # (DeepFilterNet3, a neural network: fewer words lost to noise, far slower)
    denoise_model: str = "spectral"
    dehum: bool = False  # (podkit init turns it on) mains hum (50 or 60 Hz and harmonics) found and notched out
    intro: str = ""  # a file in the show folder, played before the episode
    outro: str = ""  # and after it
    music_bed: str = ""  # music under the whole episode, ducked under speech
    crossfade_s: float = 0.0  # intro and outro overlap the speech by this much, fading
    # Tuning (not settings): what each step may do at most.
    max_gain_db: float = 12.0  # the leveler's largest boost (and cut)
    reduction_db: float = 18.0  # the most the spectral noise reduction takes off a noise-only bin
    model_limit_db: float = 100.0  # DeepFilterNet's attenuation limit (100: none, its full suppression)
    bed_db: float = -18.0  # the music bed in pauses, under the speech's loudness
    bed_duck_db: float = -30.0  # and under speech

    @property
    def processing(self) -> bool:
        """Whether the recording itself is processed (beyond dehum's look)."""
        return self.leveler or self.denoise

    @property
    def assembles(self) -> bool:
        """Whether the published audio is more than the recording (intro, outro, music bed)."""
        return bool(self.intro or self.outro or self.music_bed)

    def changed(self) -> dict[str, object]:
        """The settings that differ from the defaults (what a fingerprint needs)."""
        base = StudioOptions()
        return {k: v for k, v in vars(self).items() if getattr(base, k) != v}
