"""Errors raised by the declaration aggregate and its services."""

from __future__ import annotations

from customhouse.errors import Conflict, InvalidInput, NotFound


class DeclarationRejected(InvalidInput):
    code = "declarations.Rejected"


class DeclarationNotFound(NotFound):
    code = "declarations.NotFound"


class IllegalTransition(Conflict):
    code = "declarations.IllegalTransition"


class DuplicateLRN(Conflict):
    code = "declarations.DuplicateLRN"


class IdempotencyKeyReused(Conflict):
    """The same Idempotency-Key was sent with a different body."""

    code = "declarations.IdempotencyKeyReused"


class NotAmendable(Conflict):
    code = "declarations.NotAmendable"
