"""classification_pipeline: findings of the classify step on each declared item.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "classification_item_findings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("declaration_version", sa.Integer(), nullable=False),
        sa.Column("item", sa.Integer(), nullable=False),
        sa.Column("declared_code", sa.String(length=35), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("fit_score", sa.Float(), nullable=True),
        sa.Column("low_fit", sa.Boolean(), nullable=False),
        sa.Column("ruling_conflict", sa.Boolean(), nullable=False),
        sa.Column("fit", sa.Text(), nullable=False),
        sa.Column("better_codes", sa.Text(), nullable=False),
        sa.Column("ruling_conflicts", sa.Text(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["declaration_id"], ["declarations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("declaration_id", "declaration_version", "item"),
    )
    with op.batch_alter_table("classification_item_findings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_classification_item_findings_declaration_id"),
            ["declaration_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("classification_item_findings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_classification_item_findings_declaration_id"))
    op.drop_table("classification_item_findings")
