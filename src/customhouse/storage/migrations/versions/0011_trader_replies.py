"""pages (issue 8): declarants' replies to queries, queries an officer raises, and evidence
attached to a declaration

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("screening_queries", sa.Column("asked_by", sa.String(length=128), nullable=True))
    op.create_table(
        "declaration_evidence",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("attached_by", sa.String(length=80), nullable=False),
        sa.Column("attached_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_declaration_evidence_declaration_id_declarations"),
        ),
        sa.ForeignKeyConstraint(
            ["sha256"], ["evidence.sha256"], name=op.f("fk_declaration_evidence_sha256_evidence")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declaration_evidence")),
        sa.UniqueConstraint(
            "declaration_id", "sha256", name=op.f("uq_declaration_evidence_declaration_id")
        ),
    )
    op.create_index(
        op.f("ix_declaration_evidence_declaration_id"),
        "declaration_evidence",
        ["declaration_id"],
        unique=False,
    )
    op.create_table(
        "query_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("query_id", sa.Integer(), nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("evidence_sha256", sa.String(length=64), nullable=True),
        sa.Column("replied_by", sa.String(length=128), nullable=False),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_query_replies_declaration_id_declarations"),
        ),
        sa.ForeignKeyConstraint(
            ["evidence_sha256"],
            ["evidence.sha256"],
            name=op.f("fk_query_replies_evidence_sha256_evidence"),
        ),
        sa.ForeignKeyConstraint(
            ["query_id"],
            ["screening_queries.id"],
            name=op.f("fk_query_replies_query_id_screening_queries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_query_replies")),
    )
    op.create_index(
        op.f("ix_query_replies_declaration_id"), "query_replies", ["declaration_id"], unique=False
    )
    op.create_index(op.f("ix_query_replies_query_id"), "query_replies", ["query_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_query_replies_query_id"), table_name="query_replies")
    op.drop_index(op.f("ix_query_replies_declaration_id"), table_name="query_replies")
    op.drop_table("query_replies")
    op.drop_index(op.f("ix_declaration_evidence_declaration_id"), table_name="declaration_evidence")
    op.drop_table("declaration_evidence")
    with op.batch_alter_table("screening_queries") as batch:
        batch.drop_column("asked_by")
