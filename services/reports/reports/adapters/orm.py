"""Tables of the reports service's own database."""

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
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = make_metadata()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
idempotency_keys = idempotency_table(metadata)

organisations = Table(
    "organisations",
    metadata,
    Column("organisation_id", Uuid, primary_key=True, comment="the organisation in auth"),
    Column("name", String(200), nullable=False),
    Column("organisation_number", String(9), nullable=False),
    Column("kind", String(20), nullable=False, comment="creditor or agency"),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column(
        "registered_at",
        DateTime(timezone=True),
        nullable=False,
        comment="when the organisation was registered (the event's occurred_at)",
    ),
    comment="read model of the identity service's organisations",
)

batches = Table(
    "batches",
    metadata,
    Column("batch_id", Uuid, primary_key=True, comment="the registration batch in cases"),
    Column("batch_number", String(40), nullable=False),
    Column("creditor_id", Uuid, nullable=False),
    Column("channel", String(10), nullable=False),
    Column("case_count", Integer, nullable=False),
    Column("claim_count", Integer, nullable=False),
    Column("principal_total_ore", BigInteger, nullable=False),
    Column("rejected_count", Integer, nullable=False),
    Column("rejected_rows", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("registered_at", DateTime(timezone=True), nullable=False),
    Index("ix_batches_creditor_id", "creditor_id", "registered_at"),
    comment="registration batches (cases.batch.registered): one order confirmation each",
)

batch_progress = Table(
    "batch_progress",
    metadata,
    Column("batch_id", Uuid, primary_key=True),
    Column("cases_projected", Integer, nullable=False),
    comment="how many of a batch's cases the read model holds (its confirmation waits for all)",
)

cases = Table(
    "cases",
    metadata,
    Column("case_id", Uuid, primary_key=True, comment="the case in cases"),
    Column("creditor_id", Uuid, nullable=False),
    Column("batch_id", Uuid, nullable=False),
    Column("case_number", String(20), nullable=False),
    Column("kid", String(25), nullable=False),
    Column("creditor_reference", String(60), nullable=False),
    Column("debtor_kind", String(10), nullable=False),
    Column("debtor_name", String(200), comment="for the order confirmation; personal data"),
    Column("principal_ore", BigInteger, nullable=False, comment="sum of the claims' principal"),
    Column("due_date", Date, nullable=False, comment="the earliest claim's due date"),
    Column("claim_count", Integer, nullable=False),
    Column("registered_at", DateTime(timezone=True), nullable=False),
    Column("status", String(30), nullable=False, server_default=text("'registered'")),
    Column("status_changed_at", DateTime(timezone=True)),
    Column("closed_on", Date),
    Column("close_reason", String(20)),
    Column("principal_outstanding_ore", BigInteger, comment="as the ledger last booked it"),
    Column("interest_outstanding_ore", BigInteger),
    Column("costs_outstanding_ore", BigInteger),
    Column("balance_ore", BigInteger),
    Column("balance_changed_at", DateTime(timezone=True)),
    Column(
        "claims",
        JSONB,
        nullable=False,
        server_default=text("'[]'::jsonb"),
        comment="invoice number, invoice date, due date, principal of each claim",
    ),
    Index("ix_cases_batch_id", "batch_id"),
    Index("ix_cases_creditor_id", "creditor_id", "registered_at"),
    comment="registered cases (cases.case.registered), as the documents print them",
)

settlements = Table(
    "settlements",
    metadata,
    Column("settlement_id", Uuid, primary_key=True, comment="the settlement in the ledger"),
    Column("settlement_number", String(20), nullable=False),
    Column("creditor_id", Uuid, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("payout_date", Date),
    Column("client_account", String(34)),
    Column("payout_account", String(34)),
    Column("vat_deductible", Boolean, nullable=False),
    Column("line_count", Integer, nullable=False),
    Column("collected_ore", BigInteger, nullable=False),
    Column("commission_ore", BigInteger, nullable=False),
    Column("credit_report_charges_ore", BigInteger, nullable=False),
    Column("agency_fees_ore", BigInteger, nullable=False),
    Column("payout_ore", BigInteger, nullable=False),
    Column("completed_at", DateTime(timezone=True), nullable=False),
    Index("ix_settlements_creditor_id", "creditor_id", "period_end"),
    comment="settlements paid out (ledger.settlement.completed)",
)

settlement_lines = Table(
    "settlement_lines",
    metadata,
    Column("settlement_id", Uuid, ForeignKey("settlements.settlement_id"), primary_key=True),
    Column("line_id", BigInteger, primary_key=True, comment="the ledger's allocation"),
    Column("payment_id", Uuid),
    Column("case_id", Uuid, nullable=False),
    Column("value_date", Date, nullable=False),
    Column("principal_ore", BigInteger, nullable=False),
    Column("interest_ore", BigInteger, nullable=False),
    Column("reminder_fees_ore", BigInteger, nullable=False),
    Column("collection_fees_ore", BigInteger, nullable=False),
    Column("court_fees_ore", BigInteger, nullable=False),
    Column("commission_ore", BigInteger, nullable=False),
    Column("net_ore", BigInteger, nullable=False),
    comment="a settlement's lines per case and payment",
)

documents = Table(
    "documents",
    metadata,
    Column("document_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False, comment="the creditor it is for"),
    Column("kind", String(30), nullable=False),
    Column("source_id", Uuid, nullable=False, comment="the batch or settlement it documents"),
    Column("number", String(40), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("period_start", Date),
    Column("period_end", Date),
    Column("media_type", String(100), nullable=False),
    Column("file_name", String(120), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("replaces_document_id", Uuid, ForeignKey("documents.document_id"),
           comment="the document this one corrects (a credit note, a new statement)"),
    Column("case_id", Uuid, comment="the case a letter to its debtor was sent on"),
    CheckConstraint(
        "kind IN ('order_confirmation', 'settlement_statement', 'posting_proposal', "
        "'case_statement', 'report_run', 'debtor_letter', 'credit_note')",
        name="kind",
    ),
    CheckConstraint("size = octet_length(content)", name="size"),
    Index(
        "uq_documents_source",
        "kind",
        "source_id",
        unique=True,
        postgresql_where=text("replaces_document_id IS NULL"),
    ),
    Index("uq_documents_kind_number", "kind", "number", unique=True),
    Index("ix_documents_organisation", "organisation_id", "issued_at", "document_id"),
    Index("ix_documents_case_id", "case_id", postgresql_where=text("case_id IS NOT NULL")),
    comment="issued documents: immutable (a trigger refuses UPDATE; DELETE only by the purge)",
)  # fmt: skip

document_corrections = Table(
    "document_corrections",
    metadata,
    Column("correction_id", Uuid, primary_key=True),
    Column("original_document_id", Uuid, nullable=False,
           comment="the statement corrected (no foreign key: the purge)"),
    Column("organisation_id", Uuid, nullable=False, comment="the creditor"),
    Column("reason", String(40), nullable=False),
    Column("credit_note_document_id", Uuid, nullable=False),
    Column("replacement_document_id", Uuid,
           comment="the new statement, for a correction of master data"),
    Column("requested_by", Uuid, comment="the agency user; none for an event"),
    Column("corrected_at", DateTime(timezone=True), nullable=False),
    CheckConstraint(
        "reason IN ('creditor_name', 'creditor_organisation_number', 'creditor_address', "
        "'account_mapping', 'issued_in_error', 'settlement_reversed')",
        name="reason",
    ),
    Index("uq_document_corrections_original", "original_document_id", unique=True),
    Index("ix_document_corrections_credit_note", "credit_note_document_id"),
    Index("ix_document_corrections_replacement", "replacement_document_id"),
    comment="corrections of issued statements: append-only (a trigger refuses UPDATE, DELETE)",
)  # fmt: skip

document_counters = Table(
    "document_counters",
    metadata,
    Column("series", String(60), primary_key=True),
    Column("last_number", BigInteger, nullable=False),
    comment="gapless number series: the row is locked by the transaction that issues",
)

document_downloads = Table(
    "document_downloads",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column(
        "document_id", Uuid, nullable=False, comment="no foreign key: the audit outlives a purge"
    ),
    Column("user_id", Uuid, nullable=False),
    Column("organisation_id", Uuid, nullable=False, comment="the downloader's organisation"),
    Column("via", String(10), nullable=False, comment="'file' or 'zip'"),
    Column("downloaded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_document_downloads_document_id", "document_id"),
    comment="audit of document downloads: append-only (a trigger refuses UPDATE and DELETE)",
)

projection_progress = Table(
    "projection_progress",
    metadata,
    Column("projection", String(60), primary_key=True),
    Column("last_occurred_at", DateTime(timezone=True), nullable=False),
    Column("last_applied_at", DateTime(timezone=True), nullable=False),
    comment="the newest event each projection applied, and when: its lag",
)

report_exports = Table(
    "report_exports",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("report", String(40), nullable=False),
    Column("format", String(10), nullable=False),
    Column("parameters", JSONB, nullable=False),
    Column("user_id", Uuid, nullable=False),
    Column("organisation_id", Uuid, nullable=False, comment="the exporter's organisation"),
    Column("exported_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    comment="audit of report runs and exports: append-only (a trigger refuses UPDATE, DELETE)",
)

payments = Table(
    "payments",
    metadata,
    Column("payment_id", Uuid, primary_key=True, comment="the payment in the ledger"),
    Column("case_id", Uuid, nullable=False),
    Column("creditor_id", Uuid, nullable=False),
    Column("value_date", Date, nullable=False),
    Column("amount_ore", BigInteger, nullable=False),
    Column("principal_ore", BigInteger, nullable=False),
    Column("interest_ore", BigInteger, nullable=False),
    Column("costs_ore", BigInteger, nullable=False),
    Column("overpaid_ore", BigInteger, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Index("ix_payments_case_id", "case_id", "value_date"),
    comment="payments booked on cases (ledger.payment.received)",
)

case_balances = Table(
    "case_balances",
    metadata,
    Column("case_id", Uuid, primary_key=True),
    Column("changed_at", DateTime(timezone=True), primary_key=True),
    Column("effective_date", Date, nullable=False),
    Column("principal_ore", BigInteger, nullable=False),
    Column("interest_ore", BigInteger, nullable=False),
    Column("costs_ore", BigInteger, nullable=False),
    Column("balance_ore", BigInteger, nullable=False),
    Column("cause", String(30), nullable=False),
    Column(
        "interest_rate_percent",
        Numeric(7, 4),
        comment="forsinkelsesrente p.a. in force on effective_date (the ledger's)",
    ),
    Column("interest_rate_from", Date, comment="the rate applies from this day"),
    Column("interest_rate_to", Date, comment="through this day (the end of its half-year)"),
    Column(
        "interest",
        JSONB,
        comment="the ledger's interest through the day: accrued, outstanding, by rate period",
    ),
    comment="each case's balance as the ledger booked it, over time (a case statement's as-of)",
)

held_letters = Table(
    "held_letters",
    metadata,
    Column("letter_id", Uuid, primary_key=True),
    Column("case_id", Uuid, nullable=False),
    Column("sent_on", Date, nullable=False),
    Column("request", JSONB, nullable=False, comment="the letter's request (name, address)"),
    Column("reason", String(40), nullable=False),
    Column("held_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_held_letters_case_id", "case_id"),
    comment="letters waiting for what they must state (the forsinkelsesrente of their day); "
    "issued and deleted when the ledger's balance event brings it",
)

document_purges = Table(
    "document_purges",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("document_id", Uuid, nullable=False),
    Column("organisation_id", Uuid, nullable=False),
    Column("kind", String(30), nullable=False),
    Column("source_id", Uuid, nullable=False),
    Column("number", String(40), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("retained_until", Date, nullable=False, comment="the last day it had to be kept"),
    Column("purged_on", Date, nullable=False, comment="the purge's day (its clock)"),
    Column("purged_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_document_purges_document_id", "document_id"),
    Index("ix_document_purges_source", "kind", "source_id"),
    comment="audit of documents deleted by the retention purge: append-only (trigger)",
)

parked_case_events = Table(
    "parked_case_events",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("case_id", Uuid, nullable=False),
    Column("event_id", Uuid, nullable=False),
    Column("routing_key", String(80), nullable=False),
    Column("envelope", JSONB, nullable=False),
    Column("parked_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_parked_case_events_case_id", "case_id"),
    Index("uq_parked_case_events_event_id", "event_id", unique=True),
    comment="changes to cases not in the read model yet, applied when the case arrives",
)
saved_reports = Table(
    "saved_reports",
    metadata,
    Column("saved_report_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False, comment="the creditor it reports on"),
    Column("name", String(100), nullable=False),
    Column("report", String(40), nullable=False, comment="a catalogue code"),
    Column("filters", JSONB, nullable=False, comment="period_from, period_to, status, …"),
    Column("columns", JSONB, nullable=False, comment="column codes; empty = every column"),
    Column("format", String(10), nullable=False),
    Column("created_by", Uuid, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("format IN ('csv', 'xlsx')", name="format"),
    Index("ix_saved_reports_organisation", "organisation_id", "name"),
    comment="report definitions users saved («Lagrede rapporter») to run again",
)

report_schedules = Table(
    "report_schedules",
    metadata,
    Column("schedule_id", Uuid, primary_key=True),
    Column(
        "saved_report_id",
        Uuid,
        ForeignKey("saved_reports.saved_report_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("organisation_id", Uuid, nullable=False),
    Column("frequency", String(10), nullable=False),
    Column("notify_email", String(254), comment="where «a report is ready» goes (no content)"),
    Column("created_by", Uuid, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("next_run_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("frequency IN ('daily', 'weekly', 'monthly')", name="frequency"),
    Index("ix_report_schedules_due", "next_run_at"),
    comment="schedules of saved reports: a worker claims the due ones (FOR UPDATE SKIP LOCKED)",
)

report_runs = Table(
    "report_runs",
    metadata,
    Column("run_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column(
        "saved_report_id",
        Uuid,
        ForeignKey("saved_reports.saved_report_id", ondelete="SET NULL"),
    ),
    Column("schedule_id", Uuid, ForeignKey("report_schedules.schedule_id", ondelete="SET NULL")),
    Column("scheduled_for", DateTime(timezone=True), comment="the schedule's due time"),
    Column("requested_by", Uuid, comment="the user; none for a scheduled run"),
    Column("report", String(40), nullable=False),
    Column("filters", JSONB, nullable=False),
    Column("columns", JSONB, nullable=False),
    Column("format", String(10), nullable=False),
    Column("status", String(10), nullable=False, server_default=text("'queued'")),
    Column("rows_written", Integer, nullable=False, server_default=text("0")),
    Column("rows_total", Integer),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("lease_owner", String(100)),
    Column("lease_expires_at", DateTime(timezone=True)),
    Column("document_id", Uuid, ForeignKey("documents.document_id")),
    Column("error", String(60), comment="a stable code, never a message with data"),
    Column("notify_email", String(254)),
    Column("notified_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
    Index(
        "ix_report_runs_waiting",
        "created_at",
        postgresql_where=text("status IN ('queued', 'running')"),
    ),
    Index("ix_report_runs_organisation", "organisation_id", "created_at"),
    Index("uq_report_runs_schedule_due", "schedule_id", "scheduled_for", unique=True),
    comment="runs of reports in the background (the reports-worker leases them)",
)

letter_dispatches = Table(
    "letter_dispatches",
    metadata,
    Column("letter_id", Uuid, primary_key=True, comment="the post dedupes by it"),
    Column("document_id", Uuid, ForeignKey("documents.document_id"), nullable=False),
    Column("case_id", Uuid, nullable=False),
    Column("kind", String(30), nullable=False, comment="inkassovarsel or betalingsoppfordring"),
    Column("recipient", JSONB, comment="name and address until sent, then erased (ADR 0033)"),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_error", String(200)),
    Column("sent_at", DateTime(timezone=True)),
    Column("post_reference", String(80), comment="the post's receipt id"),
    Index("ix_letter_dispatches_due", "next_attempt_at", postgresql_where=text("sent_at IS NULL")),
    comment="letters handed to the post: at least once, retried until the post confirms",
)  # fmt: skip

document_jobs = Table(
    "document_jobs",
    metadata,
    Column("job_id", Uuid, primary_key=True),
    Column("kind", String(30), nullable=False, comment="the document to render"),
    Column("source_id", Uuid, nullable=False, comment="the batch, settlement or letter"),
    Column("document_id", Uuid, nullable=False, comment="the id the document will have"),
    Column("request", JSONB, comment="a letter's request (name, address) until rendered"),
    Column("status", String(10), nullable=False, server_default=text("'queued'")),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("run_after", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("lease_owner", String(100)),
    Column("lease_expires_at", DateTime(timezone=True)),
    Column("error", String(60), comment="a stable code, never a message with data"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("finished_at", DateTime(timezone=True)),
    CheckConstraint("status IN ('queued', 'rendering', 'done', 'failed')", name="status"),
    CheckConstraint(
        "kind IN ('order_confirmation', 'settlement_statement', 'debtor_letter')", name="kind"
    ),
    Index("uq_document_jobs_source", "kind", "source_id", unique=True),
    Index(
        "ix_document_jobs_waiting",
        "run_after",
        postgresql_where=text("status IN ('queued', 'rendering')"),
    ),
    comment="documents to render, recorded by the consumer with its inbox row; the renderer "
    "claims them (FOR UPDATE SKIP LOCKED) and issues the document",
)
