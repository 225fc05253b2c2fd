"""tariff: commodity lines, measures, quota balances and drawdowns, loaded profiles; assessments
and assessment lines.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tariff_commodity_lines",
        sa.Column("profile", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=14), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("supplementary_units", sa.String(length=64), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("profile", "code", name=op.f("pk_tariff_commodity_lines")),
    )
    op.create_table(
        "tariff_measures",
        sa.Column("profile", sa.String(length=16), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("commodity_code", sa.String(length=14), nullable=False),
        sa.Column("geography_code", sa.String(length=16), nullable=False),
        sa.Column("geography_members", sa.Text(), nullable=True),
        sa.Column("geography_excluded", sa.Text(), nullable=False),
        sa.Column("expression", sa.Text(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("legal_base", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("preference_scheme", sa.String(length=32), nullable=True),
        sa.Column("quota_order_number", sa.String(length=16), nullable=True),
        sa.Column("exporter", sa.Text(), nullable=True),
        sa.Column("required_document", sa.Text(), nullable=True),
        sa.Column("vat_rate", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("profile", "id", name=op.f("pk_tariff_measures")),
    )
    with op.batch_alter_table("tariff_measures", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tariff_measures_profile_code", ["profile", "commodity_code"], unique=False
        )

    op.create_table(
        "tariff_profiles",
        sa.Column("profile", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("loaded_at", sa.String(length=40), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("commodity_lines", sa.Integer(), nullable=False),
        sa.Column("measures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("profile", name=op.f("pk_tariff_profiles")),
    )
    op.create_table(
        "tariff_quota_balances",
        sa.Column("profile", sa.String(length=16), nullable=False),
        sa.Column("order_number", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("volume", sa.Numeric(precision=20, scale=3), nullable=False),
        sa.Column("remaining", sa.Numeric(precision=20, scale=3), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("profile", "order_number", name=op.f("pk_tariff_quota_balances")),
    )
    op.create_table(
        "tariff_quota_drawdowns",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("profile", sa.String(length=16), nullable=False),
        sa.Column("order_number", sa.String(length=16), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=20, scale=3), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tariff_quota_drawdowns")),
    )
    with op.batch_alter_table("tariff_quota_drawdowns", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tariff_quota_drawdowns_order", ["profile", "order_number"], unique=False
        )

    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("declaration_version", sa.Integer(), nullable=False),
        sa.Column("at", sa.Date(), nullable=False),
        sa.Column("profile", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("rounding", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("customs_value", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("duty", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("excise", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("vat", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("total", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("superseded_at", sa.String(length=40), nullable=True),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("problems", sa.Text(), nullable=False),
        sa.Column("requirements", sa.Text(), nullable=False),
        sa.Column("drawdowns", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_assessments_declaration_id_declarations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessments_declaration_id"), ["declaration_id"], unique=False
        )
        batch_op.create_index(
            "uq_assessments_current",
            ["declaration_id"],
            unique=True,
            sqlite_where=sa.text("status = 'current'"),
            postgresql_where=sa.text("status = 'current'"),
        )

    op.create_table(
        "assessment_lines",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.Integer(), nullable=False),
        sa.Column("tax", sa.String(length=8), nullable=False),
        sa.Column("measure_id", sa.String(length=64), nullable=False),
        sa.Column("measure_type", sa.String(length=32), nullable=False),
        sa.Column("legal_base", sa.Text(), nullable=False),
        sa.Column("rate_expression", sa.Text(), nullable=False),
        sa.Column("base_amount", sa.String(length=60), nullable=True),
        sa.Column("quantity", sa.String(length=40), nullable=True),
        sa.Column("unit", sa.String(length=32), nullable=True),
        sa.Column("amount", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("amount_unrounded", sa.String(length=60), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_assessment_lines_assessment_id_assessments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_lines")),
    )
    with op.batch_alter_table("assessment_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_lines_assessment_id"), ["assessment_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("assessment_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_lines_assessment_id"))

    op.drop_table("assessment_lines")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_assessments_current",
            sqlite_where=sa.text("status = 'current'"),
            postgresql_where=sa.text("status = 'current'"),
        )
        batch_op.drop_index(batch_op.f("ix_assessments_declaration_id"))

    op.drop_table("assessments")
    with op.batch_alter_table("tariff_quota_drawdowns", schema=None) as batch_op:
        batch_op.drop_index("ix_tariff_quota_drawdowns_order")

    op.drop_table("tariff_quota_drawdowns")
    op.drop_table("tariff_quota_balances")
    op.drop_table("tariff_profiles")
    with op.batch_alter_table("tariff_measures", schema=None) as batch_op:
        batch_op.drop_index("ix_tariff_measures_profile_code")

    op.drop_table("tariff_measures")
    op.drop_table("tariff_commodity_lines")
