"""import row errors: each stored with its stable code and the values its words need (ADR 0069)

The rows stored before get their code from their English reason by the patterns the error
files used until now (frozen below, with the few reasons that had none); a reason no
pattern knows is ``invalid_value``, as the files showed it.

Revision ID: cases_0015_import_error_codes
Revises: cases_0014_limitation_facts
Create Date: 2026-12-07 06:30:00
"""
import json
import re
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = 'cases_0015_import_error_codes'
down_revision: str | None = 'cases_0014_limitation_facts'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENERIC = "invalid_value"
PAGE = 5000

PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (code, re.compile(pattern, re.IGNORECASE))
    for code, pattern in (
        ("creditor_reference", r"^is required: 1-60"),
        ("twice_in_submission", r"^appears twice in this submission"),
        ("not_an_object", r"^must be an object"),
        ("not_a_string", r"^must be a string"),
        ("not_an_integer", r"^must be an integer"),
        ("not_a_list", r"^must be a list"),
        ("not_a_date", r"^must be a date"),
        ("required_for_person", r"^is required for a person"),
        ("required_for_business", r"^is required for a business"),
        ("required", r"^is required"),
        ("only_for_person", r"^is only for a person"),
        ("only_for_business", r"^is only for a business"),
        ("case_too_many_rows", r"^belongs to the case that starts on line (?P<line>\d+)"),
        ("differs_from_line", r"^differs from line (?P<line>\d+)"),
        ("case_has_errors", r"^not registered: .*\(line (?P<line>\d+)\)"),
        ("too_many_claims", r"^(a case has at most|at most \d+ claims)"),
        ("not_a_date", r"is not a date"),
        ("too_many_decimals", r"has more than two decimals"),
        ("not_an_amount", r"is not an amount"),
        ("debtor_kind", r"(is not a debtor kind|^must be 'person' or 'business')"),
        ("claim_type", r"^must be 'ordinary' or 'loan'"),
        ("not_positive", r"^must be a positive amount"),
        ("negative", r"^must not be negative"),
        ("larger_than_principal", r"^is larger than the principal"),
        ("too_large", r"^is larger than"),
        ("fees_do_not_add_up", r"^does not add up"),
        ("in_future", r"^is in the future"),
        ("before_invoice_date", r"^is before the invoice date"),
        ("not_overdue", r"is not overdue"),
        ("too_long", r"^is longer than (?P<limit>\d+) characters"),
        ("control_characters", r"control characters"),
        ("country_code", r"country code"),
        ("postal_code", r"postal code"),
        ("email", r"e-mail address"),
        ("phone", r"^must be 5-15 digits"),
        ("national_id", r"national identity number"),
        ("organisation_number", r"(organisation number|organisasjonsnummer)"),
        ("twice_in_case", r"^appears twice"),
        ("claims_missing", r"^at least one claim"),
        ("address_missing", r"^at least one address line"),
        ("too_many_address_lines", r"^at most \d+ address lines"),
        ("already_registered", r"already registered as case (?P<case_number>[\w-]+)"),
        ("encoding", r"^the line is not (?P<encoding>[\w-]+) text"),
        ("line_too_long", r"^the line is longer than"),
        ("not_in_layout", r"^is not a field of the layout"),
        ("unreadable_line", r"^the (line|row) (is|cannot)"),
        ("too_big", r"^(has more than|has a (text|number|key)|is nested deeper)"),
        ("malformed", r"^is malformed"),
    )
)


BY_COLUMN = {"national_id": "national_id", "organisation_number": "organisation_number"}
"""A column whose checks speak in their own words (the identifiers' check digits)."""


def reason_code(reason: str, column: str = "") -> tuple[str, dict[str, str]]:
    """The code of a reason stored before this revision, with the values its words need
    (the patterns the error files used until then, frozen here, plus the reasons that had
    none)."""
    text = reason.strip()
    for code, pattern in PATTERNS:
        match = pattern.search(text)
        if match:
            return code, {k: v for k, v in match.groupdict().items() if v is not None}
    return BY_COLUMN.get(column.rsplit(".", 1)[-1], GENERIC), {}


def upgrade() -> None:
    op.add_column(
        'import_row_errors',
        sa.Column(
            'code',
            sa.String(length=40),
            nullable=True,
            comment="the reason's stable code (cases.domain.import_reasons), set where it is found",
        ),
    )
    op.add_column(
        'import_row_errors',
        sa.Column(
            'code_values',
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
            comment='the values the code\'s words need: {"line": "7"}',
        ),
    )
    op.alter_column(
        'import_row_errors',
        'reason',
        existing_type=sa.Text(),
        existing_nullable=False,
        comment='in English, for developers',
    )
    bind = op.get_bind()
    after = 0
    while True:
        rows = bind.execute(
            sa.text(
                'SELECT id, reason, "column" FROM import_row_errors WHERE id > :after '
                "ORDER BY id LIMIT :page"
            ),
            {"after": after, "page": PAGE},
        ).all()
        if not rows:
            break
        after = rows[-1].id
        same: dict[tuple[str, str], list[int]] = defaultdict(list)
        for row in rows:
            code, values = reason_code(row.reason, row.column)
            same[(code, json.dumps(values, sort_keys=True))].append(row.id)
        for (code, values), ids in same.items():
            bind.execute(
                sa.text(
                    "UPDATE import_row_errors SET code = :code,"
                    " code_values = CAST(CAST(:vals AS text) AS jsonb) WHERE id = ANY(:ids)"
                ),
                {"code": code, "vals": values, "ids": ids},
            )
    op.alter_column('import_row_errors', 'code', existing_type=sa.String(length=40), nullable=False)


def downgrade() -> None:
    op.alter_column(
        'import_row_errors',
        'reason',
        existing_type=sa.Text(),
        existing_nullable=False,
        comment=None,
    )
    op.drop_column('import_row_errors', 'code_values')
    op.drop_column('import_row_errors', 'code')
