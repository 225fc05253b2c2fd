"""Persistence of profiles, hit counts and models, over a SQLAlchemy Session the caller owns.

The repository never commits: the unit of work around it does (with its ledger event).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from customhouse.risk.errors import ModelNotFound, ProfileNotFound
from customhouse.risk.model import RiskModel
from customhouse.risk.models import Channel, ProfileHit
from customhouse.risk.profiles import (
    ProfileCriteria,
    ProfileStatus,
    SelectivityProfile,
)
from customhouse.risk.tables import (
    RiskActiveModelRow,
    RiskDaySeedRow,
    RiskDecisionRow,
    RiskLabelRow,
    RiskModelRow,
    RiskOfficePolicyRow,
    RiskProfileApprovalRow,
    RiskProfileHitCountRow,
    RiskProfileRow,
    RiskProfileVersionRow,
)
from customhouse.storage.bulk import bulk_insert, table_of


@dataclass(frozen=True, slots=True)
class ProfileHitRate:
    """A profile version's record at an office: hits, controls done and findings."""

    code: str
    version: int
    office: str
    hits: int
    controlled: int
    findings: int

    @property
    def hit_rate(self) -> float | None:
        """Share of controlled hits that found something (None before any control)."""
        return self.findings / self.controlled if self.controlled else None


class RiskRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- profiles ---------------------------------------------------------------------------

    def _version_row(self, code: str, version: int) -> RiskProfileVersionRow:
        row = self.session.scalar(
            select(RiskProfileVersionRow)
            .join(RiskProfileRow)
            .where(RiskProfileRow.code == code, RiskProfileVersionRow.version == version)
        )
        if row is None:
            raise ProfileNotFound(
                f"profile {code} v{version} not found", {"code": code, "version": version}
            )
        return row

    def save_profile(self, profile: SelectivityProfile, *, at: datetime) -> None:
        """Insert a new version, or update the status fields of an existing one."""
        head = self.session.scalar(
            select(RiskProfileRow).where(RiskProfileRow.code == profile.code)
        )
        if head is None:
            head = RiskProfileRow(code=profile.code, name=profile.name)
            self.session.add(head)
            self.session.flush()
        head.name = profile.name
        row = self.session.scalar(
            select(RiskProfileVersionRow).where(
                RiskProfileVersionRow.profile_id == head.id,
                RiskProfileVersionRow.version == profile.version,
            )
        )
        if row is None:
            row = RiskProfileVersionRow(profile_id=head.id, version=profile.version, created_at=at)
            self.session.add(row)
        row.criteria = profile.criteria.as_dict()
        row.channel = profile.channel.value
        row.priority = profile.priority
        row.instructions = profile.instructions
        row.valid_from = profile.valid_from
        row.valid_to = profile.valid_to
        row.status = profile.status.value
        row.author = profile.author
        row.approved_by = profile.approved_by
        row.approved_on = profile.approved_on
        self.session.flush()

    def record_decision(
        self,
        code: str,
        version: int,
        *,
        approver: str,
        decision: str,
        at: datetime,
        note: str = "",
    ) -> None:
        """Keep an approval, refusal or retirement of a version on record."""
        row = self._version_row(code, version)
        self.session.add(
            RiskProfileApprovalRow(
                version_id=row.id, approver=approver, decision=decision, decided_at=at, note=note
            )
        )
        self.session.flush()

    def approvals(self, code: str, version: int) -> list[tuple[str, str]]:
        row = self._version_row(code, version)
        return [
            (a.approver, a.decision)
            for a in self.session.scalars(
                select(RiskProfileApprovalRow)
                .where(RiskProfileApprovalRow.version_id == row.id)
                .order_by(RiskProfileApprovalRow.id)
            )
        ]

    def get_profile(self, code: str, version: int | None = None) -> SelectivityProfile:
        """A given version, or the latest one."""
        if version is None:
            version = self.session.scalar(
                select(RiskProfileVersionRow.version)
                .join(RiskProfileRow)
                .where(RiskProfileRow.code == code)
                .order_by(RiskProfileVersionRow.version.desc())
                .limit(1)
            )
            if version is None:
                raise ProfileNotFound(f"profile {code} not found", {"code": code})
        return _profile(self._version_row(code, version))

    def profiles_in_force(self, at: date) -> list[SelectivityProfile]:
        rows = self.session.scalars(
            select(RiskProfileVersionRow).where(
                RiskProfileVersionRow.status == ProfileStatus.ACTIVE.value,
                RiskProfileVersionRow.valid_from <= at,
            )
        )
        return [p for p in map(_profile, rows) if p.in_force(at)]

    def record_hits(self, hits: Iterable[ProfileHit], *, office: str) -> None:
        """Count hits when decisions are stored (one counter row read per profile version)."""
        self.record_office_hits((office, hit) for hit in hits)

    def record_office_hits(self, hits: Iterable[tuple[str, ProfileHit]]) -> None:
        """:meth:`record_hits` of many offices at once: (office, hit) pairs, one flush."""
        counts = Counter((office, h.profile_code, h.profile_version) for office, h in hits)
        for (office, code, version), n in sorted(counts.items()):
            self._counter(code, version, office).hits += n
        self.session.flush()

    def record_control_result(self, code: str, version: int, *, office: str, finding: bool) -> None:
        """A control of a declaration this profile hit ended: count it and its finding."""
        counter = self._counter(code, version, office)
        counter.controlled += 1
        counter.findings += 1 if finding else 0
        self.session.flush()

    def hit_rates(self, office: str | None = None) -> list[ProfileHitRate]:
        query = (
            select(RiskProfileHitCountRow, RiskProfileVersionRow, RiskProfileRow)
            .join(
                RiskProfileVersionRow, RiskProfileHitCountRow.version_id == RiskProfileVersionRow.id
            )
            .join(RiskProfileRow)
            .order_by(
                RiskProfileRow.code, RiskProfileVersionRow.version, RiskProfileHitCountRow.office
            )
        )
        if office is not None:
            query = query.where(RiskProfileHitCountRow.office == office)
        return [
            ProfileHitRate(p.code, v.version, c.office, c.hits, c.controlled, c.findings)
            for c, v, p in self.session.execute(query)
        ]

    def _counter(self, code: str, version: int, office: str) -> RiskProfileHitCountRow:
        row = self._version_row(code, version)
        counter = self.session.scalar(
            select(RiskProfileHitCountRow).where(
                RiskProfileHitCountRow.version_id == row.id,
                RiskProfileHitCountRow.office == office,
            )
        )
        if counter is None:
            counter = RiskProfileHitCountRow(
                version_id=row.id, office=office, hits=0, controlled=0, findings=0
            )
            self.session.add(counter)
        return counter

    # -- models -----------------------------------------------------------------------------

    def add_model(
        self,
        model: RiskModel,
        *,
        trained_by: str,
        at: datetime,
        metrics: dict[str, Any] | None = None,
    ) -> None:
        """Store a trained model under its card's version (which must be set and new)."""
        card = model.card
        if not card.version:
            raise ValueError("a stored model needs a version")
        self.session.add(
            RiskModelRow(
                version=card.version,
                trained_rows=card.trained_rows,
                window_from=card.window_from,
                window_to=card.window_to,
                metrics={
                    "validation": card.validation,
                    "validation_curve": card.validation_curve,
                    **(metrics or {}),
                },
                parameters=card.parameters,
                booster_text=model.booster_text,
                blob=model.to_bytes(),
                trained_by=trained_by,
                created_at=at,
            )
        )
        self.session.flush()

    def _model_row(self, version: str) -> RiskModelRow:
        row = self.session.scalar(select(RiskModelRow).where(RiskModelRow.version == version))
        if row is None:
            raise ModelNotFound(f"risk model {version} not found", {"version": version})
        return row

    def load_model(self, version: str) -> RiskModel:
        return RiskModel.from_bytes(self._model_row(version).blob)

    def model_versions(self) -> list[tuple[str, dict[str, Any]]]:
        return [
            (r.version, r.metrics)
            for r in self.session.scalars(select(RiskModelRow).order_by(RiskModelRow.id))
        ]

    def activate_model(self, office: str, version: str, *, by: str, at: datetime) -> None:
        """Make ``version`` the one model in use at ``office`` (replacing any other)."""
        row = self._model_row(version)
        active = self.session.get(RiskActiveModelRow, office)
        if active is None:
            active = RiskActiveModelRow(
                office=office, model_id=row.id, activated_by=by, activated_at=at
            )
            self.session.add(active)
        active.model_id, active.activated_by, active.activated_at = row.id, by, at
        self.session.flush()

    def active_model_versions(self, offices: Iterable[str]) -> dict[str, str]:
        """The active model version of each of these offices that has one."""
        rows = self.session.execute(
            select(RiskActiveModelRow.office, RiskModelRow.version)
            .join(RiskModelRow, RiskActiveModelRow.model_id == RiskModelRow.id)
            .where(RiskActiveModelRow.office.in_(sorted(set(offices))))
        )
        return dict(rows.all())

    def active_versions(self) -> list[str]:
        """Every model version active at some office."""
        return list(
            self.session.scalars(
                select(RiskModelRow.version)
                .join(RiskActiveModelRow, RiskActiveModelRow.model_id == RiskModelRow.id)
                .distinct()
                .order_by(RiskModelRow.version)
            )
        )

    def active_model_version(self, office: str) -> str | None:
        return self.session.scalar(
            select(RiskModelRow.version)
            .join(RiskActiveModelRow, RiskActiveModelRow.model_id == RiskModelRow.id)
            .where(RiskActiveModelRow.office == office)
        )

    def active_model(self, office: str) -> RiskModel | None:
        version = self.active_model_version(office)
        return None if version is None else self.load_model(version)

    def all_profiles(self) -> list[SelectivityProfile]:
        """Every version of every profile, by code then version."""
        rows = self.session.scalars(
            select(RiskProfileVersionRow)
            .join(RiskProfileRow)
            .order_by(RiskProfileRow.code, RiskProfileVersionRow.version)
        )
        return [_profile(r) for r in rows]

    def next_version(self, code: str) -> int:
        latest = self.session.scalar(
            select(func.max(RiskProfileVersionRow.version))
            .join(RiskProfileRow)
            .where(RiskProfileRow.code == code)
        )
        return int(latest or 0) + 1

    # -- decisions, policies, seeds and labels (the pipeline step) -------------------------------

    def add_decisions(self, rows: Sequence[dict[str, Any]]) -> None:
        bulk_insert(self.session, table_of(RiskDecisionRow), rows)

    def inspections_on(self, office: str, day: date) -> int:
        """Red and yellow decisions already taken at ``office`` on ``day`` (its capacity used)."""
        return int(
            self.session.scalar(
                select(func.count(RiskDecisionRow.id)).where(
                    RiskDecisionRow.office == office,
                    RiskDecisionRow.day == day,
                    RiskDecisionRow.channel.in_([Channel.RED.value, Channel.YELLOW.value]),
                )
            )
            or 0
        )

    def current_decision(self, declaration_id: int) -> RiskDecisionRow | None:
        return self.session.scalar(
            select(RiskDecisionRow)
            .where(RiskDecisionRow.declaration_id == declaration_id)
            .order_by(RiskDecisionRow.id.desc())
            .limit(1)
        )

    def day_seed(self, day: date, new_seed: Callable[[], str]) -> str:
        """The day's seed, drawn with ``new_seed`` the first time (call under the write lock)."""
        row = self.session.get(RiskDaySeedRow, day)
        if row is None:
            row = RiskDaySeedRow(day=day, seed=new_seed())
            self.session.add(row)
            self.session.flush()
        return row.seed

    def office_policy(self, office: str) -> RiskOfficePolicyRow | None:
        return self.session.get(RiskOfficePolicyRow, office)

    def office_policies(self, offices: Iterable[str]) -> dict[str, RiskOfficePolicyRow]:
        """The stored policy of each of these offices that has one (one query)."""
        return {
            row.office: row
            for row in self.session.scalars(
                select(RiskOfficePolicyRow).where(
                    RiskOfficePolicyRow.office.in_(sorted(set(offices)))
                )
            )
        }

    def set_office_policy(
        self, office: str, values: dict[str, Any], *, by: str, at: datetime
    ) -> RiskOfficePolicyRow:
        row = self.session.get(RiskOfficePolicyRow, office)
        if row is None:
            row = RiskOfficePolicyRow(office=office)
            self.session.add(row)
        for key, value in values.items():
            setattr(row, key, value)
        row.updated_by, row.updated_at = by, at
        self.session.flush()
        return row

    def record_label(
        self,
        declaration_id: int,
        *,
        finding: bool,
        at: datetime,
        revenue: Decimal | None = None,
        currency: str | None = None,
        declaration_version: int | None = None,
        source: str = "control",
    ) -> None:
        """A control's outcome becomes a training label, and counts toward the hit rate of
        every profile that selected the declaration (its latest decision)."""
        self.session.add(
            RiskLabelRow(
                declaration_id=declaration_id,
                declaration_version=declaration_version,
                finding=finding,
                revenue=revenue,
                currency=currency,
                source=source,
                recorded_at=at,
            )
        )
        decision = self.current_decision(declaration_id)
        if decision is not None:
            for ref in decision.profile_hits or []:
                code, _, version = str(ref).rpartition("@")
                self.record_control_result(
                    code, int(version), office=decision.office, finding=finding
                )
        self.session.flush()

    def labels(self) -> list[RiskLabelRow]:
        """Every label, latest last; a declaration controlled twice keeps its latest."""
        return list(self.session.scalars(select(RiskLabelRow).order_by(RiskLabelRow.id)))


def _profile(row: RiskProfileVersionRow) -> SelectivityProfile:
    return SelectivityProfile(
        code=row.profile.code,
        version=row.version,
        name=row.profile.name,
        criteria=ProfileCriteria.from_dict(row.criteria),
        channel=Channel(row.channel),
        priority=row.priority,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        author=row.author,
        instructions=row.instructions,
        status=ProfileStatus(row.status),
        approved_by=row.approved_by,
        approved_on=row.approved_on,
    )
