"""The unit of work: one transaction, the ledger appends included."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from customhouse.ledger.repository import LedgerRepository


class UnitOfWork:
    """One database transaction; commit writes the ledger events with everything else.

    A writing unit of work calls :meth:`lock` (through the ledger) before its first write, so
    writers are serialised on the ledger head and the chain never forks.
    """

    session: Session
    ledger: LedgerRepository

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory
        self._committed = False

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        self.ledger = LedgerRepository(self.session)
        # Writes a use case gathers to send at once (in order, before the ledger's), and the
        # gatherers by name.
        self.before_commit: list[Callable[[Session], None]] = []
        self.batched: dict[str, Any] = {}
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._committed:
                self.rollback()
        finally:
            self.session.close()

    def lock(self) -> None:
        self.ledger.lock()

    def commit(self) -> None:
        for write in self.before_commit:
            write(self.session)
        self.ledger.flush()
        self.session.commit()
        self._committed = True

    def rollback(self) -> None:
        self.ledger.discard()
        self.session.rollback()
