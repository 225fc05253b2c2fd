"""Errors the screening package raises on purpose."""

from __future__ import annotations

from customhouse.errors import DomainError, InvalidInput, NotFound


class UnreadableList(InvalidInput):
    """A sanctions list file could not be parsed in the format its kind promises."""

    code = "screening.UnreadableList"


class UnknownListKind(DomainError):
    code = "screening.UnknownListKind"


class UnknownList(NotFound):
    code = "screening.UnknownList"


class UnknownEntity(NotFound):
    code = "screening.UnknownEntity"


class InvalidJudgement(DomainError):
    code = "screening.InvalidJudgement"
