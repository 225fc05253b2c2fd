"""Demo users (one per role) and the demo register of operators; idempotent."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from functools import lru_cache

from customhouse.access.models import SYSTEM, Role
from customhouse.demo.operators import BROKER_COUNT, demo_operators
from customhouse.services.access import NewUser, create_user, hash_password, user_by_name
from customhouse.services.context import Context
from customhouse.services.operators import OperatorInput, register_operators

# Demo accounts for a local try-out; the README lists them. Never use these in production.
DEMO_PASSWORD = "customhouse-demo"


def demo_users() -> list[NewUser]:
    ops = demo_operators()
    trader, other_trader, broker = ops[0], ops[1], ops[-1]
    office = "GB000060"
    return [
        NewUser("admin", "Administrator", frozenset({Role.ADMIN}), password=DEMO_PASSWORD),
        NewUser(
            "officer1",
            "Olivia Officer",
            frozenset({Role.OFFICER}),
            office=office,
            password=DEMO_PASSWORD,
        ),
        NewUser(
            "officer2",
            "Owen Officer",
            frozenset({Role.OFFICER}),
            office=office,
            password=DEMO_PASSWORD,
        ),
        NewUser(
            "inspector1",
            "Ian Inspector",
            frozenset({Role.INSPECTOR}),
            office=office,
            password=DEMO_PASSWORD,
        ),
        NewUser("analyst1", "Ana Analyst", frozenset({Role.RISK_ANALYST}), password=DEMO_PASSWORD),
        NewUser(
            "analyst2", "Arjun Analyst", frozenset({Role.RISK_ANALYST}), password=DEMO_PASSWORD
        ),
        NewUser(
            "investigator1",
            "Ivy Investigator",
            frozenset({Role.INVESTIGATOR}),
            password=DEMO_PASSWORD,
        ),
        NewUser("auditor1", "Aude Auditor", frozenset({Role.AUDITOR}), password=DEMO_PASSWORD),
        NewUser("agency1", "Plant Health Agency", frozenset({Role.AGENCY}), password=DEMO_PASSWORD),
        NewUser(
            "supervisor1",
            "Sam Supervisor",
            frozenset({Role.SUPERVISOR, Role.OFFICER}),
            office=office,
            password=DEMO_PASSWORD,
        ),
        NewUser(
            "trader1",
            trader.name,
            frozenset({Role.DECLARANT}),
            eori=trader.eori,
            password=DEMO_PASSWORD,
        ),
        NewUser(
            "trader2",
            other_trader.name,
            frozenset({Role.DECLARANT}),
            eori=other_trader.eori,
            password=DEMO_PASSWORD,
        ),
        NewUser(
            "broker1",
            broker.name,
            frozenset({Role.DECLARANT}),
            eori=broker.eori,
            password=DEMO_PASSWORD,
        ),
    ]


@lru_cache(maxsize=1)
def _demo_hash() -> str:
    return hash_password(DEMO_PASSWORD)


def load_demo(ctx: Context, *, guarantees: bool = False) -> dict[str, int]:
    ops = [
        OperatorInput(
            eori=o.eori,
            name=o.name,
            country=o.country,
            street=o.street,
            city=o.city,
            postcode=o.postcode,
            valid_from=o.valid_from,
            valid_to=o.valid_to,
            authorisations=o.authorisations,
        )
        for o in demo_operators()
    ]
    registered = register_operators(ctx, principal=SYSTEM, operators=ops)
    created = 0
    for user in demo_users():
        if user_by_name(ctx, user.username) is None:
            create_user(
                ctx, principal=SYSTEM, user=replace(user, password=None, password_hash=_demo_hash())
            )
            created += 1
    return {
        "operators": registered,
        "users_created": created,
        "guarantees_opened": _demo_guarantees(ctx) if guarantees else 0,
    }


def _demo_guarantees(ctx: Context) -> int:
    """Deferment accounts for the brokers and the traders approved for deferment (DPO), so that
    green-channel goods are released against them as in a real service; once per holder."""
    from sqlalchemy import select

    from customhouse.controls.tables import GuaranteeAccountRow
    from customhouse.services.guarantees import open_guarantee

    ops = demo_operators()
    holders = [o.eori for o in ops[-BROKER_COUNT:]]
    holders += [o.eori for o in ops if any(a.kind == "DPO" for a in o.authorisations)]
    with ctx.sessions() as session:
        have = set(session.scalars(select(GuaranteeAccountRow.holder_eori)))
    opened = 0
    for eori in dict.fromkeys(holders):
        if eori not in have:
            open_guarantee(
                ctx, principal=SYSTEM, holder_eori=eori, currency="USD", limit=Decimal("5000000")
            )
            opened += 1
    return opened
