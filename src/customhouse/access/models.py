"""Roles, the principal acting, and the permission table (pure).

>>> p = Principal(user_id=1, username="broker1", roles=frozenset({Role.DECLARANT}),
...               eori="GB123456789000")
>>> p.may(Action.LODGE)
True
>>> p.may(Action.VERIFY_LEDGER)
False
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from customhouse.errors import Forbidden


class Role(StrEnum):
    DECLARANT = "declarant"
    OFFICER = "officer"
    INSPECTOR = "inspector"
    RISK_ANALYST = "risk_analyst"
    INVESTIGATOR = "investigator"
    AUDITOR = "auditor"
    AGENCY = "agency"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Action(StrEnum):
    LODGE = "lodge"
    READ_DECLARATION = "read_declaration"
    LIST_DECLARATIONS = "list_declarations"
    AMEND = "amend"
    INVALIDATE = "invalidate"
    VERIFY_LEDGER = "verify_ledger"
    READ_OPERATOR = "read_operator"
    MANAGE_OPERATORS = "manage_operators"
    MANAGE_USERS = "manage_users"
    MANAGE_REFERENCE = "manage_reference"
    READ_SCREENING_HITS = "read_screening_hits"  # issue 5
    JUDGE_SCREENING_HIT = "judge_screening_hit"
    MANAGE_SCREENING_LISTS = "manage_screening_lists"
    ISSUE_RULING = "issue_ruling"  # issue 7: binding tariff rulings
    REVOKE_RULING = "revoke_ruling"
    READ_RULINGS = "read_rulings"
    DRAFT_RISK_PROFILE = "draft_risk_profile"  # issue 4: selectivity profiles, risk models
    APPROVE_RISK_PROFILE = "approve_risk_profile"
    READ_RISK = "read_risk"
    MANAGE_RISK_MODELS = "manage_risk_models"
    READ_CONTROLS = "read_controls"  # issue 6: control tasks, allocation, release, enforcement
    WORK_CONTROL_TASK = "work_control_task"
    MANAGE_ROSTER = "manage_roster"
    VERIFY_ALLOCATION = "verify_allocation"
    REASSIGN_TASK = "reassign_task"
    RELEASE = "release"
    RECORD_PAYMENT = "record_payment"
    MANAGE_GUARANTEES = "manage_guarantees"
    REQUEST_APPROVAL = "request_approval"
    APPROVE = "approve"
    SEIZE = "seize"
    MANAGE_CASE = "manage_case"
    READ_ENFORCEMENT = "read_enforcement"
    POST_CLEARANCE_AUDIT = "post_clearance_audit"
    ANSWER_QUERY = "answer_query"  # issue 8: the trader's reply to a query on its declaration
    RAISE_QUERY = "raise_query"  # an officer asks the declarant for a document


R = Role
# Customs staff who read declarations in their work.
_STAFF = frozenset(
    {R.OFFICER, R.INSPECTOR, R.RISK_ANALYST, R.INVESTIGATOR, R.AUDITOR, R.SUPERVISOR, R.ADMIN}
)

PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.LODGE: frozenset({R.DECLARANT, R.ADMIN}),
    Action.READ_DECLARATION: _STAFF | {R.DECLARANT, R.AGENCY},
    Action.LIST_DECLARATIONS: _STAFF | {R.DECLARANT},
    Action.AMEND: frozenset({R.DECLARANT, R.OFFICER, R.ADMIN}),
    Action.INVALIDATE: frozenset({R.DECLARANT, R.OFFICER, R.SUPERVISOR, R.ADMIN}),
    Action.VERIFY_LEDGER: frozenset({R.AUDITOR, R.SUPERVISOR, R.ADMIN}),
    Action.READ_OPERATOR: _STAFF | {R.DECLARANT},
    Action.MANAGE_OPERATORS: frozenset({R.ADMIN, R.SUPERVISOR}),
    Action.MANAGE_USERS: frozenset({R.ADMIN}),
    Action.MANAGE_REFERENCE: frozenset({R.ADMIN}),
    # issue 5: list entries and scores are for customs staff; traders see only queries.
    Action.READ_SCREENING_HITS: _STAFF,
    Action.JUDGE_SCREENING_HIT: frozenset({R.RISK_ANALYST, R.OFFICER, R.SUPERVISOR}),
    Action.MANAGE_SCREENING_LISTS: frozenset({R.ADMIN, R.SUPERVISOR}),
    Action.ISSUE_RULING: frozenset({R.OFFICER, R.ADMIN}),
    Action.REVOKE_RULING: frozenset({R.OFFICER, R.SUPERVISOR, R.ADMIN}),
    Action.READ_RULINGS: _STAFF | {R.DECLARANT},
    Action.DRAFT_RISK_PROFILE: frozenset({R.RISK_ANALYST}),
    Action.APPROVE_RISK_PROFILE: frozenset({R.RISK_ANALYST, R.SUPERVISOR}),
    Action.READ_RISK: _STAFF,
    Action.MANAGE_RISK_MODELS: frozenset({R.RISK_ANALYST, R.SUPERVISOR, R.ADMIN}),
    # issue 6: officers' work; a supervisor is the second pair of eyes (APPROVE).
    Action.READ_CONTROLS: _STAFF,
    Action.WORK_CONTROL_TASK: frozenset({R.OFFICER, R.INSPECTOR, R.SUPERVISOR}),
    Action.MANAGE_ROSTER: frozenset({R.SUPERVISOR, R.ADMIN}),
    Action.VERIFY_ALLOCATION: _STAFF,
    Action.REASSIGN_TASK: frozenset({R.SUPERVISOR}),
    Action.RELEASE: frozenset({R.OFFICER, R.SUPERVISOR, R.ADMIN}),
    Action.RECORD_PAYMENT: frozenset({R.OFFICER, R.SUPERVISOR, R.ADMIN}),
    Action.MANAGE_GUARANTEES: frozenset({R.SUPERVISOR, R.ADMIN}),
    Action.REQUEST_APPROVAL: _STAFF - {R.ADMIN},
    Action.APPROVE: frozenset({R.SUPERVISOR}),
    Action.SEIZE: frozenset({R.INSPECTOR, R.OFFICER, R.INVESTIGATOR}),
    Action.MANAGE_CASE: frozenset({R.INVESTIGATOR, R.SUPERVISOR}),
    Action.READ_ENFORCEMENT: frozenset(
        {R.INVESTIGATOR, R.INSPECTOR, R.AUDITOR, R.SUPERVISOR, R.ADMIN}
    ),
    Action.POST_CLEARANCE_AUDIT: frozenset({R.AUDITOR, R.SUPERVISOR}),
    # Only the trader answers as the trader: no customs role may put words in its mouth.
    Action.ANSWER_QUERY: frozenset({R.DECLARANT}),
    Action.RAISE_QUERY: frozenset({R.OFFICER, R.INSPECTOR, R.SUPERVISOR}),
}


class PermissionDenied(Forbidden):
    code = "access.PermissionDenied"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is acting: a signed-in user or the system itself."""

    user_id: int | None
    username: str
    roles: frozenset[Role]
    eori: str | None = None
    office: str | None = None

    @property
    def actor(self) -> str:
        """How the ledger names this principal."""
        return f"user:{self.username}"

    @property
    def is_trader(self) -> bool:
        """A declarant without a customs role sees only its own declarations."""
        return not (self.roles & _STAFF)

    def may(self, action: Action) -> bool:
        return bool(self.roles & PERMISSIONS[action])

    def require(self, action: Action) -> None:
        if not self.may(action):
            raise PermissionDenied(
                f"{self.username} may not {action.value.replace('_', ' ')}",
                {"action": action.value, "roles": sorted(r.value for r in self.roles)},
            )

    def owns(self, declarant_eori: str | None, representative_eori: str | None) -> bool:
        return self.eori is not None and self.eori in (declarant_eori, representative_eori)


SYSTEM = Principal(user_id=None, username="system", roles=frozenset({Role.ADMIN}))
