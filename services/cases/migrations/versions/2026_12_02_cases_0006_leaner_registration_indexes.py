"""leaner indexes for registration: none that no query reads, no NULLs where only values
are looked up, the KID's uniqueness from the sequence it is made of

Every registered case wrote about thirty index entries (bench/RESULTS.md, "cases import"):

- ``ix_claims_limitation`` (claims by limitation date) is read by no query: the scheduler
  finds claims to warn about through ``cases.limitation_check_on``.
- ``ix_cases_attention`` (``needs_attention, status_since``) is read by no query: the work
  queue is ordered by ``attention_since`` (``ix_cases_work_queue``).
- ``ix_parties_national_id_index`` and ``ix_parties_organisation_number`` held a NULL for
  every debtor of the other kind; they are looked up by value only, so they index values
  only.
- ``uq_cases_kid``: the KID is the case's sequence number and a check digit
  (``cases.domain.identifiers.kid_for``). A check that the KID starts with the sequence
  number makes the KID unique wherever the sequence is (``uq_cases_sequence``), without an
  index of its own; nothing looks cases up by KID here.

Revision ID: cases_0006
Revises: cases_0005
Create Date: 2026-12-02 18:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'cases_0006'
down_revision: str | None = 'cases_0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KID_IS_THE_SEQUENCE = "left(kid, -1)::bigint = sequence"


def upgrade() -> None:
    op.drop_index('ix_claims_limitation', table_name='claims')
    op.drop_index('ix_cases_attention', table_name='cases')
    op.drop_index('ix_parties_national_id_index', table_name='parties')
    op.create_index(
        'ix_parties_national_id_index',
        'parties',
        ['national_id_index'],
        postgresql_where=sa.text('national_id_index IS NOT NULL'),
    )
    op.drop_index('ix_parties_organisation_number', table_name='parties')
    op.create_index(
        'ix_parties_organisation_number',
        'parties',
        ['organisation_number'],
        postgresql_where=sa.text('organisation_number IS NOT NULL'),
    )
    op.create_check_constraint('kid_is_the_sequence', 'cases', KID_IS_THE_SEQUENCE)
    op.drop_constraint('uq_cases_kid', 'cases', type_='unique')


def downgrade() -> None:
    op.create_unique_constraint('uq_cases_kid', 'cases', ['kid'])
    op.drop_constraint('ck_cases_kid_is_the_sequence', 'cases', type_='check')
    op.drop_index('ix_parties_organisation_number', table_name='parties')
    op.create_index('ix_parties_organisation_number', 'parties', ['organisation_number'])
    op.drop_index('ix_parties_national_id_index', table_name='parties')
    op.create_index('ix_parties_national_id_index', 'parties', ['national_id_index'])
    op.create_index(
        'ix_cases_attention',
        'cases',
        ['needs_attention', 'status_since'],
        postgresql_where=sa.text('needs_attention IS NOT NULL'),
    )
    op.create_index('ix_claims_limitation', 'claims', ['limitation_date'])
