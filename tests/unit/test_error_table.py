"""Every domain error class maps to the status the table says (yente's handler table)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import customhouse
from customhouse.api.errors import STATUS, status_for
from customhouse.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    Unauthenticated,
)


def _all_error_classes() -> list[type[DomainError]]:
    for info in pkgutil.walk_packages(customhouse.__path__, "customhouse."):
        if ".migrations" in info.name or info.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(info.name)
        except ImportError:
            continue
    seen: list[type[DomainError]] = []
    stack: list[type[DomainError]] = [DomainError]
    while stack:
        cls = stack.pop()
        seen.append(cls)
        stack.extend(cls.__subclasses__())
    return seen


@pytest.mark.parametrize(
    ("base", "status"),
    [
        (InvalidInput, 422),
        (NotFound, 404),
        (Conflict, 409),
        (Forbidden, 403),
        (Unauthenticated, 401),
        (PayloadTooLarge, 413),
        (DomainError, 400),
    ],
)
def test_table(base: type[DomainError], status: int) -> None:
    assert STATUS[base] == status


def test_every_error_class_has_its_own_code_and_a_client_status() -> None:
    classes = _all_error_classes()
    assert len(classes) > 20
    codes: dict[str, type[DomainError]] = {}
    for cls in classes:
        # Subclasses must not inherit a parent's code silently (two errors, one code).
        assert cls.code not in codes or codes[cls.code] is cls, (cls, codes.get(cls.code))
        codes[cls.code] = cls
        expected = next(STATUS[c] for c in cls.__mro__ if c in STATUS)
        assert 400 <= expected < 500
        instance = cls.__new__(cls)
        DomainError.__init__(instance, "x")
        assert status_for(instance) == expected
