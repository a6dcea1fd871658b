"""Tables of the cases service's own database."""

from servicekit.db import make_metadata
from servicekit.idempotency import idempotency_table
from servicekit.inbox import inbox_table
from servicekit.outbox import outbox_table
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    Sequence,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

metadata = make_metadata()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
idempotency_keys = idempotency_table(metadata)

creditors = Table(
    "creditors",
    metadata,
    Column("organisation_id", Uuid, primary_key=True, comment="the organisation in auth"),
    Column("name", String(200), nullable=False),
    Column("organisation_number", String(9), nullable=False),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column(
        "registered_at",
        DateTime(timezone=True),
        nullable=False,
        comment="when the organisation was registered (the event's occurred_at)",
    ),
    comment="creditor clients (oppdragsgivere) cases can be registered for",
)

case_sequence = Sequence("case_sequence", metadata=metadata, start=1)
"""Numbers cases: the readable case number and the KID are made from it."""
batch_sequence = Sequence("batch_sequence", metadata=metadata, start=1)

batches = Table(
    "batches",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("batch_number", String(20), nullable=False, unique=True),
    Column("creditor_id", Uuid, ForeignKey("creditors.organisation_id"), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("status", String(12), nullable=False, server_default=text("'open'")),
    Column("case_count", Integer, nullable=False, server_default=text("0")),
    Column("claim_count", Integer, nullable=False, server_default=text("0")),
    Column("principal_total_ore", BigInteger, nullable=False, server_default=text("0")),
    Column("rejected_count", Integer, nullable=False, server_default=text("0")),
    Column("created_by", Uuid, comment="the user who submitted it"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("registered_at", DateTime(timezone=True), comment="when the batch was complete"),
    CheckConstraint("channel IN ('api', 'form', 'import')", name="channel"),
    CheckConstraint("status IN ('open', 'registered')", name="status"),
    Index("ix_batches_creditor_created", "creditor_id", "created_at", "id"),
    comment="registration batches: one per submission, the content of its order confirmation",
)

cases = Table(
    "cases",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("sequence", BigInteger, nullable=False, unique=True),
    Column("case_number", String(20), nullable=False, unique=True),
    Column("kid", String(25), nullable=False),
    Column("creditor_id", Uuid, ForeignKey("creditors.organisation_id"), nullable=False),
    Column("creditor_reference", String(60), nullable=False),
    Column("batch_id", Uuid, ForeignKey("batches.id"), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("debtor_kind", String(10), nullable=False),
    Column(
        "debtor_name",
        String(200),
        nullable=False,
        comment="the debtor's name, kept on the case for name search (personal data)",
    ),
    Column("status", String(20), nullable=False, server_default=text("'registered'")),
    Column("status_since", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("closed_reason", String(20)),
    Column("rule_set", String(60), nullable=False),
    Column("next_step_on", Date, comment="when the scheduler takes the next step (null: none)"),
    Column("deadline", Date, comment="the deadline the debtor was last given"),
    Column("needs_attention", String(40), comment="why a case handler must act (null: no)"),
    Column("principal_total_ore", BigInteger, nullable=False),
    Column(
        "balance_ore",
        BigInteger,
        nullable=False,
        comment="what the debtor owes (principal, interest, costs) as the ledger last stated it",
    ),
    Column(
        "paid_ore",
        BigInteger,
        nullable=False,
        server_default=text("0"),
        comment="paid on the case so far, net of reversals, as the ledger last stated it",
    ),
    Column(
        "balance_changed_at",
        DateTime(timezone=True),
        comment="the ledger's time of the balance kept (null: as registered, not yet stated)",
    ),
    Column("claim_count", SmallInteger, nullable=False),
    Column("earliest_due_date", Date, nullable=False),
    Column("limitation_date", Date, nullable=False, comment="the earliest of its claims'"),
    Column("registered_at", DateTime(timezone=True), nullable=False),
    Column("registered_by", Uuid),
    Column("version", Integer, nullable=False, server_default=text("1")),
    Column(
        "updated_at",
        DateTime(timezone=True),
        nullable=False,
        server_default=func.now(),
        comment="moved by a trigger on every change (for `updated_since` sync)",
    ),
    UniqueConstraint("creditor_id", "creditor_reference", name="uq_cases_creditor_reference"),
    CheckConstraint("debtor_kind IN ('person', 'business')", name="debtor_kind"),
    CheckConstraint("principal_total_ore > 0", name="principal_positive"),
    # the KID is the sequence and a check digit, so it is unique as the sequence is (no index)
    CheckConstraint("left(kid, -1)::bigint = sequence", name="kid_is_the_sequence"),
    Index("ix_cases_creditor_registered", "creditor_id", "registered_at", "id"),
    Index("ix_cases_registered", "registered_at", "id"),
    Index("ix_cases_creditor_status", "creditor_id", "status", "registered_at", "id"),
    Index("ix_cases_creditor_principal", "creditor_id", "principal_total_ore", "id"),
    Index("ix_cases_creditor_balance", "creditor_id", "balance_ore", "id"),
    Index("ix_cases_creditor_due", "creditor_id", "earliest_due_date", "id"),
    Index("ix_cases_creditor_updated", "creditor_id", "updated_at", "id"),
    Index("ix_cases_batch", "batch_id", "sequence"),
    Index(
        "ix_cases_debtor_name_trgm",
        text("lower(debtor_name) gin_trgm_ops"),
        postgresql_using="gin",
    ),
    Index("ix_cases_reference_lower", text("lower(creditor_reference)")),
    Index("ix_cases_next_step", "next_step_on", postgresql_where=text("next_step_on IS NOT NULL")),
    comment="collection cases (oppdrag)",
)

parties = Table(
    "parties",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("case_id", Uuid, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("role", String(10), nullable=False, server_default=text("'debtor'")),
    Column("kind", String(10), nullable=False),
    Column("name", String(200), nullable=False),
    Column("national_id_sealed", Text, comment="AES-GCM ciphertext (keyring version first)"),
    Column("national_id_index", String(64), comment="keyed HMAC blind index for lookup"),
    Column("organisation_number", String(9)),
    Column("address_lines", ARRAY(String(100)), nullable=False),
    Column("postal_code", String(12), nullable=False),
    Column("city", String(100), nullable=False),
    Column("country", String(2), nullable=False),
    Column("email", String(254)),
    Column("phone", String(16)),
    UniqueConstraint("case_id", "role", name="uq_parties_case_role"),
    Index(
        "ix_parties_national_id_index",
        "national_id_index",
        postgresql_where=text("national_id_index IS NOT NULL"),
    ),
    Index(
        "ix_parties_organisation_number",
        "organisation_number",
        postgresql_where=text("organisation_number IS NOT NULL"),
    ),
    comment="the parties of a case: its debtor (personal data: reads are audited)",
)

claims = Table(
    "claims",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("case_id", Uuid, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("position", SmallInteger, nullable=False),
    Column("invoice_number", String(40), nullable=False),
    Column("invoice_date", Date, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("principal_ore", BigInteger, nullable=False),
    Column("reminder_fee_ore", BigInteger, nullable=False, server_default=text("0")),
    Column("limitation_date", Date, nullable=False),
    Column("limitation_warned", String(10), comment="the last warning given: 90d, 30d, expired"),
    Column(
        "claim_type",
        String(10),
        nullable=False,
        server_default=text("'ordinary'"),
        comment="ordinary (3-year limitation) or loan (pengelån, gjeldsbrev: 10 years)",
    ),
    Column(
        "demand_sent_on",
        Date,
        comment="no due date agreed: the påkrav's date (interest from 30 days after it)",
    ),
    UniqueConstraint("case_id", "invoice_number", name="uq_claims_case_invoice"),
    UniqueConstraint("case_id", "position", name="uq_claims_case_position"),
    CheckConstraint("principal_ore > 0", name="principal_positive"),
    CheckConstraint("reminder_fee_ore >= 0", name="reminder_fee_not_negative"),
    CheckConstraint("due_date >= invoice_date", name="due_after_invoice"),
    CheckConstraint("claim_type IN ('ordinary', 'loan')", name="claim_type_known"),
    comment="the claims (invoices) of a case",
)

limitation_interruptions = Table(
    "limitation_interruptions",
    metadata,
    Column("case_id", Uuid, ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "source_key",
        String(60),
        primary_key=True,
        comment="payment:<the ledger's payment id>, action:<id> (a case action), timeline:<id>",
    ),
    Column("interruption", String(20), nullable=False),
    Column("interrupted_on", Date, nullable=False, comment="a payment's value date"),
    Column(
        "withdrawn_at",
        DateTime(timezone=True),
        comment="a payment taken back: it no longer interrupts (ADR 0068)",
    ),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint(
        "interruption IN ('acknowledgement', 'part_payment', 'forliksklage', 'utlegg', 'judgment')",
        name="interruption_known",
    ),
    comment="the facts a case's limitation dates are computed from, in any order (ADR 0068)",
)

timeline = Table(
    "timeline",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("case_id", Uuid, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("kind", String(40), nullable=False, comment="registered, status_changed, …"),
    Column("step", String(60)),
    Column("from_status", String(20)),
    Column("to_status", String(20)),
    Column("effective_date", Date),
    Column("deadline", Date),
    Column("actor_kind", String(12), nullable=False, comment="user, scheduler, system, ledger"),
    Column("actor_id", Uuid),
    Column("detail", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Index("ix_timeline_case", "case_id", "id"),
    comment="what happened to a case, who or what did it (append-only)",
)

notes = Table(
    "notes",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("seq", BigInteger, Identity(), nullable=False, unique=True),
    Column("case_id", Uuid, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("creditor_id", Uuid, nullable=False),
    Column("author_id", Uuid, nullable=False),
    Column("author_side", String(10), nullable=False),
    Column("visibility", String(10), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("author_side IN ('creditor', 'agency')", name="author_side"),
    CheckConstraint("visibility IN ('shared', 'internal')", name="visibility"),
    CheckConstraint(
        "visibility = 'shared' OR author_side = 'agency'", name="creditors_write_shared"
    ),
    Index("ix_notes_case", "case_id", "seq"),
    Index("ix_notes_creditor_seq", "creditor_id", "seq"),
    comment="notes between the creditor and the case handler on a case",
)

note_reads = Table(
    "note_reads",
    metadata,
    Column("user_id", Uuid, primary_key=True),
    Column("case_id", Uuid, ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("last_read_seq", BigInteger, nullable=False),
    comment="how far each user has read the notes of a case",
)

note_attachments = Table(
    "note_attachments",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("note_id", Uuid, ForeignKey("notes.id", ondelete="CASCADE"), nullable=False),
    Column("case_id", Uuid, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("creditor_id", Uuid, nullable=False),
    Column("uploaded_by", Uuid, nullable=False),
    Column("filename", String(120), nullable=False, comment="cleaned; the download's name"),
    Column("media_type", String(100), nullable=False, comment="told by the content (magic bytes)"),
    Column("size_bytes", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("status", String(12), nullable=False, comment="pending, clean, quarantined"),
    Column("signature", String(200), comment="what clamd found (quarantined files)"),
    Column("scan_attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_scan_at", DateTime(timezone=True)),
    Column("scanned_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("status IN ('pending', 'clean', 'quarantined')", name="status"),
    CheckConstraint("size_bytes > 0", name="size_positive"),
    Index("ix_note_attachments_note", "note_id"),
    Index(
        "ix_note_attachments_pending",
        "next_scan_at",
        postgresql_where=text("status = 'pending'"),
    ),
    comment="files attached to notes, scanned by ClamAV before anyone may download them",
)

attachment_contents = Table(
    "attachment_contents",
    metadata,
    Column(
        "attachment_id",
        Uuid,
        ForeignKey("note_attachments.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("sealed", Text, nullable=False, comment="AES-GCM (servicekit.crypto), bound to the id"),
    comment="the attached files' bytes, sealed; a quarantined file's are deleted",
)

personal_data_access = Table(
    "personal_data_access",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("actor_id", Uuid, nullable=False),
    Column("actor_organisation_id", Uuid, nullable=False),
    Column("action", String(40), nullable=False, comment="read_case, export_cases, …"),
    Column("case_id", Uuid),
    Column("detail", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Index("ix_personal_data_access_case", "case_id", "at"),
    comment="audit log of reads of debtors' personal data (append-only)",
)


# -- electronic import (cases.service_layer.imports) ----------------------------------------

import_jobs = Table(
    "import_jobs",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("creditor_id", Uuid, ForeignKey("creditors.organisation_id"), nullable=False),
    Column("created_by", Uuid, nullable=False, comment="the user who uploaded the file"),
    Column("format", String(4), nullable=False),
    Column("filename", String(255)),
    Column("requested_encoding", String(20), comment="a CSV's encoding as the uploader named it"),
    Column("size_bytes", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("status", String(10), nullable=False, server_default=text("'queued'")),
    Column("rows_read", Integer, nullable=False, server_default=text("0")),
    Column("rows_accepted", Integer, nullable=False, server_default=text("0")),
    Column("rows_rejected", Integer, nullable=False, server_default=text("0")),
    Column("cases_registered", Integer, nullable=False, server_default=text("0")),
    Column("cases_rejected", Integer, nullable=False, server_default=text("0")),
    Column(
        "checkpoint_records",
        Integer,
        nullable=False,
        server_default=text("0"),
        comment="records of the file whose cases are committed: a resumed import skips them",
    ),
    Column("checkpoint_state", JSONB, comment="the row grouper's state at the checkpoint"),
    Column("facts", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("error", Text, comment="why the import failed (for people)"),
    Column("batch_id", Uuid, ForeignKey("batches.id")),
    Column("lease_owner", String(100), comment="the importer working on it"),
    Column("lease_expires_at", DateTime(timezone=True)),
    Column("attempts", SmallInteger, nullable=False, server_default=text("0")),
    Column(
        "leased_at_records",
        Integer,
        nullable=False,
        server_default=text("0"),
        comment="checkpoint_records when the job was last leased",
    ),
    Column(
        "stalls",
        SmallInteger,
        nullable=False,
        server_default=text("0"),
        comment="leases in a row whose importer died before the checkpoint moved",
    ),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("format IN ('csv', 'xlsx', 'json')", name="format"),
    CheckConstraint("status IN ('queued', 'running', 'completed', 'failed')", name="status"),
    Index("ix_import_jobs_creditor_created", "creditor_id", "created_at", "id"),
    Index("ix_import_jobs_created", "created_at", "id"),
    Index(
        "ix_import_jobs_pending",
        "created_at",
        postgresql_where=text("status IN ('queued', 'running')"),
    ),
    comment="file imports of cases: one job per uploaded file, its progress and checkpoint",
)

import_file_chunks = Table(
    "import_file_chunks",
    metadata,
    Column("job_id", Uuid, ForeignKey("import_jobs.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("data", LargeBinary, nullable=False),
    comment="an uploaded file, in pieces, until its import is finished (then deleted)",
)

import_row_errors = Table(
    "import_row_errors",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("job_id", Uuid, ForeignKey("import_jobs.id", ondelete="CASCADE"), nullable=False),
    Column("line", Integer, nullable=False, comment="the file's line (XLSX: row; JSON: case)"),
    Column("column", String(60), nullable=False),
    Column("reason", Text, nullable=False, comment="in English, for developers"),
    Column("creditor_reference", String(100)),
    Column(
        "code",
        String(40),
        nullable=False,
        comment="the reason's stable code (cases.domain.import_reasons), set where it is found",
    ),
    Column(
        "code_values",
        JSONB,
        nullable=False,
        server_default=text("'{}'::jsonb"),
        comment='the values the code\'s words need: {"line": "7"}',
    ),
    Index("ix_import_row_errors_job", "job_id", "id"),
    comment="every problem of every refused row of an import (the error report)",
)


# -- collection workflow (cases.service_layer.workflow, migration cases_0004) ---------------
#
# The workflow's own state on a case, beside the columns registration writes.
for _column in (
    Column(
        "demand_sent_on", Date, comment="the last betalingsoppfordring: legal steps count from it"
    ),
    Column("legal_step_on", Date, comment="the last legal step (forliksklage, utlegg)"),
    Column("workflow_attention", String(40), comment="the workflow's own reason for a handler"),
    Column(
        "paused",
        JSONB,
        nullable=False,
        server_default=text("'[]'::jsonb"),
        comment="where to resume after an objection or a payment plan (innermost last)",
    ),
    Column("limitation_check_on", Date, comment="when a limitation warning is next due"),
    Column("attention_since", DateTime(timezone=True), comment="since when needs_attention"),
):
    cases.append_column(_column)
Index(
    "ix_cases_limitation_check",
    cases.c.limitation_check_on,
    postgresql_where=text("limitation_check_on IS NOT NULL"),
)
Index(
    "ix_cases_work_queue",
    cases.c.attention_since,
    cases.c.id,
    postgresql_where=text("needs_attention IS NOT NULL"),
)

objections = Table(
    "objections",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("case_id", Uuid, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("status", String(10), nullable=False, server_default=text("'open'")),
    Column("received_on", Date, nullable=False, comment="when the debtor's objection arrived"),
    Column("grounds", Text, nullable=False, comment="what the debtor objects to"),
    Column("registered_at", DateTime(timezone=True), nullable=False),
    Column("registered_by", Uuid, nullable=False),
    Column("resolution", String(10)),
    Column("resolution_note", Text),
    Column("resolved_at", DateTime(timezone=True)),
    Column("resolved_by", Uuid),
    CheckConstraint("status IN ('open', 'resolved')", name="status"),
    CheckConstraint("resolution IN ('resumed', 'closed', 'legal')", name="resolution"),
    CheckConstraint(
        "(status = 'open') = (resolution IS NULL AND resolved_at IS NULL)", name="resolved_fully"
    ),
    Index("ix_objections_case", "case_id", "registered_at"),
    Index(
        "uq_objections_one_open", "case_id", unique=True, postgresql_where=text("status = 'open'")
    ),
    comment="objections (innsigelser) to a case's claims and how they were resolved",
)

payment_plans = Table(
    "payment_plans",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("case_id", Uuid, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("status", String(10), nullable=False, server_default=text("'active'")),
    Column("agreed_on", Date, nullable=False),
    Column("instalment_count", SmallInteger, nullable=False),
    Column("total_ore", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", Uuid, nullable=False),
    Column("ended_on", Date),
    Column("ended_reason", String(20), comment="breached, or the step that ended it"),
    Column("ended_by", Uuid),
    CheckConstraint("status IN ('active', 'breached', 'ended')", name="status"),
    CheckConstraint("total_ore > 0", name="total_positive"),
    Index("ix_payment_plans_case", "case_id", "created_at"),
    Index(
        "uq_payment_plans_one_active",
        "case_id",
        unique=True,
        postgresql_where=text("status = 'active'"),
    ),
    comment="avdragsordninger (payment plans) agreed with a case's debtor",
)

payment_plan_instalments = Table(
    "payment_plan_instalments",
    metadata,
    Column("plan_id", Uuid, ForeignKey("payment_plans.id", ondelete="CASCADE"), primary_key=True),
    Column("number", SmallInteger, primary_key=True, comment="1, 2, … in due-date order"),
    Column("due_date", Date, nullable=False),
    Column("amount_ore", BigInteger, nullable=False),
    CheckConstraint("amount_ore > 0", name="amount_positive"),
    comment="the instalments of a payment plan",
)
