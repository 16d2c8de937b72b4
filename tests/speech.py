"""Third-party speech with reference transcripts that every checkout has: the LibriVox clips of
Debian's pocketsphinx-testdata (``make test`` installs it, like ffmpeg), and recordings built
from them with ffmpeg (speakers on separate tracks or channels). Plus WER, the measure every
transcript is compared to its reference with."""

from __future__ import annotations

import re
import wave
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import ffmpeg

LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")
RATE = 16000  # the clips' own rate


@dataclass(frozen=True)
class Clip:
    name: str  # the file id in ``transcription``, e.g. sense_and_sensibility_01_austen_64kb-0870
    path: Path
    reference: str  # lower case, no punctuation, as the reference file has it

    @property
    def words(self) -> list[str]:
        return self.reference.split()

    @property
    def duration(self) -> float:
        with wave.open(str(self.path)) as w:
            return w.getnframes() / w.getframerate()


def librivox() -> dict[str, Clip]:
    """The five clips by name (sorted), with their references. A checkout without the package
    fails here, loudly: it is a test dependency like ffmpeg, not an optional extra."""
    refs = LIBRIVOX / "transcription"
    if not refs.is_file():
        pytest.fail(f"{LIBRIVOX} is missing: install Debian's pocketsphinx-testdata (make test does it)", pytrace=False)
    clips = {}
    for line in refs.read_text().splitlines():
        m = re.match(r"<s> (.*) </s> \((.*)\)", line.strip())
        if m:
            name = m.group(2)
            clips[name] = Clip(name, LIBRIVOX / f"{name}.wav", m.group(1))
    assert len(clips) == 5 and all(c.path.is_file() for c in clips.values()), sorted(clips)
    return dict(sorted(clips.items()))


def clip(number: str) -> Clip:
    """One clip by the number that ends its name: ``clip("0870")``."""
    (found,) = [c for name, c in librivox().items() if name.endswith(f"-{number}")]
    return found


def track(out: Path, parts: list[tuple[Clip, float]], seconds: float, *, rate: int = RATE) -> Path:
    """A mono recording ``seconds`` long: each clip starts at its second, digital silence elsewhere."""
    inputs: list[str] = []
    chains = []
    for i, (c, at) in enumerate(parts):
        inputs += ["-i", str(c.path)]
        chains.append(f"[{i}:a]aresample={rate},adelay={round(at * 1000)}:all=1,apad=whole_dur={seconds}[p{i}]")
    labels = "".join(f"[p{i}]" for i in range(len(parts)))
    mix = f"{labels}amix=inputs={len(parts)}:normalize=0:duration=longest" if len(parts) > 1 else f"{labels}anull"
    graph = ";".join([*chains, f"{mix},atrim=0:{seconds}[out]"])
    ffmpeg(*inputs, "-filter_complex", graph, "-map", "[out]", "-ac", "1", "-ar", str(rate), str(out))
    return out


def stereo(out: Path, left: Path, right: Path) -> Path:
    """Two mono tracks as the left and right channels of one recording."""
    ffmpeg(
        "-i",
        str(left),
        "-i",
        str(right),
        "-filter_complex",
        "[0:a][1:a]join=inputs=2:channel_layout=stereo[out]",
        "-map",
        "[out]",
        str(out),
    )
    return out


def wer(reference: str | list[str], hypothesis: str | list[str]) -> float:
    """Word error rate after Whisper's English normaliser (numbers, spelling, punctuation).
    ``wer([refs], [hyps])`` scores a corpus at once."""
    import jiwer
    from whisper.normalizers import EnglishTextNormalizer

    norm = EnglishTextNormalizer()
    if isinstance(reference, list) and isinstance(hypothesis, list):
        return jiwer.wer([norm(r) for r in reference], [norm(h) for h in hypothesis])
    assert isinstance(reference, str) and isinstance(hypothesis, str)
    return jiwer.wer(norm(reference), norm(hypothesis))
