"""Links between declarations and cases through shared parties, addresses, containers and
means of transport (networkx).

>>> g = link_graph({1: {"parties": {"declarant": {"eori": "GB1", "name": "A"}},
...                     "transport": {"containers": ["MSCU1"]}},
...                 2: {"parties": {"declarant": {"eori": "GB2", "name": "B"}},
...                     "transport": {"containers": ["MSCU1"]}},
...                 3: {"parties": {"declarant": {"eori": "GB3", "name": "C"}}}})
>>> linked(g, 1)
[{'declaration': 2, 'via': ['container:MSCU1']}]
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import networkx as nx


def _keys(doc: Mapping[str, Any]) -> Iterator[str]:
    for p in (doc.get("parties") or {}).values():
        if not isinstance(p, dict):
            continue
        if p.get("eori"):
            yield f"party:{p['eori']}"
        a = p.get("address") or {}
        if a.get("street") and a.get("city"):
            yield f"address:{a['street'].strip().lower()}|{a['city'].strip().lower()}"
    t = doc.get("transport") or {}
    for c in t.get("containers", []):
        yield f"container:{c}"
    if t.get("means_identity"):
        yield f"transport:{t['means_identity'].strip().upper()}"


def link_graph(documents: Mapping[int, Mapping[str, Any]]) -> nx.Graph:
    """A bipartite graph: declaration nodes joined to the attribute nodes they carry."""
    g = nx.Graph()
    for did, doc in documents.items():
        g.add_node(("declaration", did))
        for key in _keys(doc):
            g.add_edge(("declaration", did), ("key", key))
    return g


def linked(g: nx.Graph, declaration_id: int) -> list[dict[str, Any]]:
    """Declarations that share at least one attribute with this one, and through what."""
    start = ("declaration", declaration_id)
    if start not in g:
        return []
    via: dict[int, list[str]] = {}
    for key in g.neighbors(start):
        for other in g.neighbors(key):
            if other != start:
                via.setdefault(int(other[1]), []).append(str(key[1]))
    return [{"declaration": d, "via": sorted(v)} for d, v in sorted(via.items())]
