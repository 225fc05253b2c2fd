"""Type-ahead search over the nomenclature, with common-language synonyms.

An inverted index over section, chapter, heading and subheading descriptions plus synonyms
(HMRC's curated search terms and a short list of everyday words). Every query word must match
a word of the node (exactly, as a prefix for the word being typed, or within a small edit
distance); nodes are ranked by the IDF of what matched. Digits search by code prefix.

>>> from customhouse.classification.models import NomenclatureNode as N
>>> idx = NomenclatureSearch.build([
...     N("61", "chapter", "Apparel and clothing accessories; knitted or crocheted", "XI", "XI"),
...     N("6109", "heading", "T-shirts, singlets and other vests; knitted", "61", "XI"),
... ], synonyms=[("tee", "6109")])
>>> [h.node.code for h in idx.search("tshirt")]
['6109']
>>> [h.node.code for h in idx.search("knitted app")]
['61']
>>> [h.node.code for h in idx.search("610")]
['6109']
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from customhouse.classification.models import NomenclatureNode, SearchHit
from customhouse.classification.text import normalise

_STOP = frozenset(
    [
        "of",
        "or",
        "and",
        "the",
        "other",
        "than",
        "for",
        "with",
        "in",
        "not",
        "nes",
        "a",
        "an",
        "to",
        "by",
        "their",
        "its",
    ]
)
_LEVEL_ORDER = {"section": 0, "chapter": 1, "heading": 2, "subheading": 3}


def _stem(word: str) -> str:
    """Crude English plural folding: enough for 'shoes'/'shoe', 'boxes'/'box'.

    >>> [_stem(w) for w in ("shoes", "boxes", "glass", "batteries", "tshirts")]
    ['shoe', 'box', 'glass', 'battery', 'tshirt']
    """
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("xes", "ches", "shes", "sses")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _terms(text: str) -> list[str]:
    norm = normalise(text)
    # "t-shirt" and "tshirt" should meet: index joined neighbours of one-letter words too.
    raw = norm.split()
    out = [_stem(w) for w in raw if w not in _STOP and (len(w) > 1 or w.isdigit())]
    out += [_stem(a + b) for a, b in itertools.pairwise(raw) if len(a) == 1 and a.isalpha()]
    return out


@dataclass(frozen=True, slots=True)
class NomenclatureSearch:
    nodes: tuple[NomenclatureNode, ...]
    postings: dict[str, dict[int, float]]  # term -> node index -> field weight
    vocabulary: tuple[str, ...]  # sorted, for prefix look-up
    idf: dict[str, float]
    codes: tuple[str, ...]  # sorted digit codes, for code-prefix look-up
    code_index: dict[str, int]

    @classmethod
    def build(
        cls, nodes: Sequence[NomenclatureNode], synonyms: Iterable[tuple[str, str]] = ()
    ) -> NomenclatureSearch:
        """Index ``nodes``; ``synonyms`` are (everyday term, code) pairs, attached to that node."""
        nodes = tuple(nodes)
        index = {n.code: i for i, n in enumerate(nodes)}
        postings: dict[str, dict[int, float]] = defaultdict(dict)
        for i, n in enumerate(nodes):
            for t in _terms(n.description):
                postings[t][i] = 1.0
        for term, code in synonyms:
            node = next((index[c] for c in (code[:6], code[:4], code[:2]) if c in index), None)
            if node is None:
                continue
            for t in _terms(term):
                postings[t].setdefault(node, 0.9)
        n_docs = len(nodes) or 1
        idf = {t: math.log(1 + n_docs / len(p)) for t, p in postings.items()}
        codes = tuple(sorted(n.code for n in nodes if n.code.isdigit()))
        return cls(nodes, dict(postings), tuple(sorted(postings)), idf, codes, index)

    def _expand(self, term: str, prefix: bool) -> dict[str, float]:
        """Index terms matching ``term`` with a match quality in (0, 1]."""
        found: dict[str, float] = {}
        if term in self.postings:
            found[term] = 1.0
        if prefix and len(term) >= 2:
            i = bisect.bisect_left(self.vocabulary, term)
            while i < len(self.vocabulary) and self.vocabulary[i].startswith(term):
                found.setdefault(self.vocabulary[i], 0.8)
                i += 1
                if len(found) > 200:
                    break
        if not found and len(term) >= 4:
            for cand, sim, _ in process.extract(
                term, self.vocabulary, scorer=fuzz.ratio, limit=5, score_cutoff=80
            ):
                found.setdefault(cand, 0.7 * sim / 100)
        return found

    def search(self, query: str, limit: int = 10) -> list[SearchHit]:
        """Best ``limit`` nodes for ``query``; the last word may be incomplete (type-ahead)."""
        digits = "".join(ch for ch in query if ch.isdigit())
        if digits and digits == query.replace(".", "").replace(" ", ""):
            i = bisect.bisect_left(self.codes, digits)
            hits: list[SearchHit] = []
            while i < len(self.codes) and self.codes[i].startswith(digits) and len(hits) < limit:
                hits.append(SearchHit(self.nodes[self.code_index[self.codes[i]]], 1.0, (digits,)))
                i += 1
            return hits
        typed = query.rstrip()
        terms = _terms(typed)
        if not terms:
            return []
        ends_mid_word = bool(typed) and not typed[-1].isspace()
        scores: dict[int, float] = defaultdict(float)
        matched: dict[int, list[str]] = defaultdict(list)
        hit_count: dict[int, int] = defaultdict(int)
        for pos, term in enumerate(dict.fromkeys(terms)):
            last = pos == len(terms) - 1 and ends_mid_word
            best: dict[int, float] = {}
            for t, quality in self._expand(term, prefix=last).items():
                weight = quality * self.idf[t]
                for i, field_weight in self.postings[t].items():
                    if weight * field_weight > best.get(i, 0.0):
                        best[i] = weight * field_weight
            for i, w in best.items():
                scores[i] += w
                hit_count[i] += 1
                matched[i].append(term)
        wanted = len(dict.fromkeys(terms))
        full = [i for i in scores if hit_count[i] == wanted] or list(scores)
        ranked = sorted(
            full,
            key=lambda i: (-scores[i], _LEVEL_ORDER[self.nodes[i].level], self.nodes[i].code),
        )
        return [SearchHit(self.nodes[i], scores[i], tuple(matched[i])) for i in ranked[:limit]]
