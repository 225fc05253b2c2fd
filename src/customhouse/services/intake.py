"""Preparing batches of file lines in worker processes, in order, while the caller stores.

Preparing is pure (reference data only), so it runs in forked workers that share the reference
snapshot built before the fork; the single writer keeps the ledger chain and MRNs in order.
"""

from __future__ import annotations

import dataclasses
import inspect
import itertools
import multiprocessing
import operator
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from multiprocessing.reduction import ForkingPickler
from typing import Any, TypeVar

from customhouse.declarations.intake import Prepared, prepare_line
from customhouse.reference.snapshot import ReferenceSnapshot
from customhouse.services.context import Context
from customhouse.services.pipeline import Analyser, collector_for_batches
from customhouse.services.reference import reference_snapshot

T = TypeVar("T")
# The longest batch. While the batches grow the writer waits for the worker at every step (each
# batch takes the worker about as long as the writer's the one before, so the waits add up to about
# the longest batch's preparing time): 0.6 s of a 5,000-declaration run at 1,000, 0.3 s at 500,
# and a batch of 500 costs the writer no more per declaration than one of 1,000.
BATCH_SIZE = 500
_reference: ReferenceSnapshot | None = None
_analysers: Sequence[Analyser] = ()


def _init(reference: ReferenceSnapshot, analysers: Sequence[Analyser]) -> None:
    global _reference, _analysers
    _reference = reference
    _analysers = analysers
    for kind, reducer in constructor_reducers().items():
        ForkingPickler.register(kind, reducer)  # this worker's results only
    if analysers:
        collector_for_batches()  # a batch of parsed documents stays alive while it is analysed


def constructor_reducers() -> dict[type, Callable[[Any], tuple[Any, tuple[Any, ...]]]]:
    """Reducers that pickle customhouse's frozen slotted dataclasses as a call of the class on
    their field values.

    ``dataclasses`` pickles those through its own ``__getstate__`` and ``__setstate__``, which
    call ``fields()`` and set each field in a Python loop: in a prepared batch (summaries,
    assessment outcomes, item fits, screening results) that was about a third of the cost of
    sending it back. A class whose constructor does more than store its fields
    (``__post_init__``, a field it does not take) keeps the default.
    """
    out: dict[type, Callable[[Any], tuple[Any, tuple[Any, ...]]]] = {}
    for name, module in list(sys.modules.items()):
        if not (name == "customhouse" or name.startswith("customhouse.")) or module is None:
            continue
        for kind in vars(module).values():
            if (
                isinstance(kind, type)
                and kind.__module__ == name
                and dataclasses.is_dataclass(kind)
                and kind.__dataclass_params__.frozen  # type: ignore[attr-defined]
                and "__slots__" in kind.__dict__
                and not hasattr(kind, "__post_init__")
                and not {"__reduce__", "__reduce_ex__"} & kind.__dict__.keys()
            ):
                fields = dataclasses.fields(kind)
                taken = inspect.signature(kind).parameters
                if all(f.init for f in fields) and list(taken) == [f.name for f in fields]:
                    out[kind] = _reducer(kind, tuple(f.name for f in fields))
    return out


def _reducer(kind: type, names: tuple[str, ...]) -> Callable[[Any], tuple[Any, tuple[Any, ...]]]:
    if len(names) == 1:
        (only,) = names
        return lambda obj: (kind, (getattr(obj, only),))
    values = operator.attrgetter(*names)
    return lambda obj: (kind, values(obj))


def _prepare_chunk(chunk: list[tuple[int, bytes]]) -> list[Prepared]:
    assert _reference is not None
    # The analysers read the parsed documents; the batch goes back without them. Pickling a
    # document and unpickling it cost more than pydantic reading its JSON again (on 757
    # documents: 118 ms to dump and 77-290 ms to load in the writer's result thread, against
    # 64-87 ms to validate), and the writer only parses the documents a step asks for.
    keep = bool(_analysers)
    prepared = [
        prepare_line(line, number, _reference, keep_document=keep) for number, line in chunk
    ]
    if keep:
        analyse(prepared, _analysers)
        for p in prepared:
            p.document = None
    return prepared


def analyse(prepared: Sequence[Prepared], analysers: Sequence[Analyser]) -> None:
    """Each step's pure analysis of the batch's valid documents, kept on each prepared one.

    Work done ahead, never needed: a failing analyser leaves nothing and its step does the work
    itself (and meets the same failure where it can report it).
    """
    ready = [p for p in prepared if p.document is not None and not p.has_errors]
    docs = [p.document for p in ready if p.document is not None]
    for analyser in analysers:
        try:
            results = analyser.analyse(docs)
        except Exception:  # see the docstring: the step recomputes
            continue
        for p, result in zip(ready, results, strict=True):
            p.analyses[analyser.step] = (analyser.basis, result)


def ramped(
    lines: Iterable[T], size: int, first: int = 100, growth: float = 1.5
) -> Iterator[list[T]]:
    """Batches of ``lines``: ``first`` long, then ``growth`` times longer each time up to
    ``size``, and the last one cut in halves down to ``first``.

    The writer waits for the workers' first batch with nothing to do, and the workers wait for
    the writer's last. A short first batch, each next one only as much longer as the workers
    can prepare while the writer stores the last, and a short last one cut both waits without
    paying small batches' overhead for the whole run. The batch after the current one is read
    ahead to know which is the last.

    >>> [len(b) for b in ramped(range(1000), 400, first=50, growth=2)]
    [50, 100, 200, 400, 125, 62, 63]
    >>> [len(b) for b in ramped(range(30), 400, first=50)]
    [30]
    """
    source = iter(lines)
    limit = max(1, min(first, size))

    def take(n: int) -> list[T]:
        return list(itertools.islice(source, n))

    chunk = take(limit)
    while chunk:
        limit = min(size, max(limit + 1, int(limit * growth)))
        after = take(limit)
        if after:
            yield chunk
            chunk = after
            continue
        while len(chunk) >= 2 * first:
            half = len(chunk) // 2
            yield chunk[:half]
            chunk = chunk[half:]
        yield chunk
        return


def prepare_in_parallel(
    ctx: Context,
    chunks: Iterable[list[tuple[int, bytes]]],
    workers: int | None = None,
    analysers: Sequence[Analyser] = (),
    *,
    start_here: int = 25,
) -> Iterator[list[Prepared]]:
    """Prepared batches in file order; ``workers=0`` prepares in this process.

    ``analysers`` (built by :func:`customhouse.services.pipeline.analysers`) run in the workers
    on each batch after preparing it; in this process they are not run (the steps would do the
    same work).

    While the workers start (a fork, then their first batch on cold caches: 0.2-0.6 s in the
    pipeline bench) the caller would wait with nothing to do: the first ``start_here`` lines
    come first as a batch of their own, prepared in this process with their parsed documents
    kept and no analyses (the steps make them, at several times the workers' cost: a short
    batch); the workers begin with the lines after them. Where those lines are the whole input,
    no worker is started.
    """
    reference = reference_snapshot(ctx)
    # One core stays with the writer: on two cores, one preparing worker beside it is fastest.
    count = max(1, (os.cpu_count() or 2) - 1) if workers is None else workers
    if count <= 0 or "fork" not in multiprocessing.get_all_start_methods():
        for chunk in chunks:
            yield [
                prepare_line(line, number, reference, keep_document=False) for number, line in chunk
            ]
        return

    def here(lines: list[tuple[int, bytes]]) -> list[Prepared]:  # documents kept, no analyses
        return [prepare_line(line, number, reference) for number, line in lines]

    batches = iter(chunks)
    own: list[tuple[int, bytes]] = []
    if start_here > 0 and (first := next(batches, None)) is not None:
        own, rest = first[:start_here], first[start_here:]
        after = next(batches, None)
        if not rest and after is None:  # the whole input: no worker to start
            yield here(own)
            return
        batches = itertools.chain([rest] if rest else [], [after] if after else [], batches)
    # No connection may be open across the fork (a child would share its socket); the pool
    # opens new ones when the writer next needs them.
    ctx.engine.dispose()
    with multiprocessing.get_context("fork").Pool(
        count, initializer=_init, initargs=(reference, tuple(analysers))
    ) as pool:
        later = pool.imap(_prepare_chunk, batches)
        if own:
            yield here(own)
        yield from later
