"""Sentence embeddings are optional: off by default, the engine unchanged without them, the
blend exercised with a stand-in embedder, and MiniLM itself checked only when the extra is
installed."""

from __future__ import annotations

import pickle
from collections.abc import Sequence

import numpy as np
import pytest

from customhouse.classification import embeddings, engine, loaders, service
from customhouse.classification.engine import ModelConfig, SuggestionModel
from customhouse.classification.models import LabelledText


def test_off_is_the_default_and_needs_nothing() -> None:
    from customhouse.settings import Settings

    assert Settings().classification_embeddings == "off"
    assert service.use_embeddings("off") is False


def test_without_the_extra_auto_falls_back_and_on_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embeddings, "available", lambda: False)
    assert service.use_embeddings("auto") is False
    with pytest.raises(ModuleNotFoundError, match="embeddings extra"):
        service.use_embeddings("on")


def test_the_cli_says_the_extra_is_missing_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from typer.testing import CliRunner

    from customhouse.cli.main import app
    from customhouse.settings import Settings

    monkeypatch.setattr(embeddings, "available", lambda: False)
    on = Settings(classification_embeddings="on")
    monkeypatch.setattr("customhouse.settings.get_settings", lambda: on)
    out = CliRunner().invoke(app, ["classify", "suggest", "cotton t-shirt"])
    assert out.exit_code == 2
    assert "classification.embeddings_missing" in out.output
    assert "Traceback" not in out.output


def test_cache_key_says_whether_embeddings_were_used() -> None:
    config = ModelConfig()
    assert service._digest(loaders.DATA_DIR, (), config, False) != service._digest(
        loaders.DATA_DIR, (), config, True
    )


def test_a_model_without_embeddings_never_touches_them(
    model: SuggestionModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("embeddings used by a model trained without them")

    monkeypatch.setattr(engine, "_query_embedder", refuse)
    monkeypatch.setattr(SuggestionModel, "_blend", refuse)
    assert not model.uses_embeddings
    assert model.suggest("a previously unseen text: mens wool socks").codes


class _KeywordEmbedder:
    """Stand-in for MiniLM: texts sharing a listed keyword get the same direction."""

    KEYWORDS = ("lipstick", "widget", "handbag", "shirt")

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), 4), dtype=np.float32)
        for i, t in enumerate(texts):
            for j, k in enumerate(self.KEYWORDS):
                if k in t:
                    # "widget" is this stand-in's synonym for lipstick.
                    out[i, 0 if k == "widget" else j] = 1.0
            if not out[i].any():
                out[i, 3] = 0.1
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def test_blend_with_a_stand_in_embedder(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [
        LabelledText("red lipstick", "330410", loaders.FPO_PARCEL),
        LabelledText("leather handbag", "420221", loaders.FPO_PARCEL),
        LabelledText("cotton shirt", "610910", loaders.FPO_PARCEL),
    ]
    embedder = _KeywordEmbedder()
    monkeypatch.setattr(engine, "_query_embedder", lambda: embedder)
    nodes = [n for n in loaders.nomenclature_nodes() if n.code[:2] in {"33", "42", "61"}]
    config = ModelConfig(chapter_epochs=2)
    plain = SuggestionModel.train(texts, nodes, loaders.vague_lists(), config=config)
    blended = SuggestionModel.train(
        texts, nodes, loaders.vague_lists(), config=config, embedder=embedder
    )
    assert blended.uses_embeddings and not plain.uses_embeddings
    # The n-grams know no widget; the embedder reads it as lipstick.
    dist = blended.distribution("pink widget")
    assert abs(sum(dist.values()) - 1) < 1e-9
    assert dist.get("330410", 0) > plain.distribution("pink widget").get("330410", 0)
    assert blended.suggest("pink widget").codes[0] == "330410"
    again = pickle.loads(pickle.dumps(blended))
    assert again.uses_embeddings
    assert again.distribution("pink widget") == pytest.approx(dist)


def test_minilm_gives_the_sentence_transformers_vector() -> None:
    pytest.importorskip(embeddings.WEIGHTS_PACKAGE)
    m = embeddings.load()
    v = m.encode(["mens cotton t shirt", "cotton tee shirt for men", "car battery 12v"])
    assert v.shape == (3, embeddings.DIMENSION)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    # The first values of sentence-transformers' own vector for the first text.
    expected = [-0.03258928, 0.06123275, -0.05502549, -0.01327734]
    assert np.allclose(v[0, :4], expected, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2]


def test_encoder_remembers_vectors_on_disk(tmp_path: object) -> None:
    pytest.importorskip(embeddings.WEIGHTS_PACKAGE)
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    first = embeddings.Encoder(tmp_path).encode(["wool socks", "silk scarf"])
    again = embeddings.Encoder(tmp_path)
    assert set(again._known) == {"wool socks", "silk scarf"}
    assert np.array_equal(again.encode(["silk scarf"]), first[1:])
