"""Deferment accounts and comprehensive guarantees: opened by a supervisor, drawn on by the
releases of the holder's declarations (``controls``), settled by the holder's payments.

What a release draws is owed, not collected: a settlement is the money received. A settlement
larger than what is outstanding is refused, not capped, so that no payment goes unrecorded.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, false, select, true

from customhouse.access.models import Action, Principal
from customhouse.controls import errors as e
from customhouse.controls.tables import GuaranteeAccountRow, GuaranteeSettlementRow, PaymentRow
from customhouse.declarations.tables import DeclarationRow
from customhouse.errors import DomainError, Problem
from customhouse.identifiers import eori as eori_id
from customhouse.ledger.models import timestamp
from customhouse.services.context import Context
from customhouse.tariff.units import CURRENCIES

SUBJECT = "guarantee"
CENT = Decimal("0.01")
RECENT = 50  # drawdowns and settlements shown with an account
BAD = e.BadAccount.code


def _money(amount: Decimal, field: str) -> list[Problem]:
    """What is wrong with ``amount`` as a positive sum in cents (nothing: an empty list)."""
    if not amount.is_finite() or amount <= 0:
        return [Problem(BAD, f"/{field}", f"{field} must be a positive amount, got {amount}")]
    if amount != amount.quantize(CENT):
        return [Problem(BAD, f"/{field}", f"{field} {amount} has more than two decimal places")]
    return []


def _refuse(problems: list[Problem]) -> None:
    if problems:
        raise e.BadAccount("; ".join(p.message for p in problems), problems)


def open_guarantee(
    ctx: Context, *, principal: Principal, holder_eori: str, currency: str, limit: Decimal
) -> int:
    """A deferment account or comprehensive guarantee with its reference amount (the limit)."""
    principal.require(Action.MANAGE_GUARANTEES)
    problems: list[Problem] = []
    holder = eori_id.compact(holder_eori)
    try:
        eori_id.validate(holder)
    except DomainError as exc:
        problems.append(Problem(exc.code, "/holder_eori", f"holder: {exc.message}"))
    currency = currency.strip().upper()
    if currency not in CURRENCIES:
        problems.append(Problem(BAD, "/currency", f"unknown currency {currency!r}"))
    problems += _money(limit, "limit")
    _refuse(problems)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        taken = uow.session.scalar(
            select(GuaranteeAccountRow.id).where(
                GuaranteeAccountRow.holder_eori == holder, GuaranteeAccountRow.currency == currency
            )
        )
        if taken is not None:
            raise e.AccountExists(
                f"{holder} already has a {currency} account ({taken})", {"account": taken}
            )
        account = GuaranteeAccountRow(
            holder_eori=holder,
            currency=currency,
            limit_amount=limit,
            balance=limit,
            opened_at=timestamp(now),
        )
        uow.session.add(account)
        uow.session.flush()
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="guarantee.opened",
            subject_type=SUBJECT,
            subject_id=str(account.id),
            payload={"holder": holder, "currency": currency, "limit": f"{limit:.2f}"},
        )
        account_id = account.id
        uow.commit()
    return account_id


def settle_guarantee(
    ctx: Context, *, principal: Principal, account_id: int, amount: Decimal, reference: str
) -> Decimal:
    """The holder's payment into a deferment account: recorded, and the balance restored by it.

    Refused when larger than what releases drew and is still unsettled (the limit less the
    balance). Returns the new balance.
    """
    principal.require(Action.RECORD_PAYMENT)
    problems = _money(amount, "amount")
    reference = reference.strip()
    if not reference:
        problems.append(Problem(BAD, "/reference", "a settlement needs the payment's reference"))
    _refuse(problems)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        account = uow.session.get(GuaranteeAccountRow, account_id, with_for_update=True)
        if account is None:
            raise e.AccountNotFound(f"no guarantee account {account_id}")
        outstanding = Decimal(account.limit_amount) - Decimal(account.balance)
        if amount > outstanding:
            raise e.SettlementExceedsOutstanding(
                f"{amount:.2f} {account.currency} is more than the {outstanding:.2f} outstanding"
                f" on account {account_id}",
                {"amount": f"{amount:.2f}", "outstanding": f"{outstanding:.2f}"},
            )
        account.balance = Decimal(account.balance) + amount
        balance = Decimal(account.balance)
        settlement = GuaranteeSettlementRow(
            account_id=account_id,
            amount=amount,
            currency=account.currency,
            reference=reference,
            at=timestamp(now),
            by=principal.actor,
        )
        uow.session.add(settlement)
        uow.session.flush()
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="guarantee.settled",
            subject_type=SUBJECT,
            subject_id=str(account_id),
            payload={
                "settlement": settlement.id,
                "amount": f"{amount:.2f}",
                "balance": f"{balance:.2f}",
                "ref": reference,
            },
        )
        uow.commit()
    return balance


def _view(account: GuaranteeAccountRow) -> dict[str, Any]:
    limit, balance = Decimal(account.limit_amount), Decimal(account.balance)
    return {
        "id": account.id,
        "holder_eori": account.holder_eori,
        "currency": account.currency,
        "limit": f"{limit:.2f}",
        "balance": f"{balance:.2f}",
        "outstanding": f"{limit - balance:.2f}",
        "opened_at": account.opened_at,
    }


def _seen_by(principal: Principal) -> ColumnElement[bool]:
    """The accounts ``principal`` may see: every one for customs staff, a trader's own (an
    unknown or foreign account is "not found" to it, as a declaration is), none without an EORI."""
    if principal.may(Action.READ_CONTROLS):
        return true()
    if principal.eori is None:
        return false()
    return GuaranteeAccountRow.holder_eori == principal.eori


def list_guarantees(
    ctx: Context, *, principal: Principal, holder_eori: str | None = None
) -> list[dict[str, Any]]:
    """Accounts with limit, balance and outstanding: every one for customs staff, a trader's
    own for a trader."""
    if principal.eori is None:
        principal.require(Action.READ_CONTROLS)  # neither staff nor a trader: refused
    stmt = select(GuaranteeAccountRow).where(_seen_by(principal)).order_by(GuaranteeAccountRow.id)
    if holder_eori:
        stmt = stmt.where(GuaranteeAccountRow.holder_eori == eori_id.compact(holder_eori))
    with ctx.sessions() as session:
        return [_view(a) for a in session.scalars(stmt)]


def guarantee_account(ctx: Context, *, principal: Principal, account_id: int) -> dict[str, Any]:
    """One account with its latest drawdowns (by MRN) and settlements."""
    with ctx.sessions() as session:
        account = session.scalar(
            select(GuaranteeAccountRow).where(
                GuaranteeAccountRow.id == account_id, _seen_by(principal)
            )
        )
        if account is None:
            raise e.AccountNotFound(f"no guarantee account {account_id}")
        drawn = session.execute(
            select(PaymentRow.at, PaymentRow.amount, DeclarationRow.mrn)
            .join(DeclarationRow, DeclarationRow.id == PaymentRow.declaration_id)
            .where(PaymentRow.account_id == account_id, PaymentRow.method == "guarantee")
            .order_by(PaymentRow.id.desc())
            .limit(RECENT)
        ).all()
        settled = session.scalars(
            select(GuaranteeSettlementRow)
            .where(GuaranteeSettlementRow.account_id == account_id)
            .order_by(GuaranteeSettlementRow.id.desc())
            .limit(RECENT)
        ).all()
        return {
            **_view(account),
            "drawdowns": [
                {"at": at, "amount": f"{Decimal(amount):.2f}", "mrn": mrn}
                for at, amount, mrn in drawn
            ],
            "settlements": [
                {
                    "id": s.id,
                    "at": s.at,
                    "amount": f"{Decimal(s.amount):.2f}",
                    "reference": s.reference,
                    "by": s.by,
                }
                for s in settled
            ],
        }
