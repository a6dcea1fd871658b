"""objections, payment plans and workflow state (owned by the workflow work)

Revision ID: cases_0004
Revises: cases_0003
Create Date: 2026-11-25 12:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = 'cases_0004'
down_revision: str | None = 'cases_0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # the workflow's own state on a case (all nullable or defaulted: cheap on a big table)
    op.add_column('cases', sa.Column('demand_sent_on', sa.Date(), nullable=True, comment='the last betalingsoppfordring: legal steps count from it'))
    op.add_column('cases', sa.Column('legal_step_on', sa.Date(), nullable=True, comment='the last legal step (forliksklage, utlegg)'))
    op.add_column('cases', sa.Column('workflow_attention', sa.String(length=40), nullable=True, comment="the workflow's own reason for a handler"))
    op.add_column('cases', sa.Column('paused', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False, comment='where to resume after an objection or a payment plan (innermost last)'))
    op.add_column('cases', sa.Column('limitation_check_on', sa.Date(), nullable=True, comment='when a limitation warning is next due'))
    op.add_column('cases', sa.Column('attention_since', sa.DateTime(timezone=True), nullable=True, comment='since when needs_attention'))
    op.create_index('ix_cases_limitation_check', 'cases', ['limitation_check_on'], unique=False, postgresql_where=sa.text('limitation_check_on IS NOT NULL'))
    op.create_index('ix_cases_work_queue', 'cases', ['attention_since', 'id'], unique=False, postgresql_where=sa.text('needs_attention IS NOT NULL'))

    op.create_table('objections',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=10), server_default=sa.text("'open'"), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False, comment="when the debtor's objection arrived"),
    sa.Column('grounds', sa.Text(), nullable=False, comment='what the debtor objects to'),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('registered_by', sa.Uuid(), nullable=False),
    sa.Column('resolution', sa.String(length=10), nullable=True),
    sa.Column('resolution_note', sa.Text(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sa.Uuid(), nullable=True),
    sa.CheckConstraint("(status = 'open') = (resolution IS NULL AND resolved_at IS NULL)", name=op.f('ck_objections_resolved_fully')),
    sa.CheckConstraint("resolution IN ('resumed', 'closed', 'legal')", name=op.f('ck_objections_resolution')),
    sa.CheckConstraint("status IN ('open', 'resolved')", name=op.f('ck_objections_status')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_objections_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objections')),
    comment='objections (innsigelser) to a case\'s claims and how they were resolved'
    )
    op.create_index('ix_objections_case', 'objections', ['case_id', 'registered_at'], unique=False)
    op.create_index('uq_objections_one_open', 'objections', ['case_id'], unique=True, postgresql_where=sa.text("status = 'open'"))

    op.create_table('payment_plans',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=10), server_default=sa.text("'active'"), nullable=False),
    sa.Column('agreed_on', sa.Date(), nullable=False),
    sa.Column('instalment_count', sa.SmallInteger(), nullable=False),
    sa.Column('total_ore', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('ended_reason', sa.String(length=20), nullable=True, comment='breached, or the step that ended it'),
    sa.Column('ended_by', sa.Uuid(), nullable=True),
    sa.CheckConstraint("status IN ('active', 'breached', 'ended')", name=op.f('ck_payment_plans_status')),
    sa.CheckConstraint('total_ore > 0', name=op.f('ck_payment_plans_total_positive')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_payment_plans_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_plans')),
    comment='avdragsordninger (payment plans) agreed with a case\'s debtor'
    )
    op.create_index('ix_payment_plans_case', 'payment_plans', ['case_id', 'created_at'], unique=False)
    op.create_index('uq_payment_plans_one_active', 'payment_plans', ['case_id'], unique=True, postgresql_where=sa.text("status = 'active'"))

    op.create_table('payment_plan_instalments',
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.SmallInteger(), nullable=False, comment='1, 2, … in due-date order'),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('amount_ore', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('amount_ore > 0', name=op.f('ck_payment_plan_instalments_amount_positive')),
    sa.ForeignKeyConstraint(['plan_id'], ['payment_plans.id'], name=op.f('fk_payment_plan_instalments_plan_id_payment_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('plan_id', 'number', name=op.f('pk_payment_plan_instalments')),
    comment='the instalments of a payment plan'
    )


def downgrade() -> None:
    op.drop_table('payment_plan_instalments')
    op.drop_index('uq_payment_plans_one_active', table_name='payment_plans', postgresql_where=sa.text("status = 'active'"))
    op.drop_index('ix_payment_plans_case', table_name='payment_plans')
    op.drop_table('payment_plans')
    op.drop_index('uq_objections_one_open', table_name='objections', postgresql_where=sa.text("status = 'open'"))
    op.drop_index('ix_objections_case', table_name='objections')
    op.drop_table('objections')
    op.drop_index('ix_cases_work_queue', table_name='cases', postgresql_where=sa.text('needs_attention IS NOT NULL'))
    op.drop_index('ix_cases_limitation_check', table_name='cases', postgresql_where=sa.text('limitation_check_on IS NOT NULL'))
    op.drop_column('cases', 'attention_since')
    op.drop_column('cases', 'limitation_check_on')
    op.drop_column('cases', 'paused')
    op.drop_column('cases', 'workflow_attention')
    op.drop_column('cases', 'legal_step_on')
    op.drop_column('cases', 'demand_sent_on')
