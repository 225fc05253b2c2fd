"""Selectivity profiles: targeting rules written by risk analysts, as data.

A profile version holds criteria (all given criteria must match; within one criterion any listed
value matches), a validity window ``[valid_from, valid_to)``, the channel it forces, a priority
and instructions to the examiner. A version is drafted by its author and becomes active only when
a DIFFERENT user approves it (four eyes).

>>> from datetime import date
>>> from decimal import Decimal
>>> from customhouse.risk.models import RiskSubject
>>> p = SelectivityProfile(code="TOBACCO-AE", version=1, name="Cigarettes from AE",
...     criteria=ProfileCriteria(commodity_prefixes=("2402",), origins=("AE",)),
...     channel=Channel.RED, priority=10, valid_from=date(2024, 1, 1), author="ana")
>>> p = activate(p, approver="ben", at=date(2024, 1, 2))
>>> s = RiskSubject(declaration_id="D1", commodity_code="240220", origin="AE",
...     customs_value=Decimal(900), net_mass=Decimal(30), lodged_on=date(2024, 2, 1))
>>> [r.message for r in match_profile(p, s, at=date(2024, 2, 1))]
['commodity code 240220 starts with 2402', 'origin AE in AE']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from customhouse.errors import Problem
from customhouse.risk.errors import FourEyesViolation, IllegalProfileTransition, InvalidProfile
from customhouse.risk.models import Channel, ProfileHit, Reason, RiskSubject


class ProfileStatus(StrEnum):
    DRAFT = "draft"  # written, still being edited by its author
    SUBMITTED = "submitted"  # handed over for a second person's approval
    ACTIVE = "active"  # approved by someone other than the author
    RETIRED = "retired"  # withdrawn; kept for the record and hit history


@dataclass(frozen=True, slots=True)
class ReferencePrices:
    """Reference unit values (per kg) by commodity prefix and origin ("" = any origin).

    >>> r = ReferencePrices({("8517", "CN"): Decimal("40"), ("85", ""): Decimal("10")})
    >>> r.lookup("851712", "CN"), r.lookup("851712", "VN"), r.lookup("0101", "CN")
    (Decimal('40'), Decimal('10'), None)
    """

    prices: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)

    def lookup(self, commodity_code: str, origin: str) -> Decimal | None:
        """The longest matching prefix wins; an origin-specific price beats an any-origin one."""
        for size in range(len(commodity_code), 0, -1):
            prefix = commodity_code[:size]
            for key in ((prefix, origin), (prefix, "")):
                if key in self.prices:
                    return self.prices[key]
        return None


@dataclass(frozen=True, slots=True)
class ProfileCriteria:
    """What a profile looks for. Empty tuples and None mean "any".

    ``unit_value_below_reference`` = 0.5 hits when the unit value is under half the reference
    price of that commodity and origin; ``unit_value_above_reference`` = 3 when over three times.
    """

    commodity_prefixes: tuple[str, ...] = ()
    origins: tuple[str, ...] = ()
    departures: tuple[str, ...] = ()
    importers: tuple[str, ...] = ()
    declarants: tuple[str, ...] = ()
    sellers: tuple[str, ...] = ()
    procedures: tuple[str, ...] = ()
    transport_modes: tuple[str, ...] = ()
    offices: tuple[str, ...] = ()
    value_min: Decimal | None = None
    value_max: Decimal | None = None
    unit_value_min: Decimal | None = None
    unit_value_max: Decimal | None = None
    unit_value_below_reference: Decimal | None = None
    unit_value_above_reference: Decimal | None = None

    def is_empty(self) -> bool:
        return all(getattr(self, f) in ((), None) for f in self.__slots__)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.__slots__:
            value = getattr(self, name)
            if value in ((), None):
                continue
            out[name] = list(value) if isinstance(value, tuple) else str(value)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ProfileCriteria:
        """Criteria from JSON-like data; unknown keys and bad numbers are refused."""
        problems: list[Problem] = []
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key not in cls.__slots__:
                problems.append(
                    Problem("risk.UnknownCriterion", f"/criteria/{key}", "unknown criterion")
                )
            elif key.startswith(("value_", "unit_value_")):
                try:
                    kwargs[key] = None if value is None else Decimal(str(value))
                except ArithmeticError:
                    problems.append(
                        Problem("risk.NotANumber", f"/criteria/{key}", f"not a number: {value!r}")
                    )
            elif isinstance(value, str):
                kwargs[key] = (value,)
            else:
                kwargs[key] = tuple(str(v) for v in value)
        if problems:
            raise InvalidProfile("profile criteria are invalid", problems)
        return cls(**kwargs)


_LIST_CRITERIA: tuple[tuple[str, str, str], ...] = (
    ("origins", "origin", "origin"),
    ("departures", "departure", "departure country"),
    ("importers", "importer_id", "importer"),
    ("declarants", "declarant_id", "declarant"),
    ("sellers", "seller_id", "seller"),
    ("procedures", "procedure", "procedure"),
    ("transport_modes", "transport_mode", "transport mode"),
    ("offices", "office", "office"),
)


@dataclass(frozen=True, slots=True)
class SelectivityProfile:
    """One version of a targeting profile."""

    code: str
    version: int
    name: str
    criteria: ProfileCriteria
    channel: Channel
    priority: int
    valid_from: date
    author: str
    valid_to: date | None = None
    instructions: str = ""
    status: ProfileStatus = ProfileStatus.DRAFT
    approved_by: str | None = None
    approved_on: date | None = None

    def __post_init__(self) -> None:
        problems = []
        if not self.code.strip():
            problems.append(Problem("risk.MissingCode", "/code", "a profile needs a code"))
        if self.version < 1:
            problems.append(Problem("risk.BadVersion", "/version", "versions start at 1"))
        if self.valid_to is not None and self.valid_to <= self.valid_from:
            problems.append(
                Problem("risk.EmptyWindow", "/valid_to", "valid_to must be after valid_from")
            )
        if self.criteria.is_empty():
            problems.append(
                Problem(
                    "risk.NoCriteria",
                    "/criteria",
                    "a profile without criteria would select everything",
                )
            )
        if self.status == ProfileStatus.ACTIVE and (
            self.approved_by is None
            or self.approved_by.strip().casefold() == self.author.strip().casefold()
        ):
            problems.append(
                Problem(
                    "risk.FourEyes",
                    "/approved_by",
                    "an active profile needs an approver other than its author",
                )
            )
        if problems:
            raise InvalidProfile(f"profile {self.code!r} is invalid", problems)

    def in_force(self, at: date) -> bool:
        """Active and ``at`` inside ``[valid_from, valid_to)``."""
        return (
            self.status == ProfileStatus.ACTIVE
            and self.valid_from <= at
            and (self.valid_to is None or at < self.valid_to)
        )


def submit(profile: SelectivityProfile) -> SelectivityProfile:
    """The draft handed over for approval (the service lets only submitted versions be approved).

    >>> p = SelectivityProfile(code="X", version=1, name="X",
    ...     criteria=ProfileCriteria(origins=("AE",)), channel=Channel.RED, priority=1,
    ...     valid_from=date(2024, 1, 1), author="ana")
    >>> submit(p).status.value
    'submitted'
    """
    if profile.status != ProfileStatus.DRAFT:
        raise IllegalProfileTransition(
            f"profile {profile.code} v{profile.version} is {profile.status}, not draft",
            {"code": profile.code, "version": profile.version, "status": str(profile.status)},
        )
    return replace(profile, status=ProfileStatus.SUBMITTED)


def activate(profile: SelectivityProfile, *, approver: str, at: date) -> SelectivityProfile:
    """The approved version; refused when the approver wrote it or it is neither draft nor
    submitted."""
    if profile.status not in (ProfileStatus.DRAFT, ProfileStatus.SUBMITTED):
        raise IllegalProfileTransition(
            f"profile {profile.code} v{profile.version} is {profile.status}, not submitted",
            {"code": profile.code, "version": profile.version, "status": str(profile.status)},
        )
    if approver.strip().casefold() == profile.author.strip().casefold():
        raise FourEyesViolation(
            f"profile {profile.code} v{profile.version} must be approved by someone other "
            f"than its author {profile.author!r}",
            {"code": profile.code, "version": profile.version, "author": profile.author},
        )
    return replace(profile, status=ProfileStatus.ACTIVE, approved_by=approver, approved_on=at)


def retire(profile: SelectivityProfile) -> SelectivityProfile:
    """Withdraw a draft or active version."""
    if profile.status == ProfileStatus.RETIRED:
        raise IllegalProfileTransition(f"profile {profile.code} v{profile.version} is retired")
    return replace(profile, status=ProfileStatus.RETIRED)


def match_profile(
    profile: SelectivityProfile,
    subject: RiskSubject,
    *,
    at: date,
    reference_prices: ReferencePrices | None = None,
) -> tuple[Reason, ...]:
    """The reasons the profile matches ``subject`` on ``at``; empty when it does not."""
    if not profile.in_force(at):
        return ()
    c = profile.criteria
    reasons: list[Reason] = []

    def hit(code: str, message: str) -> None:
        reasons.append(Reason("profile", f"{profile.code}.{code}", message))

    if c.commodity_prefixes:
        prefix = next(
            (p for p in c.commodity_prefixes if subject.commodity_code.startswith(p)), None
        )
        if prefix is None:
            return ()
        hit("commodity", f"commodity code {subject.commodity_code} starts with {prefix}")
    for criterion, attribute, label in _LIST_CRITERIA:
        allowed: tuple[str, ...] = getattr(c, criterion)
        if allowed:
            value = getattr(subject, attribute)
            if value not in allowed:
                return ()
            hit(criterion, f"{label} {value} in {', '.join(allowed)}")
    value = subject.customs_value
    if c.value_min is not None or c.value_max is not None:
        if not _within(value, c.value_min, c.value_max):
            return ()
        hit("value", f"customs value {value} in {_range(c.value_min, c.value_max)}")
    unit = subject.unit_value
    if c.unit_value_min is not None or c.unit_value_max is not None:
        if unit is None or not _within(unit, c.unit_value_min, c.unit_value_max):
            return ()
        hit(
            "unit_value",
            f"unit value {unit:.2f}/kg in {_range(c.unit_value_min, c.unit_value_max)}",
        )
    if c.unit_value_below_reference is not None or c.unit_value_above_reference is not None:
        ref = (reference_prices or ReferencePrices()).lookup(subject.commodity_code, subject.origin)
        if unit is None or ref is None or ref <= 0:
            return ()
        ratio = unit / ref
        if c.unit_value_below_reference is not None and ratio < c.unit_value_below_reference:
            hit(
                "below_reference",
                f"unit value {unit:.2f}/kg is {ratio:.2f}× the reference "
                f"{ref} for {subject.commodity_code} from {subject.origin}",
            )
        elif c.unit_value_above_reference is not None and ratio > c.unit_value_above_reference:
            hit(
                "above_reference",
                f"unit value {unit:.2f}/kg is {ratio:.2f}× the reference "
                f"{ref} for {subject.commodity_code} from {subject.origin}",
            )
        else:
            return ()
    return tuple(reasons)


def _within(value: Decimal, low: Decimal | None, high: Decimal | None) -> bool:
    # Ranges are [low, high) like validity windows.
    return (low is None or value >= low) and (high is None or value < high)


def _range(low: Decimal | None, high: Decimal | None) -> str:
    return f"[{'' if low is None else low}, {'' if high is None else high})"


def evaluate_profiles(
    profiles: Sequence[SelectivityProfile],
    subjects: Sequence[RiskSubject],
    *,
    at: date,
    reference_prices: ReferencePrices | None = None,
) -> dict[str, list[ProfileHit]]:
    """Every hit of every profile in force on ``at``, by declaration id, strongest first.

    Strongest = highest priority, then the most severe channel, then profile code.
    """
    in_force = [p for p in profiles if p.in_force(at)]
    out: dict[str, list[ProfileHit]] = {}
    for subject in subjects:
        hits = []
        for profile in in_force:
            reasons = match_profile(profile, subject, at=at, reference_prices=reference_prices)
            if reasons:
                hits.append(
                    ProfileHit(
                        declaration_id=subject.declaration_id,
                        profile_code=profile.code,
                        profile_version=profile.version,
                        channel=profile.channel,
                        priority=profile.priority,
                        instructions=profile.instructions,
                        reasons=reasons,
                    )
                )
        if hits:
            hits.sort(key=lambda h: (-h.priority, -h.channel.severity, h.profile_code))
            out[subject.declaration_id] = hits
    return out


def profile_from_dict(data: Mapping[str, Any]) -> SelectivityProfile:
    """A profile from JSON-like data (the file format the CLI reads)."""
    try:
        return SelectivityProfile(
            code=str(data["code"]),
            version=int(data.get("version", 1)),
            name=str(data.get("name", data["code"])),
            criteria=ProfileCriteria.from_dict(data.get("criteria", {})),
            channel=Channel(data.get("channel", "red")),
            priority=int(data.get("priority", 0)),
            valid_from=date.fromisoformat(data["valid_from"]),
            valid_to=date.fromisoformat(data["valid_to"]) if data.get("valid_to") else None,
            author=str(data["author"]),
            instructions=str(data.get("instructions", "")),
            status=ProfileStatus(data.get("status", "draft")),
            approved_by=data.get("approved_by"),
            approved_on=date.fromisoformat(data["approved_on"])
            if data.get("approved_on")
            else None,
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise InvalidProfile(
            f"profile is unreadable: {exc}",
            [Problem("risk.UnreadableProfile", "/", str(exc))],
        ) from exc


def profile_to_dict(profile: SelectivityProfile) -> dict[str, Any]:
    return {
        "code": profile.code,
        "version": profile.version,
        "name": profile.name,
        "criteria": profile.criteria.as_dict(),
        "channel": profile.channel.value,
        "priority": profile.priority,
        "valid_from": profile.valid_from.isoformat(),
        "valid_to": profile.valid_to.isoformat() if profile.valid_to else None,
        "author": profile.author,
        "instructions": profile.instructions,
        "status": profile.status.value,
        "approved_by": profile.approved_by,
        "approved_on": profile.approved_on.isoformat() if profile.approved_on else None,
    }
