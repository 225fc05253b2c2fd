"""The typed error hierarchy.

Every error a client can cause is a :class:`DomainError` with a stable ``code`` (``module.Name``),
a message and structured ``details``. The HTTP layer maps classes to statuses in one table
(``customhouse.api.errors``); the domain never knows about HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input: stable code, JSON pointer into the input, message."""

    code: str
    pointer: str
    message: str
    severity: str = "error"

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "pointer": self.pointer,
            "message": self.message,
            "severity": self.severity,
        }


@dataclass
class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    message: str
    details: dict[str, Any] = field(default_factory=dict)
    code: ClassVar[str] = "customhouse.Error"

    def __post_init__(self) -> None:
        Exception.__init__(self, self.message)

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class NotFound(DomainError):
    code = "customhouse.NotFound"


class InvalidInput(DomainError):
    """The input breaks the rules; ``problems`` lists every one of them."""

    code = "customhouse.InvalidInput"

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message, {"problems": [p.as_dict() for p in (problems or [])]})
        self.problems = list(problems or [])


class Conflict(DomainError):
    """The request clashes with the current state (illegal transition, duplicate)."""

    code = "customhouse.Conflict"


class Forbidden(DomainError):
    code = "customhouse.Forbidden"


class Unauthenticated(DomainError):
    code = "customhouse.Unauthenticated"


class PayloadTooLarge(DomainError):
    code = "customhouse.PayloadTooLarge"
