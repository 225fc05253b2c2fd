"""Load the shipped reference data into the database, idempotently."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from customhouse.reference import loaders
from customhouse.reference.errors import UnknownReferenceSet
from customhouse.reference.models import Edition, ExchangeRate
from customhouse.reference.tables import (
    CountryGroupRow,
    CountryRow,
    CurrencyRow,
    ExchangeRateRow,
    HsCorrelationRow,
    HsNomenclatureRow,
    HsSectionRow,
    LocodeRow,
    ReferenceSetRow,
)

Progress = Callable[[str, int], None]
_CHUNK = 5000


def _insert(
    session: Session, table: Any, rows: Iterable[NamedTuple], rename: dict[str, str]
) -> int:
    """Bulk insert namedtuple rows (core executemany, in chunks); return the count."""
    count = 0
    batch: list[dict[str, Any]] = []
    for row in rows:
        item = row._asdict()
        for old, new in rename.items():
            item[new] = item.pop(old)
        batch.append(item)
        if len(batch) >= _CHUNK:
            session.execute(insert(table), batch)
            count += len(batch)
            batch = []
    if batch:
        session.execute(insert(table), batch)
        count += len(batch)
    return count


def _hs(session: Session, edition: Edition) -> int:
    session.execute(delete(HsNomenclatureRow).where(HsNomenclatureRow.edition == edition.name))
    session.execute(delete(HsSectionRow).where(HsSectionRow.edition == edition.name))
    sections = [s for s in loaders.hs_sections() if s.edition == edition.name]
    _insert(session, HsSectionRow, sections, {})
    return _insert(session, HsNomenclatureRow, loaders.hs_entries(edition), {})


def _load_hs2022(session: Session) -> int:
    return _hs(session, loaders.HS2022)


def _load_hs2017(session: Session) -> int:
    return _hs(session, loaders.HS2017)


def _load_correlation(session: Session) -> int:
    session.execute(delete(HsCorrelationRow))
    return _insert(session, HsCorrelationRow, loaders.hs_correlation(), {})


def _load_countries(session: Session) -> int:
    session.execute(delete(CountryGroupRow))
    session.execute(delete(CountryRow))
    _insert(session, CountryGroupRow, loaders.eu_membership(), {"group": "group_code"})
    return _insert(session, CountryRow, loaders.countries(), {})


def _load_currencies(session: Session) -> int:
    session.execute(delete(CurrencyRow))
    return _insert(session, CurrencyRow, loaders.currencies(), {})


def _rates(session: Session, source: str, rows: Sequence[ExchangeRate]) -> int:
    session.execute(delete(ExchangeRateRow).where(ExchangeRateRow.source == source))
    return _insert(session, ExchangeRateRow, rows, {})


def _load_ecb(session: Session) -> int:
    return _rates(session, "ECB", loaders.ecb_rates())


def _load_hmrc(session: Session) -> int:
    return _rates(session, "HMRC", loaders.hmrc_rates())


def _load_locodes(session: Session) -> int:
    session.execute(delete(LocodeRow))
    return _insert(session, LocodeRow, loaders.locodes(), {})


_LOADERS: dict[str, Callable[[Session], int]] = {
    "hs2022": _load_hs2022,
    "hs2017": _load_hs2017,
    "hs_correlation": _load_correlation,
    "countries": _load_countries,
    "currencies": _load_currencies,
    "ecb_rates": _load_ecb,
    "hmrc_rates": _load_hmrc,
    "locodes": _load_locodes,
}
SET_NAMES: tuple[str, ...] = tuple(_LOADERS)


def load_reference(
    session: Session,
    *,
    sets: Iterable[str] | None = None,
    progress: Progress | None = None,
    loaded_at: datetime | None = None,
) -> dict[str, int]:
    """Replace the named reference sets (all by default) with the shipped data.

    Each set's rows are deleted and inserted again, so re-running never duplicates. The
    caller owns the transaction (commit afterwards); ``progress(name, rows)`` is called as
    each set finishes. Returns the rows loaded per set.
    """
    names = list(SET_NAMES if sets is None else sets)
    unknown = [n for n in names if n not in _LOADERS]
    if unknown:
        raise UnknownReferenceSet(
            f"unknown reference sets: {', '.join(unknown)}", {"known": list(SET_NAMES)}
        )
    when = loaded_at or datetime.now(UTC)
    counts: dict[str, int] = {}
    for name in names:
        count = _LOADERS[name](session)
        info = loaders.SETS[name]
        session.execute(delete(ReferenceSetRow).where(ReferenceSetRow.name == name))
        session.execute(
            insert(ReferenceSetRow),
            [
                {
                    "name": name,
                    "source": info.source,
                    "version": info.version,
                    "licence": info.licence,
                    "row_count": count,
                    "loaded_at": when,
                }
            ],
        )
        counts[name] = count
        if progress is not None:
            progress(name, count)
    session.flush()
    return counts
