"""Errors raised by seizures, cases and penalties."""

from __future__ import annotations

from customhouse.errors import Conflict, InvalidInput, NotFound


class CaseNotFound(NotFound):
    code = "enforcement.CaseNotFound"


class SeizureNotFound(NotFound):
    code = "enforcement.SeizureNotFound"


class IllegalCaseMove(Conflict):
    code = "enforcement.IllegalCaseMove"


class CustodyBroken(Conflict):
    """A hand-over must start from the goods' current custodian."""

    code = "enforcement.CustodyBroken"


class BadPenalty(InvalidInput):
    code = "enforcement.BadPenalty"
