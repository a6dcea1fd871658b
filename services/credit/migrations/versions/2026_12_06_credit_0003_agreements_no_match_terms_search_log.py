"""creditor agreements, «no match» terms, searches in the access log

- creditor_agreements: the products and purposes a creditor may use (NULL: all);
- products.charge_no_match: whether a «no match» answer is charged (default: no), and
  orders.charge_no_match: the term as it stood when the order was placed;
- access_log.action may be 'search' (a business searched by name).

Revision ID: credit_0003
Revises: credit_0002
Create Date: 2026-12-06 18:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "credit_0003"
down_revision: str | None = "credit_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "creditor_agreements",
        sa.Column("creditor_id", sa.Uuid(), nullable=False),
        sa.Column(
            "products",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=True,
            comment="allowed product codes; NULL: every product",
        ),
        sa.Column(
            "purposes",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=True,
            comment="allowed purpose codes; NULL: every purpose",
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("updated_by", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("creditor_id", name=op.f("pk_creditor_agreements")),
        comment="the agency's agreement with a creditor: which products and purposes it may use",
    )
    op.add_column(
        "products",
        sa.Column(
            "charge_no_match",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
            comment="whether a «no match» answer is charged like a report (agency's choice)",
        ),
    )
    op.add_column(
        "orders",
        sa.Column(
            "charge_no_match",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
            comment="the product's term when ordered: a «no match» answer is charged",
        ),
    )
    op.drop_constraint(op.f("ck_access_log_action"), "access_log", type_="check")
    op.create_check_constraint(
        op.f("ck_access_log_action"),
        "access_log",
        "action IN ('order', 'view', 'reconcile', 'subject-lookup', 'search')",
    )


def downgrade() -> None:
    # the access log is append-only: searches logged stay, so the old check is not restored
    # while any remain (NOT VALID keeps the rows and checks new ones)
    op.drop_constraint(op.f("ck_access_log_action"), "access_log", type_="check")
    op.execute(
        "ALTER TABLE access_log ADD CONSTRAINT ck_access_log_action CHECK "
        "(action IN ('order', 'view', 'reconcile', 'subject-lookup')) NOT VALID"
    )
    op.drop_column("orders", "charge_no_match")
    op.drop_column("products", "charge_no_match")
    op.drop_table("creditor_agreements")
