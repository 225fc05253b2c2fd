"""Declaration documents for the pipeline steps, parsed once per process.

A stored version of a declaration never changes (an amendment makes a new version), so the
document of (id, version) that one step parsed serves every later step. Intake leaves the JSON
text it has just committed, with the summary made where it was parsed; the first step that
needs the whole document parses it and keeps the parsed model, and the steps that read only the
summary never parse it. Bounded: the least recently used go first, and a miss reads the database.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import Text, select, type_coerce
from sqlalchemy.orm import Session

from customhouse.declarations.models import DeclarationDocument
from customhouse.declarations.summary import DeclarationSummary, summarise
from customhouse.declarations.tables import DeclarationRow
from customhouse.services.context import Context

CACHE_KEY = "declarations.documents"
CAPACITY = 20_000  # a few batches of the pipeline; about 2 KB a document
_CHUNK = 1000  # ids per IN (...) list


Analyses = dict[str, tuple[str, Any]]  # step name -> (basis, result), made at preparation
_Entry = tuple[str | DeclarationDocument, Analyses, DeclarationSummary | None]


class DocumentCache:
    """(declaration id, version) -> parsed document (or its JSON text until first asked), with
    the analyses the preparing worker made of it and its summary (made where it was parsed).

    >>> c = DocumentCache(capacity=1)
    >>> c.remember(1, 1, '{"lrn": "x"}')
    >>> c.remember(2, 1, '{"lrn": "y"}', {"classify": ("model-1", [])})
    >>> (1, 1) in c, (2, 1) in c
    (False, True)
    >>> c.analysis(2, 1, "classify", "model-1"), c.analysis(2, 1, "classify", "model-2")
    ([], None)
    >>> c.summary(1, 1) is None  # not held (or let go): the caller reads the database
    True
    """

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[tuple[int, int], _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def remember(
        self,
        declaration_id: int,
        version: int,
        document: str | DeclarationDocument,
        analyses: Analyses | None = None,
        summary: DeclarationSummary | None = None,
    ) -> None:
        key = (declaration_id, version)
        with self._lock:
            kept = self._entries.get(key)
            self._entries[key] = (
                document,
                analyses or (kept[1] if kept else {}),
                summary or (kept[2] if kept else None),
            )
            self._entries.move_to_end(key)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def get(self, declaration_id: int, version: int) -> DeclarationDocument | None:
        key = (declaration_id, version)
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
        document = found[0]
        if isinstance(document, str):
            document = DeclarationDocument.model_validate_json(document)
            self.remember(declaration_id, version, document)
        return document

    def summary(self, declaration_id: int, version: int) -> DeclarationSummary | None:
        """The summary of a document held here (made from the document if none was given);
        None if the document is not held."""
        found = self._entries.get((declaration_id, version))
        if found is None:
            return None
        if found[2] is not None:
            return found[2]
        document = self.get(declaration_id, version)
        if document is None:  # let go meanwhile
            return None
        made = summarise(document)
        self.remember(declaration_id, version, document, summary=made)
        return made

    def analysis(self, declaration_id: int, version: int, step: str, basis: str) -> Any | None:
        """What ``step`` found at preparation, if it was found on the same ``basis`` (the same
        model, list versions, tariff) as the step would use now; else None."""
        found = self._entries.get((declaration_id, version))
        made = found[1].get(step) if found is not None else None
        return made[1] if made is not None and made[0] == basis else None


def document_cache(ctx: Context) -> DocumentCache:
    cache: DocumentCache = ctx.cached(CACHE_KEY, DocumentCache)
    return cache


def versions_in_states(
    session: Session, ids: Sequence[int], states: Collection[str]
) -> dict[int, int]:
    """id -> current version of those of ``ids`` now in one of ``states``."""
    wanted = sorted(set(states))
    versions: dict[int, int] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        versions.update(
            (row_id, version)
            for row_id, version in session.execute(
                select(DeclarationRow.id, DeclarationRow.version).where(
                    DeclarationRow.id.in_(chunk), DeclarationRow.state.in_(wanted)
                )
            )
        )
    return versions


def summaries_in_states(
    ctx: Context, session: Session, ids: Sequence[int], states: Collection[str]
) -> list[tuple[int, int, DeclarationSummary]]:
    """(id, version, summary) of those of ``ids`` now in one of ``states``, in id order: the
    summaries made at preparation where this process holds them, else from the documents."""
    return summaries_of(ctx, session, versions_in_states(session, ids, states), states)


def summaries_of(
    ctx: Context, session: Session, versions: Mapping[int, int], states: Collection[str]
) -> list[tuple[int, int, DeclarationSummary]]:
    """:func:`documents_of`, as summaries; a document is parsed only where no summary is held."""
    cache = document_cache(ctx)
    found: dict[int, tuple[int, DeclarationSummary]] = {}
    missing: dict[int, int] = {}
    for row_id, version in versions.items():
        summary = cache.summary(row_id, version)
        if summary is None:
            missing[row_id] = version
        else:
            found[row_id] = (version, summary)
    for row_id, version, document in documents_of(ctx, session, missing, states):
        summary = summarise(document)
        cache.remember(row_id, version, document, summary=summary)
        found[row_id] = (version, summary)
    return [(i, v, s) for i, (v, s) in sorted(found.items())]


def documents_of(
    ctx: Context, session: Session, versions: Mapping[int, int], states: Collection[str]
) -> list[tuple[int, int, DeclarationDocument]]:
    """(id, version, document) for declarations whose current version the caller has read
    already, in id order. A document read from the database comes at the version stored now,
    and is left out if the declaration is no longer in ``states``."""
    cache = document_cache(ctx)
    found: dict[int, tuple[int, DeclarationDocument]] = {}
    missing: list[int] = []
    for row_id, version in versions.items():
        doc = cache.get(row_id, version)
        if doc is None:
            missing.append(row_id)
        else:
            found[row_id] = (version, doc)
    wanted = sorted(set(states))
    for start in range(0, len(missing), _CHUNK):
        chunk = missing[start : start + _CHUNK]
        for row_id, version, text in session.execute(
            select(
                DeclarationRow.id,
                DeclarationRow.version,
                type_coerce(DeclarationRow.document, Text),
            ).where(DeclarationRow.id.in_(chunk), DeclarationRow.state.in_(wanted))
        ):
            doc = DeclarationDocument.model_validate_json(text)
            cache.remember(row_id, version, doc)
            found[row_id] = (version, doc)
    return [(i, v, d) for i, (v, d) in sorted(found.items())]
