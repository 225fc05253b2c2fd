"""controls (issue 6): settlements paid into deferment accounts, so that revenue collected
counts money received, not what releases drew on a guarantee

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guarantee_settlements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["guarantee_accounts.id"],
            name=op.f("fk_guarantee_settlements_account_id_guarantee_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guarantee_settlements")),
    )
    op.create_index(
        op.f("ix_guarantee_settlements_account_id"),
        "guarantee_settlements",
        ["account_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_guarantee_settlements_account_id"), table_name="guarantee_settlements")
    op.drop_table("guarantee_settlements")
