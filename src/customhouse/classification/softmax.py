"""A discriminative code model: a low-rank softmax over the n-gram features (fastText-like).

Every n-gram feature gets a small dense vector; a text is the TF-IDF-weighted sum of its
features' vectors, and one linear layer with a softmax over HS6 codes reads it. Trained with
Adagrad on mini-batches, numpy and scipy only, in well under a minute. Unlike the nearest
neighbours, it learns which n-grams tell codes apart ("serum", "lip", "dog food"), so an unseen
brand's product words still count; the engine blends its probabilities with the neighbour votes.

>>> import scipy.sparse as sp
>>> x = sp.csr_matrix(np.eye(4, dtype=np.float32))
>>> m = LowRankSoftmax.fit(x, ["a", "a", "b", "b"], epochs=40, dim=4, rate=0.5, batch=2)
>>> [max(p, key=p.get) for p in m.top(x, 2)]
['a', 'a', 'b', 'b']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]


@dataclass(frozen=True, slots=True)
class LowRankSoftmax:
    """Feature vectors ``embed`` (features x dim), output layer ``out`` (dim x codes) and bias."""

    codes: tuple[str, ...]
    embed: np.ndarray
    out: np.ndarray
    bias: np.ndarray

    @classmethod
    def fit(
        cls,
        x: sp.csr_matrix,
        labels: Sequence[str],
        weights: Sequence[float] | np.ndarray | None = None,
        *,
        dim: int = 64,
        epochs: int = 5,
        rate: float = 0.2,
        batch: int = 256,
        seed: int = 0,
    ) -> LowRankSoftmax:
        """Minimise the ``weights``-weighted cross-entropy of ``labels`` given rows of ``x``."""
        rng = np.random.default_rng(seed)
        codes = tuple(sorted(set(labels)))
        index = {c: i for i, c in enumerate(codes)}
        y = np.array([index[c] for c in labels])
        n, features = x.shape
        w = np.ones(n, np.float32) if weights is None else np.asarray(weights, np.float32)
        x = sp.csr_matrix(x, dtype=np.float32)
        embed = rng.uniform(-1 / dim, 1 / dim, (features, dim)).astype(np.float32)
        out = np.zeros((dim, len(codes)), np.float32)
        bias = np.zeros(len(codes), np.float32)
        # Adagrad accumulators: one per feature row (rows are touched sparsely), full for the rest.
        g_embed = np.full(features, 1e-8, np.float32)
        g_out = np.full(out.shape, 1e-8, np.float32)
        g_bias = np.full(bias.shape, 1e-8, np.float32)
        for _ in range(epochs):
            order = rng.permutation(n)
            for start in range(0, n, batch):
                rows = order[start : start + batch]
                xb = x[rows]
                h = np.asarray(xb @ embed)
                grad = _softmax(h @ out + bias)
                grad[np.arange(len(rows)), y[rows]] -= 1
                grad *= w[rows, None] / len(rows)
                d_out, d_bias, d_h = h.T @ grad, grad.sum(0), grad @ out.T
                touched = np.unique(xb.indices)
                d_embed = np.asarray(xb.T.tocsr()[touched] @ d_h)
                g_out += d_out * d_out
                g_bias += d_bias * d_bias
                g_embed[touched] += (d_embed * d_embed).mean(1)
                out -= rate * d_out / np.sqrt(g_out)
                bias -= rate * d_bias / np.sqrt(g_bias)
                embed[touched] -= rate * d_embed / np.sqrt(g_embed[touched])[:, None]
        return cls(codes, embed, out, bias)

    def probabilities(self, q: sp.csr_matrix) -> np.ndarray:
        """Rows of P(code | text) for rows of ``q`` (the same features as in training)."""
        return _softmax(
            np.asarray(sp.csr_matrix(q, dtype=np.float32) @ self.embed) @ self.out + self.bias
        )

    def top(self, q: sp.csr_matrix, k: int) -> list[dict[str, float]]:
        """The ``k`` most likely codes of each row of ``q`` with their probabilities."""
        p = self.probabilities(q)
        k = min(k, p.shape[1])
        best = np.argpartition(-p, k - 1, axis=1)[:, :k]
        return [{self.codes[j]: float(row[j]) for j in js} for row, js in zip(p, best, strict=True)]


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z
