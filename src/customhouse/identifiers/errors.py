"""Typed errors for identifiers: one class per kind of failure, each with a stable code."""

from __future__ import annotations

from customhouse.errors import DomainError


class InvalidIdentifier(DomainError):
    """Base of every identifier failure."""

    code = "identifiers.InvalidIdentifier"


class InvalidFormat(InvalidIdentifier):
    """Characters or structure are wrong (letters where digits belong, ...)."""

    code = "identifiers.InvalidFormat"


class InvalidLength(InvalidIdentifier):
    code = "identifiers.InvalidLength"


class InvalidChecksum(InvalidIdentifier):
    """The check digit or character does not match."""

    code = "identifiers.InvalidChecksum"


class InvalidComponent(InvalidIdentifier):
    """A part of the identifier is unknown (country code, VAT prefix, ...)."""

    code = "identifiers.InvalidComponent"
