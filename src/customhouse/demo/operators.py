"""A fixed register of demo operators (fictitious companies with well-formed GB/XI/EU EORIs)."""

from __future__ import annotations

import random
from datetime import date

from customhouse.traders.models import Authorisation, Operator

_NAMES = (
    "Albion Freight Ltd",
    "Thames Import Co",
    "Pennine Textiles Ltd",
    "Solent Marine Supplies",
    "Clyde Engineering plc",
    "Mersey Foods Ltd",
    "Cotswold Wines Ltd",
    "Humber Steel Traders",
    "Severn Electronics Ltd",
    "Tyne Toys & Games",
    "Kentish Fresh Produce",
    "Wessex Pharma Ltd",
    "Northumbria Footwear",
    "Cambrian Timber Ltd",
    "Lothian Spirits Ltd",
    "Anglia Auto Parts",
    "Medway Logistics Ltd",
    "Fenland Agri Supplies",
    "Chiltern Cosmetics Ltd",
    "Dales Outdoor Ltd",
    "Ribble Chemicals Ltd",
    "Exmoor Furniture Ltd",
    "Trent Bicycle Co",
    "Avon Ceramics Ltd",
    "Forth Fisheries Ltd",
    "Mendip Minerals Ltd",
    "Weald Garden Goods",
    "Peak Sportswear Ltd",
    "Ouse Optical Ltd",
    "Tamar Tea Importers",
    "Belfast Linen Traders",
    "Ulster Machinery Ltd",
    "Solway Customs Brokers",
    "Dover Strait Forwarding",
    "Heathrow Air Cargo Agents",
    "Felixstowe Clearance Ltd",
    "Channel Brokerage Services",
    "Midlands Customs Agents",
    "Atlantic Gateway Brokers",
    "Pennine Customs Services",
)
_CITIES = (
    "London",
    "Manchester",
    "Birmingham",
    "Leeds",
    "Glasgow",
    "Bristol",
    "Liverpool",
    "Sheffield",
    "Edinburgh",
    "Cardiff",
    "Belfast",
    "Southampton",
    "Dover",
    "Felixstowe",
)

_STREETS = ("High", "Dock", "Mill", "Station")


def _postcode(rng: random.Random) -> str:
    area = rng.choice(["E", "M", "B", "LS", "G"])
    return f"{area}{rng.randint(1, 20)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}" + rng.choice(
        "LNPQRS"
    )


# The last eight operators are customs brokers who lodge for the others.
BROKER_COUNT = 8


def demo_operators(seed: int = 7) -> list[Operator]:
    """The same register for the same seed: 40 operators, some AEO, some with lapsed status."""
    rng = random.Random(seed)
    out = []
    for i, name in enumerate(_NAMES):
        # Northern Ireland traders hold XI EORIs; their address country is still GB.
        prefix = "XI" if name.startswith(("Belfast", "Ulster")) else "GB"
        country = "GB"
        eori = f"{prefix}{100000000000 + i * 7919:012d}"
        auths: list[Authorisation] = []
        roll = rng.random()
        if roll < 0.25:
            auths.append(Authorisation("AEOF", f"{prefix}AEOF{i:05d}", date(2019, 3, 1)))
        elif roll < 0.35:
            auths.append(Authorisation("AEOC", f"{prefix}AEOC{i:05d}", date(2020, 6, 1)))
        elif roll < 0.40:
            # A lapsed authorisation: valid once, not any more.
            auths.append(
                Authorisation("AEOS", f"{prefix}AEOS{i:05d}", date(2018, 1, 1), date(2023, 1, 1))
            )
        if rng.random() < 0.3:
            auths.append(Authorisation("DPO", f"{prefix}DPO{i:05d}", date(2021, 1, 1)))
        out.append(
            Operator(
                eori=eori,
                name=name,
                country=country,
                street=f"{rng.randint(1, 250)} {rng.choice(_STREETS)} Street",
                city=rng.choice(_CITIES),
                postcode=_postcode(rng),
                valid_from=date(2015, 1, 1),
                authorisations=tuple(auths),
            )
        )
    return out
