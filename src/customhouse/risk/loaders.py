"""Where training examples come from: the Korea Customs CSV format, or any :class:`TrainingSource`.

The system's own control results feed the model through the same interface: an adapter that
yields :class:`TrainingExample` (subject + finding + revenue at stake) is all training needs.

>>> import io
>>> row = "1,2020-01-01,30,B,11,21,11,10,D1,I1,S1,,440890,BE,BE,8.0,A,G,2.0,100.0,1,1,train"
>>> text = KCS_HEADER + "\\n" + row
>>> [e] = read_kcs_csv(io.StringIO(text))
>>> e.finding, e.subject.commodity_code, e.subject.duty_amount, e.split
(True, '440890', Decimal('8.00'), 'train')
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Protocol

from customhouse.errors import Problem
from customhouse.risk.errors import UnreadableTrainingData
from customhouse.risk.models import RiskSubject, TrainingExample

KCS_COLUMNS = (
    "Declaration ID",
    "Date",
    "Office ID",
    "Process Type",
    "Import Type",
    "Import Use",
    "Payment Type",
    "Mode of Transport",
    "Declarant ID",
    "Importer ID",
    "Seller ID",
    "Courier ID",
    "HS6 Code",
    "Country of Departure",
    "Country of Origin",
    "Tax Rate",
    "Tax Type",
    "Country of Origin Indicator",
    "Net Mass",
    "Item Price",
    "Fraud",
    "Critical Fraud",
    "source_split",
)
KCS_HEADER = ",".join(KCS_COLUMNS)
_REQUIRED = KCS_COLUMNS[:21]
# KCS categorical columns the engine has no first-class field for: kept as attributes.
_ATTRIBUTES = {
    "Process Type": "process_type",
    "Import Use": "import_use",
    "Payment Type": "payment_type",
    "Tax Type": "tax_type",
    "Country of Origin Indicator": "origin_indicator",
    "Courier ID": "courier",
}


class TrainingSource(Protocol):
    """Anything that yields labelled examples (a CSV file, the control-results table)."""

    def examples(self) -> Iterator[TrainingExample]: ...


def _decimal(row: dict[str, str], column: str, line: int) -> Decimal:
    try:
        return Decimal(row[column].strip() or "0")
    except InvalidOperation as exc:
        raise _unreadable(line, column, f"not a number: {row[column]!r}") from exc


def _unreadable(line: int, column: str, message: str) -> UnreadableTrainingData:
    return UnreadableTrainingData(
        f"line {line}: {message}",
        [Problem("risk.UnreadableValue", f"/{line}/{column}", message)],
    )


def kcs_row_to_example(
    row: dict[str, str], line: int = 0, split_column: str = "source_split"
) -> TrainingExample:
    """One Korea Customs row as a training example; duty at stake = price × tax rate."""
    value = _decimal(row, "Item Price", line)
    rate = _decimal(row, "Tax Rate", line)
    try:
        lodged = date.fromisoformat(row["Date"].strip())
    except ValueError as exc:
        raise _unreadable(line, "Date", f"not a date: {row['Date']!r}") from exc
    fraud = row["Fraud"].strip()
    if fraud not in ("0", "1"):
        raise _unreadable(line, "Fraud", f"Fraud must be 0 or 1, not {fraud!r}")
    duty = value * rate / 100
    subject = RiskSubject(
        declaration_id=row["Declaration ID"].strip(),
        commodity_code=row["HS6 Code"].strip().zfill(6),
        origin=row["Country of Origin"].strip(),
        departure=row["Country of Departure"].strip(),
        customs_value=value,
        net_mass=_decimal(row, "Net Mass", line),
        lodged_on=lodged,
        importer_id=row["Importer ID"].strip(),
        declarant_id=row["Declarant ID"].strip(),
        seller_id=row["Seller ID"].strip(),
        procedure=row["Import Type"].strip(),
        transport_mode=row["Mode of Transport"].strip(),
        office=row["Office ID"].strip(),
        currency="KRW",
        duty_amount=duty,
        tax_rate=rate,
        attributes={name: row.get(col, "").strip() for col, name in _ATTRIBUTES.items()},
    )
    split = (row.get(split_column) or "").strip() or None
    return TrainingExample(
        subject=subject, finding=fraud == "1", revenue_at_stake=duty, split=split
    )


def read_kcs_csv(
    source: IO[str] | Path | str, *, split_column: str = "source_split"
) -> list[TrainingExample]:
    """Every row of a CSV in the Korea Customs declarations format, as training examples.

    ``split_column`` names the column whose value becomes :attr:`TrainingExample.split`.
    """
    if isinstance(source, (str, Path)):
        with open(source, newline="", encoding="utf-8") as handle:
            return read_kcs_csv(handle, split_column=split_column)
    reader = csv.DictReader(source)
    missing = [c for c in _REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise UnreadableTrainingData(
            f"missing columns: {', '.join(missing)}",
            [Problem("risk.MissingColumn", f"/0/{c}", "column missing") for c in missing],
        )
    return [kcs_row_to_example(row, line, split_column) for line, row in enumerate(reader, start=2)]


class KcsCsvSource:
    """A :class:`TrainingSource` over a Korea Customs format CSV, optionally one split only."""

    def __init__(self, path: Path, splits: Iterable[str] | None = None) -> None:
        self.path = path
        self.splits = frozenset(splits) if splits is not None else None

    def examples(self) -> Iterator[TrainingExample]:
        for example in read_kcs_csv(self.path):
            if self.splits is None or example.split in self.splits:
                yield example


def split_examples(
    examples: Iterable[TrainingExample], test_tags: Iterable[str] = ("test",)
) -> tuple[list[TrainingExample], list[TrainingExample]]:
    """(train, test): rows whose split tag is in ``test_tags`` go to test, the rest to train."""
    tags = frozenset(test_tags)
    train: list[TrainingExample] = []
    test: list[TrainingExample] = []
    for e in examples:
        (test if e.split in tags else train).append(e)
    return train, test


DEMO_SAMPLE = Path(__file__).resolve().parent.parent / "data" / "risk" / "kcs_sample.csv.gz"


def demo_examples() -> list[TrainingExample]:
    """The 3,000-row Korea Customs sample shipped for demonstrations (see its NOTICE.md)."""
    import gzip
    import io

    with gzip.open(DEMO_SAMPLE, "rb") as handle:
        return read_kcs_csv(io.StringIO(handle.read().decode("utf-8")))
