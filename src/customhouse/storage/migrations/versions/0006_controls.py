"""controls, enforcement and post-clearance audit tables

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import customhouse.storage.types

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "allocation_seeds",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("commitment", sa.String(length=64), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("committed_at", sa.String(length=40), nullable=False),
        sa.Column("revealed_at", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_allocation_seeds")),
    )
    op.create_table(
        "approvals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("subject_type", sa.String(length=30), nullable=False),
        sa.Column("subject_id", sa.String(length=40), nullable=False),
        sa.Column("params", customhouse.storage.types.JSONText(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.String(length=80), nullable=False),
        sa.Column("requested_at", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("decided_by", sa.String(length=80), nullable=True),
        sa.Column("decided_at", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approvals")),
    )
    op.create_index(op.f("ix_approvals_status"), "approvals", ["status"], unique=False)
    op.create_table(
        "audit_cases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("trader_eori", sa.String(length=35), nullable=False),
        sa.Column("period_from", sa.String(length=10), nullable=False),
        sa.Column("period_to", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("selection", customhouse.storage.types.JSONText(), nullable=False),
        sa.Column("opened_by", sa.String(length=80), nullable=False),
        sa.Column("opened_at", sa.String(length=40), nullable=False),
        sa.Column("closed_at", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_cases")),
    )
    op.create_index(
        op.f("ix_audit_cases_trader_eori"), "audit_cases", ["trader_eori"], unique=False
    )
    op.create_table(
        "duty_roster",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("office", sa.String(length=35), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_roster")),
        sa.UniqueConstraint("day", "office", "username", "role", name=op.f("uq_duty_roster_day")),
    )
    op.create_index(op.f("ix_duty_roster_day"), "duty_roster", ["day"], unique=False)
    op.create_table(
        "enforcement_cases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("offence", sa.String(length=40), nullable=False),
        sa.Column("legal_provision", sa.String(length=200), nullable=False),
        sa.Column("parties", customhouse.storage.types.JSONText(), nullable=False),
        sa.Column("goods", sa.Text(), nullable=False),
        sa.Column("evidence", customhouse.storage.types.JSONText(), nullable=False),
        sa.Column("duty_evaded", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("opened_by", sa.String(length=80), nullable=False),
        sa.Column("opened_at", sa.String(length=40), nullable=False),
        sa.Column("closed_at", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_cases")),
        sa.UniqueConstraint("number", name=op.f("uq_enforcement_cases_number")),
    )
    op.create_index(
        op.f("ix_enforcement_cases_state"), "enforcement_cases", ["state"], unique=False
    )
    op.create_table(
        "evidence",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("stored_at", sa.String(length=40), nullable=False),
        sa.Column("stored_by", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_evidence")),
    )
    op.create_table(
        "guarantee_accounts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("holder_eori", sa.String(length=35), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("limit_amount", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("balance", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("opened_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guarantee_accounts")),
        sa.UniqueConstraint(
            "holder_eori", "currency", name=op.f("uq_guarantee_accounts_holder_eori")
        ),
    )
    op.create_table(
        "officer_conflicts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("eori", sa.String(length=35), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("declared_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officer_conflicts")),
        sa.UniqueConstraint("username", "eori", name=op.f("uq_officer_conflicts_username")),
    )
    op.create_index(
        op.f("ix_officer_conflicts_username"), "officer_conflicts", ["username"], unique=False
    )
    op.create_table(
        "audit_findings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("corrections", customhouse.storage.types.JSONText(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("previous_total", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("new_total", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("difference", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("recovered", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.String(length=80), nullable=False),
        sa.Column("recorded_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_id"], ["audit_cases.id"], name=op.f("fk_audit_findings_audit_id_audit_cases")
        ),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_audit_findings_declaration_id_declarations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_findings")),
    )
    op.create_index(
        op.f("ix_audit_findings_audit_id"), "audit_findings", ["audit_id"], unique=False
    )
    op.create_index(
        op.f("ix_audit_findings_declaration_id"), "audit_findings", ["declaration_id"], unique=False
    )
    op.create_table(
        "audit_flags",
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("trader_eori", sa.String(length=35), nullable=True),
        sa.Column("reason", customhouse.storage.types.JSONText(), nullable=False),
        sa.Column("flagged_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_audit_flags_declaration_id_declarations"),
        ),
        sa.PrimaryKeyConstraint("declaration_id", name=op.f("pk_audit_flags")),
    )
    op.create_index(
        op.f("ix_audit_flags_trader_eori"), "audit_flags", ["trader_eori"], unique=False
    )
    op.create_table(
        "control_holds",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("lifted_at", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_control_holds_declaration_id_declarations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_control_holds")),
    )
    op.create_index(
        op.f("ix_control_holds_declaration_id"), "control_holds", ["declaration_id"], unique=False
    )
    op.create_table(
        "control_results",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("office", sa.String(length=35), nullable=False),
        sa.Column("finding", sa.Boolean(), nullable=False),
        sa.Column("codes", customhouse.storage.types.JSONText(), nullable=False),
        sa.Column("revenue", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("closed_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_control_results_declaration_id_declarations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_control_results")),
    )
    op.create_index(
        op.f("ix_control_results_declaration_id"),
        "control_results",
        ["declaration_id"],
        unique=False,
    )
    op.create_table(
        "control_tasks",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("office", sa.String(length=35), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("deadline", sa.String(length=10), nullable=False),
        sa.Column("instructions", customhouse.storage.types.JSONText(), nullable=False),
        sa.Column("checklist", customhouse.storage.types.JSONText(), nullable=False),
        sa.Column("checklist_results", customhouse.storage.types.JSONText(), nullable=True),
        sa.Column("assigned_to", sa.String(length=80), nullable=True),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("closed_at", sa.String(length=40), nullable=True),
        sa.Column("closed_by", sa.String(length=80), nullable=True),
        sa.Column("outcome", sa.String(length=30), nullable=True),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_control_tasks_declaration_id_declarations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_control_tasks")),
    )
    op.create_index(
        op.f("ix_control_tasks_assigned_to"), "control_tasks", ["assigned_to"], unique=False
    )
    op.create_index(
        op.f("ix_control_tasks_declaration_id"), "control_tasks", ["declaration_id"], unique=False
    )
    op.create_index(
        "ix_control_tasks_office_status", "control_tasks", ["office", "status"], unique=False
    )
    op.create_table(
        "enforcement_case_declarations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["enforcement_cases.id"],
            name=op.f("fk_enforcement_case_declarations_case_id_enforcement_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_enforcement_case_declarations_declaration_id_declarations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_case_declarations")),
        sa.UniqueConstraint(
            "case_id", "declaration_id", name=op.f("uq_enforcement_case_declarations_case_id")
        ),
    )
    op.create_index(
        op.f("ix_enforcement_case_declarations_case_id"),
        "enforcement_case_declarations",
        ["case_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_enforcement_case_declarations_declaration_id"),
        "enforcement_case_declarations",
        ["declaration_id"],
        unique=False,
    )
    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["guarantee_accounts.id"],
            name=op.f("fk_payments_account_id_guarantee_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_payments_declaration_id_declarations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
    )
    op.create_index(
        op.f("ix_payments_declaration_id"), "payments", ["declaration_id"], unique=False
    )
    op.create_table(
        "penalties",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("explanation", customhouse.storage.types.JSONText(), nullable=False),
        sa.Column("imposed_by", sa.String(length=80), nullable=False),
        sa.Column("imposed_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["enforcement_cases.id"],
            name=op.f("fk_penalties_case_id_enforcement_cases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_penalties")),
    )
    op.create_index(op.f("ix_penalties_case_id"), "penalties", ["case_id"], unique=False)
    op.create_table(
        "release_notes",
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("mrn", sa.String(length=18), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("office", sa.String(length=35), nullable=False),
        sa.Column("lodged_at", sa.String(length=40), nullable=False),
        sa.Column("released_at", sa.String(length=40), nullable=False),
        sa.Column("minutes", sa.Float(), nullable=False),
        sa.Column("released_by", sa.String(length=120), nullable=False),
        sa.Column("due", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("paid", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("drawn", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("post_clearance_audit", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_release_notes_declaration_id_declarations"),
        ),
        sa.PrimaryKeyConstraint("declaration_id", name=op.f("pk_release_notes")),
        sa.UniqueConstraint("number", name=op.f("uq_release_notes_number")),
    )
    op.create_table(
        "seizures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("office", sa.String(length=35), nullable=False),
        sa.Column("offence", sa.String(length=40), nullable=False),
        sa.Column("goods", customhouse.storage.types.JSONText(), nullable=False),
        sa.Column("detection", sa.String(length=40), nullable=False),
        sa.Column("custodian", sa.String(length=120), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("seized_by", sa.String(length=80), nullable=False),
        sa.Column("seized_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["enforcement_cases.id"],
            name=op.f("fk_seizures_case_id_enforcement_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_seizures_declaration_id_declarations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seizures")),
        sa.UniqueConstraint("number", name=op.f("uq_seizures_number")),
    )
    op.create_index(op.f("ix_seizures_case_id"), "seizures", ["case_id"], unique=False)
    op.create_index(
        op.f("ix_seizures_declaration_id"), "seizures", ["declaration_id"], unique=False
    )
    op.create_table(
        "allocations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("method", sa.String(length=12), nullable=False),
        sa.Column("officer", sa.String(length=80), nullable=False),
        sa.Column("pool", customhouse.storage.types.JSONText(), nullable=False),
        sa.Column("pool_digest", sa.String(length=16), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("by", sa.String(length=120), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"], ["control_tasks.id"], name=op.f("fk_allocations_task_id_control_tasks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocations")),
    )
    op.create_index(op.f("ix_allocations_day"), "allocations", ["day"], unique=False)
    op.create_index(op.f("ix_allocations_task_id"), "allocations", ["task_id"], unique=False)
    op.create_table(
        "control_findings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("corrections", customhouse.storage.types.JSONText(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("evidence", customhouse.storage.types.JSONText(), nullable=False),
        sa.Column("recorded_by", sa.String(length=80), nullable=False),
        sa.Column("recorded_at", sa.String(length=40), nullable=False),
        sa.Column("additional_due", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_control_findings_declaration_id_declarations"),
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["control_tasks.id"],
            name=op.f("fk_control_findings_task_id_control_tasks"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_control_findings")),
    )
    op.create_index(
        op.f("ix_control_findings_declaration_id"),
        "control_findings",
        ["declaration_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_control_findings_task_id"), "control_findings", ["task_id"], unique=False
    )
    op.create_table(
        "custody_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("seizure_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("from_custodian", sa.String(length=120), nullable=False),
        sa.Column("to_custodian", sa.String(length=120), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("seal", sa.String(length=60), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("recorded_by", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["seizure_id"], ["seizures.id"], name=op.f("fk_custody_events_seizure_id_seizures")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custody_events")),
        sa.UniqueConstraint("seizure_id", "seq", name=op.f("uq_custody_events_seizure_id")),
    )
    op.create_index(
        op.f("ix_custody_events_seizure_id"), "custody_events", ["seizure_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_custody_events_seizure_id"), table_name="custody_events")
    op.drop_table("custody_events")
    op.drop_index(op.f("ix_control_findings_task_id"), table_name="control_findings")
    op.drop_index(op.f("ix_control_findings_declaration_id"), table_name="control_findings")
    op.drop_table("control_findings")
    op.drop_index(op.f("ix_allocations_task_id"), table_name="allocations")
    op.drop_index(op.f("ix_allocations_day"), table_name="allocations")
    op.drop_table("allocations")
    op.drop_index(op.f("ix_seizures_declaration_id"), table_name="seizures")
    op.drop_index(op.f("ix_seizures_case_id"), table_name="seizures")
    op.drop_table("seizures")
    op.drop_table("release_notes")
    op.drop_index(op.f("ix_penalties_case_id"), table_name="penalties")
    op.drop_table("penalties")
    op.drop_index(op.f("ix_payments_declaration_id"), table_name="payments")
    op.drop_table("payments")
    op.drop_index(
        op.f("ix_enforcement_case_declarations_declaration_id"),
        table_name="enforcement_case_declarations",
    )
    op.drop_index(
        op.f("ix_enforcement_case_declarations_case_id"), table_name="enforcement_case_declarations"
    )
    op.drop_table("enforcement_case_declarations")
    op.drop_index("ix_control_tasks_office_status", table_name="control_tasks")
    op.drop_index(op.f("ix_control_tasks_declaration_id"), table_name="control_tasks")
    op.drop_index(op.f("ix_control_tasks_assigned_to"), table_name="control_tasks")
    op.drop_table("control_tasks")
    op.drop_index(op.f("ix_control_results_declaration_id"), table_name="control_results")
    op.drop_table("control_results")
    op.drop_index(op.f("ix_control_holds_declaration_id"), table_name="control_holds")
    op.drop_table("control_holds")
    op.drop_index(op.f("ix_audit_flags_trader_eori"), table_name="audit_flags")
    op.drop_table("audit_flags")
    op.drop_index(op.f("ix_audit_findings_declaration_id"), table_name="audit_findings")
    op.drop_index(op.f("ix_audit_findings_audit_id"), table_name="audit_findings")
    op.drop_table("audit_findings")
    op.drop_index(op.f("ix_officer_conflicts_username"), table_name="officer_conflicts")
    op.drop_table("officer_conflicts")
    op.drop_table("guarantee_accounts")
    op.drop_table("evidence")
    op.drop_index(op.f("ix_enforcement_cases_state"), table_name="enforcement_cases")
    op.drop_table("enforcement_cases")
    op.drop_index(op.f("ix_duty_roster_day"), table_name="duty_roster")
    op.drop_table("duty_roster")
    op.drop_index(op.f("ix_audit_cases_trader_eori"), table_name="audit_cases")
    op.drop_table("audit_cases")
    op.drop_index(op.f("ix_approvals_status"), table_name="approvals")
    op.drop_table("approvals")
    op.drop_table("allocation_seeds")
