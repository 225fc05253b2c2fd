"""risk_pipeline: channel decisions with their reasons, per-day selection seeds, office
policies and control-result labels.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "risk_day_seeds",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("seed", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_risk_day_seeds")),
    )
    op.create_table(
        "risk_office_policies",
        sa.Column("office", sa.String(length=35), nullable=False),
        sa.Column("inspection_rate", sa.Float(), nullable=False),
        sa.Column("daily_capacity", sa.Integer(), nullable=True),
        sa.Column("random_rate", sa.Float(), nullable=False),
        sa.Column("exploration_rate", sa.Float(), nullable=False),
        sa.Column("red_threshold", sa.Float(), nullable=False),
        sa.Column("blue_threshold", sa.Float(), nullable=False),
        sa.Column("aeo_factor", sa.Float(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("office", name=op.f("pk_risk_office_policies")),
    )
    op.create_table(
        "risk_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("declaration_version", sa.Integer(), nullable=False),
        sa.Column("office", sa.String(length=35), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("profile_hits", sa.Text(), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("model_version", sa.String(length=64), nullable=True),
        sa.Column("mandatory", sa.Boolean(), nullable=False),
        sa.Column("random_sample", sa.Boolean(), nullable=False),
        sa.Column("exploration", sa.Boolean(), nullable=False),
        sa.Column("model_selected", sa.Boolean(), nullable=False),
        sa.Column("probability", sa.Float(), nullable=True),
        sa.Column("expected_revenue", sa.Numeric(precision=20, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_risk_decisions_declaration_id_declarations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_decisions")),
    )
    op.create_index(
        op.f("ix_risk_decisions_declaration_id"), "risk_decisions", ["declaration_id"], unique=False
    )
    op.create_index(
        "ix_risk_decisions_office_day", "risk_decisions", ["office", "day"], unique=False
    )
    op.create_table(
        "risk_labels",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("declaration_version", sa.Integer(), nullable=True),
        sa.Column("finding", sa.Boolean(), nullable=False),
        sa.Column("revenue", sa.Numeric(precision=20, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_risk_labels_declaration_id_declarations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_labels")),
    )
    op.create_index(
        op.f("ix_risk_labels_declaration_id"), "risk_labels", ["declaration_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_risk_labels_declaration_id"), table_name="risk_labels")
    op.drop_table("risk_labels")
    op.drop_index("ix_risk_decisions_office_day", table_name="risk_decisions")
    op.drop_index(op.f("ix_risk_decisions_declaration_id"), table_name="risk_decisions")
    op.drop_table("risk_decisions")
    op.drop_table("risk_office_policies")
    op.drop_table("risk_day_seeds")
