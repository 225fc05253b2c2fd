"""Translate python-stdnum's exceptions into our typed identifier errors."""

from __future__ import annotations

from stdnum import exceptions as stdnum_exceptions

from customhouse.identifiers.errors import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidIdentifier,
    InvalidLength,
)

_MAP: tuple[tuple[type[Exception], type[InvalidIdentifier], str], ...] = (
    (stdnum_exceptions.InvalidChecksum, InvalidChecksum, "check digit does not match"),
    (stdnum_exceptions.InvalidLength, InvalidLength, "has the wrong length"),
    (stdnum_exceptions.InvalidComponent, InvalidComponent, "has an unknown part"),
    (stdnum_exceptions.InvalidFormat, InvalidFormat, "has the wrong format"),
)


def translate(exc: Exception, what: str, number: str) -> InvalidIdentifier:
    """Our error for a stdnum ``ValidationError`` raised while checking ``number``."""
    for theirs, ours, phrase in _MAP:
        if isinstance(exc, theirs):
            return ours(f"{what} {phrase}", {"value": number, "detail": str(exc)})
    return InvalidFormat(f"{what} has the wrong format", {"value": number, "detail": str(exc)})
