"""What every service needs: settings, the database, a clock and cached reference data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from customhouse.settings import Settings, get_settings
from customhouse.storage.db import make_engine, session_factory
from customhouse.storage.uow import UnitOfWork


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The only place a service reads the time; engines are given it."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock for tests and replays that moves only when told."""

    at: datetime

    def now(self) -> datetime:
        return self.at


@dataclass
class Context:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock = field(default_factory=SystemClock)
    _cache: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def create(cls, settings: Settings | None = None, clock: Clock | None = None) -> Context:
        settings = settings or get_settings()
        engine = make_engine(settings.database_url)
        return cls(
            settings=settings,
            engine=engine,
            sessions=session_factory(engine),
            clock=clock or SystemClock(),
        )

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)

    def cached(self, key: str, build: Callable[[], Any]) -> Any:
        """Reference data and the like, built once per process; :meth:`forget` after a reload."""
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def forget(self, key: str | None = None) -> None:
        if key is None:
            self._cache.clear()
        else:
            self._cache.pop(key, None)
