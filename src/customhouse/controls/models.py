"""Control tasks, findings and the release decision (pure).

A channel becomes tasks (or none):

>>> [t.kind.value for t in plan_tasks("red", ["profile P-7"], dt.date(2025, 6, 2))]
['physical_examination']
>>> plan_tasks("green", [], dt.date(2025, 6, 2))
[]
>>> t = plan_tasks("yellow", ["value below 40% of the unit-value median"], dt.date(2025, 6, 2))[0]
>>> t.kind.value, t.deadline.isoformat(), t.instructions[0]
('documentary_check', '2025-06-03', 'value below 40% of the unit-value median')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class Channel(StrEnum):
    GREEN = "green"  # release at once
    YELLOW = "yellow"  # documentary check
    RED = "red"  # physical or scanner examination
    BLUE = "blue"  # release, audit after clearance


class TaskKind(StrEnum):
    DOCUMENTARY_CHECK = "documentary_check"
    PHYSICAL_EXAMINATION = "physical_examination"
    SCANNER_REVIEW = "scanner_review"
    SAMPLING = "sampling"
    AGENCY_REFERRAL = "agency_referral"
    SCREENING_REVIEW = "screening_review"


class TaskStatus(StrEnum):
    QUEUED = "queued"  # waiting for an officer
    ALLOCATED = "allocated"
    CLOSED = "closed"


class FindingCode(StrEnum):
    NO_DISCREPANCY = "no_discrepancy"
    MISCLASSIFICATION = "misclassification"
    UNDERVALUATION = "undervaluation"
    WRONG_ORIGIN = "wrong_origin"
    QUANTITY = "quantity"
    PROHIBITED_RESTRICTED = "prohibited_restricted"
    IPR_INFRINGEMENT = "ipr_infringement"
    UNDECLARED_GOODS = "undeclared_goods"


# Findings whose goods may not be released: they go to seizure and a case.
BLOCKING_FINDINGS = frozenset(
    {FindingCode.PROHIBITED_RESTRICTED, FindingCode.IPR_INFRINGEMENT, FindingCode.UNDECLARED_GOODS}
)
# What a finding may correct on an item (the fields the tariff engine reads).
CORRECTABLE = frozenset(
    {"commodity_code", "origin", "invoice_amount", "net_mass", "supplementary_units"}
)

# Which role does each kind of task, and how long it may take (working hours are not modelled:
# a deadline is a calendar offset, as in most national instructions).
TASK_ROLE: dict[TaskKind, str] = {
    TaskKind.DOCUMENTARY_CHECK: "officer",
    TaskKind.PHYSICAL_EXAMINATION: "inspector",
    TaskKind.SCANNER_REVIEW: "inspector",
    TaskKind.SAMPLING: "inspector",
    TaskKind.AGENCY_REFERRAL: "officer",
    TaskKind.SCREENING_REVIEW: "officer",
}
DEADLINE_DAYS: dict[TaskKind, int] = {
    TaskKind.DOCUMENTARY_CHECK: 1,
    TaskKind.PHYSICAL_EXAMINATION: 2,
    TaskKind.SCANNER_REVIEW: 1,
    TaskKind.SAMPLING: 10,
    TaskKind.AGENCY_REFERRAL: 5,
    TaskKind.SCREENING_REVIEW: 1,
}
CHECKLISTS: dict[TaskKind, tuple[str, ...]] = {
    TaskKind.DOCUMENTARY_CHECK: (
        "invoice matches declared value and currency",
        "commodity code matches the goods description",
        "proof of origin present and valid for preference claimed",
        "licences and certificates present and valid",
        "transport document matches packages and container",
    ),
    TaskKind.PHYSICAL_EXAMINATION: (
        "seals intact and container number as declared",
        "number and kind of packages as declared",
        "goods match description and commodity code",
        "quantity and net mass as declared",
        "origin marking as declared",
        "no undeclared, prohibited or counterfeit goods",
    ),
    TaskKind.SCANNER_REVIEW: (
        "image matches declared goods and density",
        "no concealment or anomalies",
    ),
    TaskKind.SAMPLING: ("sample taken and sealed", "sample sent to the laboratory"),
    TaskKind.AGENCY_REFERRAL: ("agency answer received", "permit or certificate valid"),
    TaskKind.SCREENING_REVIEW: ("screening hit confirmed or dismissed with reason",),
}


@dataclass(frozen=True)
class TaskPlan:
    kind: TaskKind
    role: str
    deadline: dt.date
    instructions: tuple[str, ...]
    checklist: tuple[str, ...]


def plan_tasks(channel: str, reasons: Sequence[str], at: dt.date) -> list[TaskPlan]:
    """The control tasks a channel calls for, each with the risk reasons as its instructions."""
    kinds: list[TaskKind] = []
    if channel == Channel.YELLOW:
        kinds = [TaskKind.DOCUMENTARY_CHECK]
    elif channel == Channel.RED:
        text = " ".join(reasons).lower()
        # Red means the goods are looked at; a scanner image first where the profile asks for it.
        kinds = [TaskKind.SCANNER_REVIEW] if "scanner" in text else []
        kinds.append(TaskKind.PHYSICAL_EXAMINATION)
    instructions = tuple(reasons) or ("selected at random (no profile reason)",)
    return [
        TaskPlan(
            kind=k,
            role=TASK_ROLE[k],
            deadline=at + dt.timedelta(days=DEADLINE_DAYS[k]),
            instructions=instructions,
            checklist=CHECKLISTS[k],
        )
        for k in kinds
    ]


@dataclass(frozen=True)
class Finding:
    """What an officer found: a code, corrections per item number, a note, evidence digests."""

    code: FindingCode
    corrections: dict[int, dict[str, str]] = field(default_factory=dict)
    note: str = ""
    evidence: tuple[str, ...] = ()


def check_finding(f: Finding, item_numbers: Sequence[int]) -> list[str]:
    """Every problem with a finding (empty when it can be recorded).

    >>> check_finding(Finding(FindingCode.NO_DISCREPANCY, {1: {"origin": "CN"}}), [1])
    ['no discrepancy cannot correct item data']
    >>> check_finding(Finding(FindingCode.WRONG_ORIGIN, {3: {"colour": "red"}}), [1, 2])
    ['item 3 is not on the declaration', 'item 3: colour cannot be corrected']
    """
    out: list[str] = []
    if f.code == FindingCode.NO_DISCREPANCY and f.corrections:
        out.append("no discrepancy cannot correct item data")
    for number, fields in sorted(f.corrections.items()):
        if number not in item_numbers:
            out.append(f"item {number} is not on the declaration")
        out.extend(
            f"item {number}: {name} cannot be corrected"
            for name in sorted(fields)
            if name not in CORRECTABLE
        )
    return out


@dataclass(frozen=True)
class ReleaseCheck:
    """What release needs to know about one declaration, gathered by the service."""

    open_tasks: int
    blocking_findings: int
    due: Decimal
    paid: Decimal
    guarantee_available: Decimal
    missing_permits: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReleaseDecision:
    release: bool
    draw_from_guarantee: Decimal
    reasons: tuple[str, ...]


def decide_release(c: ReleaseCheck) -> ReleaseDecision:
    """Release when every task is closed, duties are paid or guaranteed and permits are valid.

    >>> decide_release(ReleaseCheck(0, 0, Decimal("100"), Decimal("30"), Decimal("500")))
    ReleaseDecision(release=True, draw_from_guarantee=Decimal('70'), reasons=())
    >>> decide_release(ReleaseCheck(1, 0, Decimal("100"), Decimal("0"), Decimal("50"))).reasons
    ('1 control task(s) still open', 'duties not paid or guaranteed: 100 due, 50 can be drawn')
    """
    reasons: list[str] = []
    if c.open_tasks:
        reasons.append(f"{c.open_tasks} control task(s) still open")
    if c.blocking_findings:
        reasons.append(f"{c.blocking_findings} finding(s) bar release (seizure or case)")
    shortfall = max(c.due - c.paid, Decimal(0))
    if shortfall > c.guarantee_available:
        reasons.append(
            f"duties not paid or guaranteed: {shortfall} due, {c.guarantee_available} can be drawn"
        )
    reasons.extend(f"permit missing or expired: {p}" for p in c.missing_permits)
    if reasons:
        return ReleaseDecision(False, Decimal(0), tuple(reasons))
    return ReleaseDecision(True, shortfall, ())
