"""The clearance pipeline: lodge and validate, then the steps that follow acceptance.

A step is a pure engine call over a batch plus a service function that stores the result in one
unit of work. ``process`` (CLI) and the API run the same steps; steps register themselves here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from customhouse.access.models import Principal
from customhouse.declarations.intake import Prepared
from customhouse.services.context import Context
from customhouse.services.declarations import (
    LodgeOutcome,
    LodgeRequest,
    lodge_batch,
    store_prepared,
)


@dataclass(frozen=True)
class Step:
    """A pipeline step over declaration ids accepted (or amended) in this batch."""

    name: str
    run: Callable[[Context, list[int]], None]


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
