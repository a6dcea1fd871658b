"""cases parties claims batches timeline notes audit

Revision ID: cases_0002
Revises: cases_0001
Create Date: 2026-11-25 06:48:06.080231
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
revision: str = 'cases_0002'
down_revision: str | None = 'cases_0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


APPEND_ONLY = ("timeline", "personal_data_access")


def upgrade() -> None:
    op.execute("CREATE SEQUENCE case_sequence START 1")
    op.execute("CREATE SEQUENCE batch_sequence START 1")
    op.create_table('idempotency_keys',
    sa.Column('scope', sa.String(length=100), nullable=False, comment='whose key: the caller'),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False, comment='SHA-256 of the request'),
    sa.Column('status_code', sa.SmallInteger(), nullable=True),
    sa.Column('response', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'key', name=op.f('pk_idempotency_keys')),
    comment='answers to requests sent with an Idempotency-Key (kept for a retention period)'
    )
    op.create_index('ix_idempotency_keys_created', 'idempotency_keys', ['created_at'], unique=False)
    op.create_table('personal_data_access',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=False),
    sa.Column('actor_organisation_id', sa.Uuid(), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False, comment='read_case, export_cases, …'),
    sa.Column('case_id', sa.Uuid(), nullable=True),
    sa.Column('detail', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_personal_data_access')),
    comment="audit log of reads of debtors' personal data (append-only)"
    )
    op.create_index('ix_personal_data_access_case', 'personal_data_access', ['case_id', 'at'], unique=False)
    op.create_table('batches',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('batch_number', sa.String(length=20), nullable=False),
    sa.Column('creditor_id', sa.Uuid(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=12), server_default=sa.text("'open'"), nullable=False),
    sa.Column('case_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('claim_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('principal_total_ore', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('rejected_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True, comment='the user who submitted it'),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=True, comment='when the batch was complete'),
    sa.CheckConstraint("channel IN ('api', 'form', 'import')", name=op.f('ck_batches_channel')),
    sa.CheckConstraint("status IN ('open', 'registered')", name=op.f('ck_batches_status')),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.organisation_id'], name=op.f('fk_batches_creditor_id_creditors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_batches')),
    sa.UniqueConstraint('batch_number', name=op.f('uq_batches_batch_number')),
    comment='registration batches: one per submission, the content of its order confirmation'
    )
    op.create_index('ix_batches_creditor_created', 'batches', ['creditor_id', 'created_at', 'id'], unique=False)
    op.create_table('cases',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('sequence', sa.BigInteger(), nullable=False),
    sa.Column('case_number', sa.String(length=20), nullable=False),
    sa.Column('kid', sa.String(length=25), nullable=False),
    sa.Column('creditor_id', sa.Uuid(), nullable=False),
    sa.Column('creditor_reference', sa.String(length=60), nullable=False),
    sa.Column('batch_id', sa.Uuid(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('debtor_kind', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=20), server_default=sa.text("'registered'"), nullable=False),
    sa.Column('status_since', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('closed_reason', sa.String(length=20), nullable=True),
    sa.Column('rule_set', sa.String(length=60), nullable=False),
    sa.Column('next_step_on', sa.Date(), nullable=True, comment='when the scheduler takes the next step (null: none)'),
    sa.Column('deadline', sa.Date(), nullable=True, comment='the deadline the debtor was last given'),
    sa.Column('needs_attention', sa.String(length=40), nullable=True, comment='why a case handler must act (null: no)'),
    sa.Column('principal_total_ore', sa.BigInteger(), nullable=False),
    sa.Column('claim_count', sa.SmallInteger(), nullable=False),
    sa.Column('earliest_due_date', sa.Date(), nullable=False),
    sa.Column('limitation_date', sa.Date(), nullable=False, comment="the earliest of its claims'"),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('registered_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.CheckConstraint("debtor_kind IN ('person', 'business')", name=op.f('ck_cases_debtor_kind')),
    sa.CheckConstraint('principal_total_ore > 0', name=op.f('ck_cases_principal_positive')),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_cases_batch_id_batches')),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.organisation_id'], name=op.f('fk_cases_creditor_id_creditors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('case_number', name=op.f('uq_cases_case_number')),
    sa.UniqueConstraint('creditor_id', 'creditor_reference', name='uq_cases_creditor_reference'),
    sa.UniqueConstraint('kid', name=op.f('uq_cases_kid')),
    sa.UniqueConstraint('sequence', name=op.f('uq_cases_sequence')),
    comment='collection cases (oppdrag)'
    )
    op.create_index('ix_cases_attention', 'cases', ['needs_attention', 'status_since'], unique=False, postgresql_where=sa.text('needs_attention IS NOT NULL'))
    op.create_index('ix_cases_batch', 'cases', ['batch_id', 'sequence'], unique=False)
    op.create_index('ix_cases_creditor_due', 'cases', ['creditor_id', 'earliest_due_date', 'id'], unique=False)
    op.create_index('ix_cases_creditor_principal', 'cases', ['creditor_id', 'principal_total_ore', 'id'], unique=False)
    op.create_index('ix_cases_creditor_registered', 'cases', ['creditor_id', 'registered_at', 'id'], unique=False)
    op.create_index('ix_cases_creditor_status', 'cases', ['creditor_id', 'status', 'registered_at', 'id'], unique=False)
    op.create_index('ix_cases_next_step', 'cases', ['next_step_on'], unique=False, postgresql_where=sa.text('next_step_on IS NOT NULL'))
    op.create_index('ix_cases_registered', 'cases', ['registered_at', 'id'], unique=False)
    op.create_table('claims',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('invoice_number', sa.String(length=40), nullable=False),
    sa.Column('invoice_date', sa.Date(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('principal_ore', sa.BigInteger(), nullable=False),
    sa.Column('reminder_fee_ore', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('limitation_date', sa.Date(), nullable=False),
    sa.Column('limitation_warned', sa.String(length=10), nullable=True, comment='the last warning given: 90d, 30d, expired'),
    sa.CheckConstraint('due_date >= invoice_date', name=op.f('ck_claims_due_after_invoice')),
    sa.CheckConstraint('principal_ore > 0', name=op.f('ck_claims_principal_positive')),
    sa.CheckConstraint('reminder_fee_ore >= 0', name=op.f('ck_claims_reminder_fee_not_negative')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_claims_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claims')),
    sa.UniqueConstraint('case_id', 'invoice_number', name='uq_claims_case_invoice'),
    sa.UniqueConstraint('case_id', 'position', name='uq_claims_case_position'),
    comment='the claims (invoices) of a case'
    )
    op.create_index('ix_claims_limitation', 'claims', ['limitation_date'], unique=False)
    op.create_table('note_reads',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('last_read_seq', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_note_reads_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'case_id', name=op.f('pk_note_reads')),
    comment='how far each user has read the notes of a case'
    )
    op.create_table('notes',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('seq', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('creditor_id', sa.Uuid(), nullable=False),
    sa.Column('author_id', sa.Uuid(), nullable=False),
    sa.Column('author_side', sa.String(length=10), nullable=False),
    sa.Column('visibility', sa.String(length=10), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("author_side IN ('creditor', 'agency')", name=op.f('ck_notes_author_side')),
    sa.CheckConstraint("visibility = 'shared' OR author_side = 'agency'", name=op.f('ck_notes_creditors_write_shared')),
    sa.CheckConstraint("visibility IN ('shared', 'internal')", name=op.f('ck_notes_visibility')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_notes_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notes')),
    sa.UniqueConstraint('seq', name=op.f('uq_notes_seq')),
    comment='notes between the creditor and the case handler on a case'
    )
    op.create_index('ix_notes_case', 'notes', ['case_id', 'seq'], unique=False)
    op.create_index('ix_notes_creditor_seq', 'notes', ['creditor_id', 'seq'], unique=False)
    op.create_table('parties',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('role', sa.String(length=10), server_default=sa.text("'debtor'"), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('national_id_sealed', sa.Text(), nullable=True, comment='AES-GCM ciphertext (keyring version first)'),
    sa.Column('national_id_index', sa.String(length=64), nullable=True, comment='keyed HMAC blind index for lookup'),
    sa.Column('organisation_number', sa.String(length=9), nullable=True),
    sa.Column('address_lines', postgresql.ARRAY(sa.String(length=100)), nullable=False),
    sa.Column('postal_code', sa.String(length=12), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_parties_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parties')),
    sa.UniqueConstraint('case_id', 'role', name='uq_parties_case_role'),
    comment='the parties of a case: its debtor (personal data: reads are audited)'
    )
    op.create_index('ix_parties_name', 'parties', [sa.literal_column('lower(name) text_pattern_ops')], unique=False)
    op.create_index('ix_parties_national_id_index', 'parties', ['national_id_index'], unique=False)
    op.create_index('ix_parties_organisation_number', 'parties', ['organisation_number'], unique=False)
    op.create_table('timeline',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False, comment='registered, status_changed, …'),
    sa.Column('step', sa.String(length=60), nullable=True),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=True),
    sa.Column('effective_date', sa.Date(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('actor_kind', sa.String(length=12), nullable=False, comment='user, scheduler, system, ledger'),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('detail', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_timeline_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timeline')),
    comment='what happened to a case, who or what did it (append-only)'
    )
    op.create_index('ix_timeline_case', 'timeline', ['case_id', 'id'], unique=False)
    op.execute(
        """
        CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
        END $$
        """
    )
    for table in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()"
        )


def downgrade() -> None:
    for table in APPEND_ONLY:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    op.execute("DROP FUNCTION IF EXISTS refuse_change()")
    op.drop_index('ix_timeline_case', table_name='timeline')
    op.drop_table('timeline')
    op.drop_index('ix_parties_organisation_number', table_name='parties')
    op.drop_index('ix_parties_national_id_index', table_name='parties')
    op.drop_index('ix_parties_name', table_name='parties')
    op.drop_table('parties')
    op.drop_index('ix_notes_creditor_seq', table_name='notes')
    op.drop_index('ix_notes_case', table_name='notes')
    op.drop_table('notes')
    op.drop_table('note_reads')
    op.drop_index('ix_claims_limitation', table_name='claims')
    op.drop_table('claims')
    op.drop_index('ix_cases_registered', table_name='cases')
    op.drop_index('ix_cases_next_step', table_name='cases', postgresql_where=sa.text('next_step_on IS NOT NULL'))
    op.drop_index('ix_cases_creditor_status', table_name='cases')
    op.drop_index('ix_cases_creditor_registered', table_name='cases')
    op.drop_index('ix_cases_creditor_principal', table_name='cases')
    op.drop_index('ix_cases_creditor_due', table_name='cases')
    op.drop_index('ix_cases_batch', table_name='cases')
    op.drop_index('ix_cases_attention', table_name='cases', postgresql_where=sa.text('needs_attention IS NOT NULL'))
    op.drop_table('cases')
    op.drop_index('ix_batches_creditor_created', table_name='batches')
    op.drop_table('batches')
    op.drop_index('ix_personal_data_access_case', table_name='personal_data_access')
    op.drop_table('personal_data_access')
    op.drop_index('ix_idempotency_keys_created', table_name='idempotency_keys')
    op.drop_table('idempotency_keys')
    op.execute("DROP SEQUENCE batch_sequence")
    op.execute("DROP SEQUENCE case_sequence")
