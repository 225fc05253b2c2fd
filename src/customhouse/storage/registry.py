"""Every table module, imported so that ``Base.metadata`` describes the whole schema."""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

from customhouse.storage.base import Base

TABLE_MODULES = (
    "customhouse.access.tables",
    "customhouse.traders.tables",
    "customhouse.declarations.tables",
    "customhouse.ledger.tables",
    "customhouse.reference.tables",
    "customhouse.tariff.tables",  # issue 3: tariff, quotas
    "customhouse.tariff.assessment_tables",  # issue 3: assessments and their lines
    "customhouse.screening.tables",  # issue 5: lists, entities, names, judgements
    "customhouse.risk.tables",  # issue 4: profiles, hit counts, models
    "customhouse.classification.tables",  # issue 7: binding rulings
    "customhouse.controls.tables",  # issue 6: tasks, allocation, findings, release, payments
    "customhouse.enforcement.tables",  # issue 6: seizures, cases, penalties
    "customhouse.audit.tables",  # issue 6: post-clearance audit
)


def metadata() -> MetaData:
    for name in TABLE_MODULES:
        importlib.import_module(name)
    return Base.metadata
