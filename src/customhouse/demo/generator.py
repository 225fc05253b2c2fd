"""Realistic synthetic declarations for demos, load tests and the pipeline benchmark.

Deterministic for a seed; it uses real commodity codes valid at the declaration date, real
countries, currencies and UN/LOCODEs, and breaks a few per cent on purpose with one known defect
each, so a run can check that every broken one is rejected with the right code.
"""

from __future__ import annotations

import copy
import csv
import gzip
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from customhouse.demo.operators import BROKER_COUNT, demo_operators
from customhouse.identifiers import container, hs_code

ORIGINS = (
    "CN",
    "CN",
    "CN",
    "US",
    "IN",
    "VN",
    "TR",
    "DE",
    "FR",
    "IT",
    "JP",
    "KR",
    "BD",
    "TH",
    "BR",
    "MX",
    "ES",
    "NL",
    "PK",
    "ID",
    "MY",
    "TW",
    "CH",
    "NO",
    "ZA",
    "MA",
    "EG",
    "KE",
)
# Origins with a UK preferential arrangement (trade agreement or GSP) in this demo.
PREFERENTIAL = frozenset(
    {
        "VN",
        "TR",
        "DE",
        "FR",
        "IT",
        "JP",
        "KR",
        "BD",
        "MX",
        "ES",
        "NL",
        "PK",
        "CH",
        "NO",
        "ZA",
        "MA",
        "EG",
        "KE",
        "IN",
        "ID",
    }
)
CURRENCY_BY_ORIGIN = {
    "US": "USD",
    "CN": "USD",
    "IN": "USD",
    "VN": "USD",
    "DE": "EUR",
    "FR": "EUR",
    "IT": "EUR",
    "ES": "EUR",
    "NL": "EUR",
    "JP": "JPY",
    "CH": "CHF",
    "NO": "NOK",
    "TR": "EUR",
    "KR": "USD",
}
LOADING = {
    "CN": ("CNSHA", "CNNGB", "CNSZX", "CNTAO"),
    "IN": ("INNSA", "INMAA"),
    "DE": ("DEHAM",),
    "FR": ("FRLEH", "FRCDG"),
    "IT": ("ITGOA", "ITMIL"),
    "JP": ("JPTYO", "JPUKB"),
    "KR": ("KRPUS",),
    "BD": ("BDCGP",),
    "BR": ("BRSSZ",),
    "ES": ("ESVLC", "ESALG"),
    "NL": ("NLRTM",),
    "HK": ("HKHKG",),
    "AE": ("AEJEA",),
}
UNLOADING = {
    "1": ("GBFXT", "GBSOU", "GBLGP", "GBLIV"),
    "4": ("GBLHR", "GBMAN", "GBEMA"),
    "3": ("GBDVR", "GBFOL"),
    "2": ("GBFOL",),
    "5": ("GBLHR",),
}
OFFICES = ("GB000060", "GB000084", "GB000120", "GB000219", "GB000211")
PACKAGE_DOCS = {"1": "N705", "2": "N720", "3": "N730", "4": "N740", "5": "N787"}
CARRIER_IDS = {
    "1": ("MAERSK ESSEN", "EVER GIVEN", "CMA CGM MARCO POLO", "MSC OSCAR"),
    "4": ("BA0178", "CX0251", "EK0005", "LH0900"),
    "3": ("AB12CDE", "XY68ZZT"),
    "2": ("TRAIN 9O49",),
    "5": ("ROYAL MAIL",),
}
DESCRIPTIONS = (
    "{h} for retail sale",
    "{h}, new",
    "{h} in cartons",
    "{h} (samples excluded)",
    "consignment of {h}",
)

# One defect per broken declaration and the rejection code it must produce.
DEFECTS = (
    ("unknown_commodity", "reference.unknown_commodity_code"),
    ("net_over_gross", "item.net_exceeds_gross"),
    ("unknown_origin", "reference.unknown_country"),
    ("unknown_currency", "reference.unknown_currency"),
    ("bad_container", "transport.invalid_container"),
    ("total_mismatch", "totals.invoice_mismatch"),
    ("proof_missing", "origin.proof_missing"),
    ("bad_eori", "party.invalid_eori"),
    ("missing_description", "schema.missing"),
    ("bad_mass", "schema.decimal_parsing"),
)


@dataclass(frozen=True)
class Generated:
    document: dict[str, Any]
    expected_errors: tuple[str, ...]


# The US HTS rates shipped with the package (customhouse/data/tariff, public domain).
BUNDLED_US_TARIFF = Path(__file__).resolve().parents[1] / "data" / "tariff" / "us_hts8_rates.csv.gz"


def national_lines(path: Path) -> dict[str, list[str]]:
    """HS6 -> national 8-digit lines, read from a tariff file's first column (gzip CSV)."""
    out: dict[str, list[str]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = row.get("hts8") or ""
            if len(code) == 8 and code.isdigit():
                out.setdefault(code[:6], []).append(code)
    return {k: sorted(set(v)) for k, v in out.items()}


def _container(rng: random.Random) -> str:
    owner = rng.choice(("MSKU", "CMAU", "MSCU", "HLXU", "OOLU", "TGHU"))
    serial = f"{rng.randint(0, 999999):06d}"
    return owner + serial + container.calc_check_digit(owner + serial)


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def generate(
    count: int,
    seed: int,
    hs6: list[str],
    descriptions: dict[str, str] | None = None,
    error_rate: float = 0.03,
    start: date = date(2024, 11, 4),
    days: int = 180,
    national: dict[str, list[str]] | None = None,
) -> Iterator[Generated]:
    """``count`` declarations; ``hs6`` are codes valid over the dates used.

    ``national`` maps an HS6 code to the tariff's national lines under it; where given, items are
    declared at the national line, as a real declaration must be. The default dates fall within
    the shipped ECB exchange rates.
    """
    rng = random.Random(seed)
    ops = demo_operators()
    traders, brokers = ops[:-BROKER_COUNT], ops[-BROKER_COUNT:]
    # The nomenclature file also lists 999999 ("not specified"), which no declaration may use.
    codes = sorted(c for c in hs6 if hs_code.is_valid(c))
    for n in range(count):
        declared_on = start + timedelta(days=rng.randrange(0, days))
        kind = rng.choices(("IM", "EX", "T1"), weights=(82, 14, 4))[0]
        mode = rng.choices(("1", "4", "3", "2", "5"), weights=(40, 30, 24, 2, 4))[0]
        origin_pool = ORIGINS if kind != "EX" else ("GB",)
        trader = rng.choice(traders)
        broker = rng.choice(brokers) if rng.random() < 0.6 else None
        declarant = broker or trader
        foreign_country = rng.choice(ORIGINS)
        currency = CURRENCY_BY_ORIGIN.get(foreign_country, "USD") if rng.random() < 0.8 else "GBP"
        n_items = rng.choices((1, 2, 3, 4, 5, 8), weights=(45, 22, 14, 9, 6, 4))[0]
        items = []
        for seq in range(1, n_items + 1):
            code = rng.choice(codes)
            label = (descriptions or {}).get(code, f"goods of subheading {code}")
            lines = (national or {}).get(code)
            if lines:
                code = rng.choice(lines)
            origin = rng.choice(origin_pool) if kind != "EX" else "GB"
            net = Decimal(rng.randint(1, 20000)) / 10
            gross = (net * Decimal(rng.choice(("1.02", "1.05", "1.1", "1.2")))).quantize(
                Decimal("0.1")
            )
            item: dict[str, Any] = {
                "sequence": seq,
                "commodity_code": code,
                "description": rng.choice(DESCRIPTIONS).format(h=label.lower()[:200]),
                "origin": origin,
                "gross_mass": str(gross),
                "net_mass": str(net),
                "invoice_amount": str(_money(rng, 50, 60000)),
                "quantity": {"value": str(rng.randint(1, 5000)), "unit": "NAR"},
                "packages": rng.randint(1, 400),
                "valuation_method": "1",
                "preference": "100",
            }
            if kind == "IM" and origin in PREFERENTIAL and rng.random() < 0.35:
                item["preference"] = "300"
                item["preferential_origin"] = origin
                item["documents"] = [{"type": "U110", "reference": f"STATEMENT-{n}-{seq}"}]
            items.append(item)
        total = sum((Decimal(i["invoice_amount"]) for i in items), Decimal(0))
        total_gross = sum((Decimal(i["gross_mass"]) for i in items), Decimal(0))
        mode_docs = [{"type": PACKAGE_DOCS[mode], "reference": f"{PACKAGE_DOCS[mode]}-{seed}-{n}"}]
        containers = (
            [_container(rng) for _ in range(rng.randint(1, 3))]
            if mode == "1" and rng.random() < 0.8
            else []
        )
        inbound = kind != "EX"
        loading = rng.choice(LOADING.get(foreign_country, ("CNSHA",)))
        unloading = rng.choice(UNLOADING[mode])
        foreign_party = {
            "name": f"{foreign_country} Export Trading {rng.randint(1, 999)}",
            "address": {"city": "Port", "country": foreign_country},
        }
        trader_party = {
            "name": trader.name,
            "eori": trader.eori,
            "address": {
                "street": trader.street,
                "city": trader.city,
                "postcode": trader.postcode,
                "country": trader.country,
            },
        }
        parties: dict[str, Any] = {
            "declarant": {
                "name": declarant.name,
                "eori": declarant.eori,
                "address": {"city": declarant.city, "country": declarant.country},
            },
            "importer" if inbound else "exporter": trader_party,
            "exporter" if inbound else "importer": foreign_party,
        }
        if broker is not None:
            parties["representative"] = {"name": broker.name, "eori": broker.eori}
            parties["representative_status"] = rng.choice(("2", "3"))
        procedure = {
            "IM": rng.choice(("4000", "4000", "4000", "4071", "5100", "7100")),
            "EX": rng.choice(("1000", "1040", "2100")),
            "T1": "8000",
        }[kind]
        doc: dict[str, Any] = {
            "lrn": f"DEMO{seed:04d}{n:09d}",
            "declaration_type": kind,
            "additional_type": "A",
            "procedure": procedure,
            "office": rng.choice(OFFICES),
            "declaration_date": declared_on.isoformat(),
            "parties": parties,
            "transport": {
                "mode_at_border": mode,
                "containers": containers,
                "means_identity": rng.choice(CARRIER_IDS[mode]),
            },
            "locations": {
                "country_of_dispatch": foreign_country if inbound else "GB",
                "country_of_destination": "GB" if inbound else foreign_country,
                "place_of_loading": loading if inbound else unloading,
                "place_of_unloading": unloading if inbound else loading,
            },
            "incoterm": {"code": rng.choice(("FOB", "CIF", "EXW", "DAP", "FCA", "CFR"))},
            "invoice_currency": currency,
            "total_invoice_amount": str(total),
            "total_gross_mass": str(total_gross),
            "total_packages": sum(i["packages"] for i in items),
            "previous_documents": mode_docs,
            "documents": [{"type": "N935", "reference": f"INV-{seed}-{n}"}],
            "items": items,
        }
        expected: tuple[str, ...] = ()
        if rng.random() < error_rate:
            defect, code = rng.choice(DEFECTS)
            if defect == "bad_container" and not containers:
                defect, code = "unknown_origin", "reference.unknown_country"
            if defect == "proof_missing" and kind != "IM":
                defect, code = "net_over_gross", "item.net_exceeds_gross"
            _break(doc, defect, rng)
            expected = (code,)
        yield Generated(doc, expected)


def with_listed_sellers(
    docs: Sequence[dict[str, Any]], listed: Sequence[tuple[str, str]], every: int = 60
) -> list[dict[str, Any]]:
    """The documents, one in ``every`` (and at least one) sold by a listed (name, country), so
    that a demo has true screening hits for an officer to judge, not only false alerts.

    >>> docs = [{"parties": {}} for _ in range(3)]
    >>> [d["parties"].get("seller") for d in with_listed_sellers(docs, [("ACME", "IR")], every=2)]
    [None, {'name': 'ACME', 'address': {'country': 'IR'}}, None]
    """
    out = [copy.deepcopy(d) for d in docs]
    if not listed or not out:
        return out
    for n, i in enumerate(range(min(every // 2, len(out) - 1), len(out), every)):
        name, country = listed[n % len(listed)]
        out[i]["parties"]["seller"] = {"name": name, "address": {"country": country}}
    return out


def _break(doc: dict[str, Any], defect: str, rng: random.Random) -> None:
    item = doc["items"][0]
    if defect == "unknown_commodity":
        # 0101.10 (pure-bred breeding horses) left the nomenclature in 2012.
        item["commodity_code"] = "010110"
    elif defect == "net_over_gross":
        item["net_mass"] = str(Decimal(item["gross_mass"]) + 5)
    elif defect == "unknown_origin":
        item["origin"] = "XZ"
    elif defect == "unknown_currency":
        doc["invoice_currency"] = "XYZ"
    elif defect == "bad_container":
        number = doc["transport"]["containers"][0]
        doc["transport"]["containers"][0] = number[:-1] + str((int(number[-1]) + 1) % 10)
    elif defect == "total_mismatch":
        doc["total_invoice_amount"] = str(Decimal(doc["total_invoice_amount"]) + 1000)
    elif defect == "proof_missing":
        item["preference"] = "300"
        item.pop("documents", None)
        for other in doc["documents"]:
            other["type"] = "N935"
    elif defect == "bad_eori":
        doc["parties"]["declarant"]["eori"] = "GB12AB"
        doc["parties"].pop("representative", None)
        doc["parties"].pop("representative_status", None)
    elif defect == "missing_description":
        del item["description"]
    elif defect == "bad_mass":
        item["gross_mass"] = rng.choice(("about ten kilos", "n/a", "12,5kg"))
