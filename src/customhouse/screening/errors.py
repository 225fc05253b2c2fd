"""Errors the screening package raises on purpose."""

from __future__ import annotations

from typing import Any

from customhouse.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, Problem


class UnreadableList(InvalidInput):
    """A sanctions list file could not be parsed in the format its kind promises."""

    code = "screening.UnreadableList"


class UnknownListKind(DomainError):
    code = "screening.UnknownListKind"


class UnknownList(NotFound):
    code = "screening.UnknownList"


class UnknownEntity(NotFound):
    code = "screening.UnknownEntity"


class InvalidJudgement(InvalidInput):
    """A judgement that cannot be recorded (unknown verdict, a hit that is not judged)."""

    code = "screening.InvalidJudgement"

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        pointer = "/" + next(iter(details), "") if details else "/"
        super().__init__(message, [Problem(self.code, pointer, message)])
        self.details.update(details or {})


class UnknownHit(NotFound):
    code = "screening.UnknownHit"


class UnknownQuery(NotFound):
    code = "screening.UnknownQuery"


class NotYourQuery(Forbidden):
    """Only the declarant or representative of the declaration answers its queries."""

    code = "screening.NotYourQuery"


class QueryAlreadyAnswered(Conflict):
    code = "screening.QueryAlreadyAnswered"


class EmptyAnswer(InvalidInput):
    code = "screening.EmptyAnswer"


class BadQuery(InvalidInput):
    """An officer's query without the document asked for, or its reason."""

    code = "screening.BadQuery"


class NotQueryable(Conflict):
    """Released, invalidated or rejected declarations take no new query."""

    code = "screening.NotQueryable"
