"""The low-rank softmax over codes, and its blend with the n-gram scores."""

from __future__ import annotations

import pickle

import pytest
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.preprocessing import normalize

from customhouse.classification import loaders, service
from customhouse.classification.engine import ModelConfig, SuggestionModel
from customhouse.classification.models import LabelledText
from customhouse.classification.softmax import LowRankSoftmax


def test_the_word_that_tells_codes_apart_outweighs_an_unseen_brand() -> None:
    texts = [
        f"{brand} {goods}"
        for brand in ("acme", "bolt", "cove", "dune")
        for goods in ("rose serum", "rose shampoo")
    ]
    labels = ["330499" if t.endswith("serum") else "330510" for t in texts]
    vec = CountVectorizer()
    x = normalize(vec.fit_transform(texts)).tocsr()
    m = LowRankSoftmax.fit(x, labels, dim=8, epochs=60, rate=0.3, batch=4)
    # "acme" and "rose" say nothing; "serum" says 3304.
    q = normalize(vec.transform(["acme rose serum", "cove shampoo"])).tocsr()
    assert [max(p, key=p.__getitem__) for p in m.top(q, 2)] == ["330499", "330510"]
    p = m.probabilities(q)
    assert p.shape == (2, 2)
    assert p.sum(axis=1) == pytest.approx([1.0, 1.0])


def test_weights_tip_a_contested_text() -> None:
    x = normalize(CountVectorizer().fit_transform(["wool hat", "wool hat"])).tocsr()
    heavy_first = LowRankSoftmax.fit(x, ["650500", "611700"], [4.0, 1.0], dim=4, epochs=30)
    heavy_second = LowRankSoftmax.fit(x, ["650500", "611700"], [1.0, 4.0], dim=4, epochs=30)
    assert max(heavy_first.top(x[:1], 2)[0].items(), key=lambda kv: kv[1])[0] == "650500"
    assert max(heavy_second.top(x[:1], 2)[0].items(), key=lambda kv: kv[1])[0] == "611700"


def test_the_engine_blends_softmax_probabilities_into_the_shares() -> None:
    texts = [
        LabelledText("red lipstick", "330410", loaders.FPO_PARCEL),
        LabelledText("matte lipstick", "330410", loaders.FPO_PARCEL),
        LabelledText("anti dandruff shampoo", "330510", loaders.FPO_PARCEL),
        LabelledText("leather handbag", "420221", loaders.FPO_PARCEL),
        LabelledText("cotton shirt", "610910", loaders.FPO_PARCEL),
    ]
    nodes = [n for n in loaders.nomenclature_nodes() if n.code[:2] in {"33", "42", "61"}]
    vague = loaders.vague_lists()
    config = ModelConfig(chapter_epochs=2, softmax_epochs=20)
    plain = SuggestionModel.train(
        texts, nodes, vague, config=ModelConfig(chapter_epochs=2, softmax_weight=0.0)
    )
    blended = SuggestionModel.train(texts, nodes, vague, config=config)
    assert blended.uses_softmax and not plain.uses_softmax
    text = "red lipstick shampoo"
    ngrams, both = plain.distribution(text), blended.distribution(text)
    assert sum(both.values()) == pytest.approx(1.0)
    # What the softmax added to each code: never negative, at most its weight in all.
    added = {c: both[c] - (1 - config.softmax_weight) * ngrams.get(c, 0.0) for c in both}
    assert min(added.values()) >= -1e-9
    assert 0.5 * config.softmax_weight < sum(added.values()) <= config.softmax_weight + 1e-9
    assert added["330410"] > added["420221"]
    again = pickle.loads(pickle.dumps(blended))
    assert again.distribution(text) == pytest.approx(both)


def test_no_resemblance_is_not_made_up_by_the_softmax(model: SuggestionModel) -> None:
    # With no n-gram match the softmax alone would answer from its biases: the scores stay
    # empty, and the suggestion abstains.
    assert model.uses_softmax
    assert model._with_softmax({}, {"330499": 0.9}) == {}
    blended = model._with_softmax({"330499": 3.0, "330410": 1.0}, {"330410": 0.5})
    w = model.config.softmax_weight
    assert blended == pytest.approx({"330499": (1 - w) * 0.75, "330410": (1 - w) * 0.25 + w * 0.5})


def test_cache_key_follows_the_softmax_settings() -> None:
    on, off = ModelConfig(), ModelConfig(softmax_weight=0.0)
    assert service._digest(loaders.DATA_DIR, (), on, False) != service._digest(
        loaders.DATA_DIR, (), off, False
    )
