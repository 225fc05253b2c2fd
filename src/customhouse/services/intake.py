"""Preparing batches of file lines in worker processes, in order, while the caller stores.

Preparing is pure (reference data only), so it runs in forked workers that share the reference
snapshot built before the fork; the single writer keeps the ledger chain and MRNs in order.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator

from customhouse.declarations.intake import Prepared, prepare_line
from customhouse.reference.snapshot import ReferenceSnapshot
from customhouse.services.context import Context
from customhouse.services.reference import reference_snapshot

_reference: ReferenceSnapshot | None = None


def _init(reference: ReferenceSnapshot) -> None:
    global _reference
    _reference = reference


def _prepare_chunk(chunk: list[tuple[int, bytes]]) -> list[Prepared]:
    assert _reference is not None
    return [prepare_line(line, number, _reference) for number, line in chunk]


def prepare_in_parallel(
    ctx: Context,
    chunks: Iterable[list[tuple[int, bytes]]],
    workers: int | None = None,
) -> Iterator[list[Prepared]]:
    """Prepared batches in file order; ``workers=0`` prepares in this process."""
    reference = reference_snapshot(ctx)
    # One core stays with the writer: on two cores, one preparing worker beside it is fastest.
    count = max(1, (os.cpu_count() or 2) - 1) if workers is None else workers
    if count <= 0 or "fork" not in multiprocessing.get_all_start_methods():
        for chunk in chunks:
            yield [prepare_line(line, number, reference) for number, line in chunk]
        return
    # No connection may be open across the fork (a child would share its socket); the pool
    # opens new ones when the writer next needs them.
    ctx.engine.dispose()
    with multiprocessing.get_context("fork").Pool(
        count, initializer=_init, initargs=(reference,)
    ) as pool:
        yield from pool.imap(_prepare_chunk, chunks)
