"""The clearance pipeline: lodge and validate, then the steps that follow acceptance.

A step is a pure engine call over a batch plus a service function that stores the result in one
unit of work. ``process`` (CLI) and the API run the same steps; steps register themselves here.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from customhouse.access.models import Principal
from customhouse.declarations.intake import Prepared
from customhouse.declarations.models import DeclarationDocument
from customhouse.services.context import Context
from customhouse.services.declarations import (
    LodgeOutcome,
    LodgeRequest,
    lodge_batch,
    store_prepared,
)


@dataclass(frozen=True)
class Step:
    """A pipeline step over declaration ids accepted (or amended) in this batch.

    ``warm`` loads what the step reads on every batch (tariff, models, list index) so that a
    long run can load it before its first batch; it must not fail when there is nothing to load.
    """

    name: str
    run: Callable[[Context, list[int]], None]
    warm: Callable[[Context], None] | None = None
    # Builds, in the writer before the preparing workers fork, a pure analysis the workers run
    # on each prepared batch (with the basis it rests on); the step then reads it instead of
    # doing that work itself, when its basis is still the same. None when there is none to make.
    analyser: Callable[[Context], Analyser | None] | None = None


@dataclass(frozen=True)
class Analyser:
    """A step's pure work on documents, made ahead in a preparing worker.

    ``basis`` names what the result rests on (a model, the list versions): the step uses a
    result only when its own basis is the same.
    """

    step: str
    basis: str
    analyse: Callable[[Sequence[DeclarationDocument]], list[Any]]


STEPS: list[Step] = []


def register(step: Step) -> None:
    if any(s.name == step.name for s in STEPS):
        raise ValueError(f"pipeline step {step.name} is registered twice")
    STEPS.append(step)


def run_after_acceptance(
    ctx: Context, declaration_ids: list[int], *, until: str | None = None
) -> None:
    """Value, assess, screen, route ... each registered step, in order, over the batch.

    ``until`` names the last step to run (an officer re-running assessment alone, a test).
    """
    if not declaration_ids:
        return
    import customhouse.services.steps  # noqa: F401  (registers every step, in order)

    if until is not None and all(step.name != until for step in STEPS):
        raise ValueError(f"no pipeline step named {until!r}")
    for step in STEPS:
        step.run(ctx, declaration_ids)
        if step.name == until:
            return


def warm_for_batches(ctx: Context) -> None:
    """Load every step's long-lived data, then take it out of the garbage collector's walks.

    A full collection walks every container object alive; with the tariff, the suggestion model
    and the list index loaded that walk cost about a third of the pipeline's CPU time (measured
    with ``customhouse bench pipeline``). Frozen objects are never walked; they live as long as
    the process anyway. For batch runs (``process``, the benchmark), not for the API server:
    it changes this process's collector settings.
    """
    import customhouse.services.steps  # noqa: F401  (registers every step, in order)

    for step in STEPS:
        if step.warm is not None:
            step.warm(ctx)
    collector_for_batches()


def collector_for_batches() -> None:
    """Freeze what is alive now and collect less often (this process, and the workers it forks
    after: they inherit the frozen objects)."""
    gc.collect()
    gc.freeze()
    # A batch makes hundreds of thousands of small objects, and keeps a batch of documents alive
    # across it: collect the young generation every 200,000 allocations rather than every 700
    # (most of a batch's objects are freed by then: a 5,000 run spent 0.2 s in eleven young
    # collections at 50,000, 0.07-0.18 s in one or two at 200,000), and the middle one almost
    # never (each such walk took half a second in a 5,000 run).
    gc.set_threshold(200_000, 1000, 100)


def analysers(ctx: Context) -> list[Analyser]:
    """Every step's analyser for the preparing workers (call after :func:`warm_for_batches`)."""
    import customhouse.services.steps  # noqa: F401  (registers every step, in order)

    return [a for step in STEPS if step.analyser is not None if (a := step.analyser(ctx))]


def process_prepared(
    ctx: Context,
    *,
    principal: Principal,
    prepared: Sequence[Prepared],
    source: str,
    later_steps: bool = True,
) -> list[LodgeOutcome]:
    """Store a prepared batch and run every later step over what was accepted now.

    ``later_steps=False`` stops after intake (validate and store); the steps can run later.
    """
    outcomes = store_prepared(ctx, principal=principal, prepared=prepared, source=source)
    if later_steps:
        run_after_acceptance(ctx, [o.id for o in outcomes if o.accepted and not o.replayed])
    return outcomes


def process_batch(
    ctx: Context,
    *,
    principal: Principal,
    requests: Sequence[LodgeRequest],
    source: str,
) -> list[LodgeOutcome]:
    """Lodge a batch and run every later step over what was accepted now (not replays)."""
    outcomes = lodge_batch(ctx, principal=principal, requests=requests, source=source)
    run_after_acceptance(ctx, [o.id for o in outcomes if o.accepted and not o.replayed])
    return outcomes
