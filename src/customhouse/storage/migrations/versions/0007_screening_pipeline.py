"""screening pipeline: runs, hits and queries of screened declarations

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _declaration_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["declaration_id"],
        ["declarations.id"],
        name=op.f(f"fk_{table}_declaration_id_declarations"),
    )


def upgrade() -> None:
    op.create_table(
        "screening_hits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("declaration_version", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=8), nullable=False),
        sa.Column("party_role", sa.String(length=32), nullable=True),
        sa.Column("item_sequence", sa.Integer(), nullable=True),
        sa.Column("party_key", sa.String(length=512), nullable=False),
        sa.Column("screened_name", sa.Text(), nullable=False),
        sa.Column("list_name", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=256), nullable=False),
        sa.Column("entity_name", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("judged_by", sa.String(length=128), nullable=True),
        sa.Column("judged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        _declaration_fk("screening_hits"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_hits")),
    )
    op.create_index(
        op.f("ix_screening_hits_declaration_id"), "screening_hits", ["declaration_id"], unique=False
    )
    op.create_table(
        "screening_queries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("declaration_version", sa.Integer(), nullable=False),
        sa.Column("item_sequence", sa.Integer(), nullable=False),
        sa.Column("missing", sa.Text(), nullable=False),
        sa.Column("legal_base", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answer", sa.Text(), nullable=False),
        _declaration_fk("screening_queries"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_queries")),
    )
    op.create_index(
        op.f("ix_screening_queries_declaration_id"),
        "screening_queries",
        ["declaration_id"],
        unique=False,
    )
    op.create_table(
        "screening_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("declaration_version", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("lists", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        _declaration_fk("screening_runs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_runs")),
    )
    op.create_index(
        op.f("ix_screening_runs_declaration_id"), "screening_runs", ["declaration_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_screening_runs_declaration_id"), table_name="screening_runs")
    op.drop_table("screening_runs")
    op.drop_index(op.f("ix_screening_queries_declaration_id"), table_name="screening_queries")
    op.drop_table("screening_queries")
    op.drop_index(op.f("ix_screening_hits_declaration_id"), table_name="screening_hits")
    op.drop_table("screening_hits")
