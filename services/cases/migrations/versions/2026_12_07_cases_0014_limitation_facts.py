"""limitation interruptions: the facts a claim's limitation date is computed from (ADR 0068)

Backfilled from the timeline: a payment plan agreed (an acknowledgement), a forliksklage, an
utleggsbegjæring, and the acknowledgements, part payments and judgments the workflow
recorded as ``limitation_interrupted`` / ``limitation_not_revived`` (the same reading as
``restate-limitation``). Part payments that changed nothing were never on the timeline and
are not recovered; payments recorded before this revision carry no payment id, so a later
reversal of one of them does not withdraw it.

Revision ID: cases_0014_limitation_facts
Revises: cases_0013_note_attachments
Create Date: 2026-12-07 06:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'cases_0014_limitation_facts'
down_revision: str | None = 'cases_0013_note_attachments'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'limitation_interruptions',
        sa.Column('case_id', sa.Uuid(), nullable=False),
        sa.Column(
            'source_key',
            sa.String(length=60),
            nullable=False,
            comment="payment:<the ledger's payment id>, action:<id> (a case action), timeline:<id>",
        ),
        sa.Column('interruption', sa.String(length=20), nullable=False),
        sa.Column('interrupted_on', sa.Date(), nullable=False, comment="a payment's value date"),
        sa.Column(
            'withdrawn_at',
            sa.DateTime(timezone=True),
            nullable=True,
            comment='a payment taken back: it no longer interrupts (ADR 0068)',
        ),
        sa.Column(
            'recorded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False
        ),
        sa.CheckConstraint(
            "interruption IN ('acknowledgement', 'part_payment', 'forliksklage', 'utlegg',"
            " 'judgment')",
            name=op.f('ck_limitation_interruptions_interruption_known'),
        ),
        sa.ForeignKeyConstraint(
            ['case_id'],
            ['cases.id'],
            name=op.f('fk_limitation_interruptions_case_id_cases'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('case_id', 'source_key', name=op.f('pk_limitation_interruptions')),
        comment="the facts a case's limitation dates are computed from, in any order (ADR 0068)",
    )
    op.execute(
        """
        INSERT INTO limitation_interruptions
               (case_id, source_key, interruption, interrupted_on, recorded_at)
        SELECT case_id, 'timeline:' || id,
               CASE step WHEN 'payment_plan_agreed' THEN 'acknowledgement'
                         WHEN 'legal_step_forliksklage' THEN 'forliksklage'
                         WHEN 'legal_step_utlegg' THEN 'utlegg'
                         ELSE step END,
               effective_date, occurred_at
          FROM timeline
         WHERE effective_date IS NOT NULL
           AND ((kind = 'status_changed'
                 AND step IN ('payment_plan_agreed', 'legal_step_forliksklage',
                              'legal_step_utlegg'))
             OR (kind IN ('limitation_interrupted', 'limitation_not_revived')
                 AND step IN ('acknowledgement', 'part_payment', 'forliksklage', 'utlegg',
                              'judgment')))
        """
    )


def downgrade() -> None:
    op.drop_table('limitation_interruptions')
