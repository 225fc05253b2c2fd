"""The parts of the officer's pages that come from screening, risk and controls.

Each returns nothing until its service exists, so no page shows placeholder data.
"""

from __future__ import annotations

from typing import Any

from customhouse.access.models import Principal
from customhouse.services.context import Context
from customhouse.services.declarations import DeclarationView


def task_queue(ctx: Context, principal: Principal) -> list[dict[str, Any]]:
    """Control tasks for the officer's queue."""
    return []


def declaration_extras(ctx: Context, principal: Principal, view: DeclarationView) -> dict[str, Any]:
    """Screening hits, risk channel reasons and control tasks of one declaration."""
    return {}
