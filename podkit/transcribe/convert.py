"""Convert a CTranslate2 Whisper model (model.bin) into an openai-whisper checkpoint.

CTranslate2's model.bin (binary version 6, see CTranslate2's specs/model_spec.py) is:
``uint32 version, str name, uint32 revision, uint32 n_vars, n_vars x (str name, uint8 rank,
uint32 dims[rank], uint8 dtype, uint32 n_bytes, bytes), uint32 n_aliases, (str, str)...``
where ``str`` is ``uint16 length`` (with the trailing NUL) + UTF-8 + NUL. Its Whisper
variables map one to one onto openai-whisper's state dict: q/k/v projections are fused row
blocks, the key projection has no bias (zeros in openai-whisper), layer norms are gamma/beta.
"""

from __future__ import annotations

import io
import struct
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError

_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}


@dataclass(frozen=True)
class Dims:
    """openai-whisper's ModelDimensions, derived from the tensors themselves."""

    n_mels: int
    n_audio_ctx: int
    n_audio_state: int
    n_audio_head: int
    n_audio_layer: int
    n_vocab: int
    n_text_ctx: int
    n_text_state: int
    n_text_head: int
    n_text_layer: int


def read_ct2(path: Path) -> dict[str, np.ndarray]:
    """Every variable (and alias) of a CTranslate2 model.bin, as numpy arrays."""
    data = Path(path).read_bytes()
    buf = io.BytesIO(data)

    def u(fmt: str) -> tuple[Any, ...]:
        size = struct.calcsize(fmt)
        return struct.unpack("<" + fmt, buf.read(size))

    def string() -> str:
        (n,) = u("H")
        return buf.read(n)[:-1].decode("utf-8")

    (version,) = u("I")
    if version < 5:
        raise ConfigError(f"CTranslate2 model format {version} is too old; convert it again", path=path)
    spec = string()
    u("I")  # revision
    if spec != "WhisperSpec":
        raise ConfigError(f"is a {spec} model, not Whisper", path=path)
    (count,) = u("I")
    variables: dict[str, np.ndarray] = {}
    for _ in range(count):
        name = string()
        (rank,) = u("B")
        dims = u("I" * rank) if rank else ()
        (dtype_id,) = u("B")
        (nbytes,) = u("I")
        raw = buf.read(nbytes)
        if dtype_id not in _DTYPES:
            raise ConfigError(f"variable {name} has an unsupported type ({dtype_id}); use a float model", path=path)
        variables[name] = np.frombuffer(raw, dtype=_DTYPES[dtype_id]).reshape(dims)
    (aliases,) = u("I")
    for _ in range(aliases):
        alias, target = string(), string()
        variables[alias] = variables[target]
    if any(v.dtype == np.int8 for k, v in variables.items() if k.endswith("/weight")):
        raise ConfigError("is quantized to int8; openai-whisper needs a float16 or float32 model", path=path)
    return variables


def _layers(ct2: dict[str, np.ndarray], prefix: str) -> int:
    return len({k.split("/")[1] for k in ct2 if k.startswith(prefix + "/layer_") and k.split("/")[1][6:].isdigit()})


def dims_of(ct2: dict[str, np.ndarray]) -> Dims:
    return Dims(
        n_mels=int(ct2["encoder/conv1/weight"].shape[1]),
        n_audio_ctx=int(ct2["encoder/position_encodings/encodings"].shape[0]),
        n_audio_state=int(ct2["encoder/conv1/weight"].shape[0]),
        n_audio_head=int(ct2["encoder/num_heads"]),
        n_audio_layer=_layers(ct2, "encoder"),
        n_vocab=int(ct2["decoder/embeddings/weight"].shape[0]),
        n_text_ctx=int(ct2["decoder/position_encodings/encodings"].shape[0]),
        n_text_state=int(ct2["decoder/embeddings/weight"].shape[1]),
        n_text_head=int(ct2["decoder/num_heads"]),
        n_text_layer=_layers(ct2, "decoder"),
    )


def _linear(out: dict[str, np.ndarray], dst: str, ct2: dict[str, np.ndarray], src: str, *, bias: bool = True) -> None:
    out[f"{dst}.weight"] = ct2[f"{src}/weight"]
    if bias:
        out[f"{dst}.bias"] = ct2[f"{src}/bias"]


def _norm(out: dict[str, np.ndarray], dst: str, ct2: dict[str, np.ndarray], src: str) -> None:
    out[f"{dst}.weight"] = ct2[f"{src}/gamma"]
    out[f"{dst}.bias"] = ct2[f"{src}/beta"]


def _split(out: dict[str, np.ndarray], dsts: list[str], ct2: dict[str, np.ndarray], src: str, key_index: int) -> None:
    """A fused projection (rows q|k|v or k|v) into openai-whisper's separate ones."""
    weights = np.split(ct2[f"{src}/weight"], len(dsts))
    biases = np.split(ct2[f"{src}/bias"], len(dsts))
    for i, dst in enumerate(dsts):
        out[f"{dst}.weight"] = weights[i]
        if i != key_index:  # openai-whisper's key projection has no bias
            out[f"{dst}.bias"] = biases[i]


def _block(out: dict[str, np.ndarray], ct2: dict[str, np.ndarray], src: str, dst: str) -> None:
    """What encoder and decoder layers share: fused q/k/v self-attention and the MLP."""
    _split(
        out,
        [f"{dst}.attn.query", f"{dst}.attn.key", f"{dst}.attn.value"],
        ct2,
        f"{src}/self_attention/linear_0",
        key_index=1,
    )
    _linear(out, f"{dst}.attn.out", ct2, f"{src}/self_attention/linear_1")
    _norm(out, f"{dst}.attn_ln", ct2, f"{src}/self_attention/layer_norm")
    _linear(out, f"{dst}.mlp.0", ct2, f"{src}/ffn/linear_0")
    _linear(out, f"{dst}.mlp.2", ct2, f"{src}/ffn/linear_1")
    _norm(out, f"{dst}.mlp_ln", ct2, f"{src}/ffn/layer_norm")


def to_openai_state(ct2: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """openai-whisper state dict (numpy) from CTranslate2 variables."""
    out: dict[str, np.ndarray] = {}
    d = dims_of(ct2)
    out["encoder.positional_embedding"] = ct2["encoder/position_encodings/encodings"]
    for conv in ("conv1", "conv2"):
        _linear(out, f"encoder.{conv}", ct2, f"encoder/{conv}")
    for i in range(d.n_audio_layer):
        _block(out, ct2, f"encoder/layer_{i}", f"encoder.blocks.{i}")
    _norm(out, "encoder.ln_post", ct2, "encoder/layer_norm")
    out["decoder.positional_embedding"] = ct2["decoder/position_encodings/encodings"]
    out["decoder.token_embedding.weight"] = ct2["decoder/embeddings/weight"]
    for i in range(d.n_text_layer):
        src, dst = f"decoder/layer_{i}", f"decoder.blocks.{i}"
        _block(out, ct2, src, dst)
        _linear(out, f"{dst}.cross_attn.query", ct2, f"{src}/attention/linear_0")
        _split(out, [f"{dst}.cross_attn.key", f"{dst}.cross_attn.value"], ct2, f"{src}/attention/linear_1", key_index=0)
        _linear(out, f"{dst}.cross_attn.out", ct2, f"{src}/attention/linear_2")
        _norm(out, f"{dst}.cross_attn_ln", ct2, f"{src}/attention/layer_norm")
    _norm(out, "decoder.ln", ct2, "decoder/layer_norm")
    return out


def convert(model_dir: Path, out: Path) -> Path:
    """Write ``out``: an openai-whisper checkpoint of the CTranslate2 model in ``model_dir``."""
    import torch

    from ..fsutil import atomic_path

    ct2 = read_ct2(Path(model_dir) / "model.bin")
    state = {k: torch.from_numpy(np.array(v)) for k, v in to_openai_state(ct2).items()}
    checkpoint = {"dims": asdict(dims_of(ct2)), "model_state_dict": state}
    with atomic_path(out) as tmp:
        torch.save(checkpoint, tmp)
    return out
