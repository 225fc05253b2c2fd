"""Errors raised by the classification package."""

from __future__ import annotations

from customhouse.errors import Conflict, DomainError, InvalidInput, NotFound


class InvalidCommodityCode(InvalidInput):
    """A commodity code that is not 2 to 10 digits."""

    code = "classification.InvalidCommodityCode"

    def __init__(self, value: str) -> None:
        super().__init__(f"not a commodity code: {value!r}")


class ModelNotTrained(DomainError):
    code = "classification.ModelNotTrained"


class TrainingDataMissing(NotFound):
    code = "classification.TrainingDataMissing"


class RulingNotFound(NotFound):
    code = "classification.RulingNotFound"


class RulingAlreadyRevoked(Conflict):
    code = "classification.RulingAlreadyRevoked"


class InvalidRuling(InvalidInput):
    code = "classification.InvalidRuling"


class DuplicateRuling(Conflict):
    code = "classification.DuplicateRuling"
