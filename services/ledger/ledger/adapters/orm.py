"""Tables of the ledger service's own database.

The journal (``journal_entries``, ``postings``) is append-only and balanced by the
database itself (triggers in migration ``ledger_0002``); everything else is bookkeeping
around it: the cases and claims the ledger learnt from the cases service, rates, payments
and their allocations, the unmatched queue, bank files and settlements.
"""

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
    Sequence,
    SmallInteger,
    String,
    Table,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from ledger.domain.journal import AccountKind

metadata = make_metadata()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
idempotency_keys = idempotency_table(metadata)

ACCOUNT_KINDS = sorted(
    value for name, value in vars(AccountKind).items() if name.isupper() and isinstance(value, str)
)

creditor_accounts = Table(
    "creditor_accounts",
    metadata,
    Column("organisation_id", Uuid, primary_key=True, comment="the creditor organisation in auth"),
    Column(
        "opened_at",
        DateTime(timezone=True),
        nullable=False,
        comment="when the creditor was registered (the event's occurred_at)",
    ),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    comment="holders of each creditor client's client funds (klientmidler)",
)

creditor_agreements = Table(
    "creditor_agreements",
    metadata,
    Column("creditor_id", Uuid, primary_key=True),
    Column(
        "allocation_order",
        ARRAY(String(20)),
        nullable=False,
        server_default=text("'{costs,interest,principal}'"),
        comment="dekningsrekkefølge: components (or 'costs') in the order payments cover them",
    ),
    Column(
        "commission_percent",
        Numeric(7, 4),
        nullable=False,
        server_default=text("0"),
        comment="the agency's commission on principal and interest collected",
    ),
    Column("vat_deductible", Boolean, nullable=False, server_default=text("true")),
    Column(
        "claims_standardkompensasjon",
        Boolean,
        nullable=False,
        server_default=text("false"),
        comment="the creditor claims standardkompensasjon on B2B claims (ADR 0056)",
    ),
    Column("payout_account", String(34), comment="kontonummer or IBAN for settlements"),
    Column("payout_name", String(70), comment="account holder name on the payout"),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("commission_percent >= 0 AND commission_percent <= 100", name="commission"),
    comment="what each creditor agreed with the agency (oppdragsavtale), as the ledger needs it",
)

rates = Table(
    "rates",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True, comment="the rate version"),
    Column("kind", String(60), nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("parameter", String(60), nullable=False, server_default=text("''")),
    Column("value", Numeric(18, 6), nullable=False),
    Column("unit", String(20), nullable=False),
    Column("source_url", Text),
    Column("status", String(12), nullable=False),
    Column("origin", String(10), nullable=False, comment="'seed' (a rate file) or 'admin'"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("created_by", Uuid),
    Column("confirmed_at", DateTime(timezone=True)),
    Column("confirmed_by", Uuid),
    CheckConstraint("status IN ('confirmed', 'unconfirmed')", name="status"),
    Index("ix_rates_kind_effective_from", "kind", "parameter", "effective_from"),
    Index(
        "uq_rates_seed",
        "kind",
        "effective_from",
        "parameter",
        unique=True,
        postgresql_where=text("origin = 'seed'"),
    ),
    comment="versioned rate rows; only status changes (unconfirmed → confirmed), nothing else",
)

ledger_cases = Table(
    "ledger_cases",
    metadata,
    Column("case_id", Uuid, primary_key=True),
    Column("creditor_id", Uuid, nullable=False),
    Column("case_number", String(40), nullable=False),
    Column("kid", String(25), nullable=False),
    Column("debtor_kind", String(10), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("principal_ore", BigInteger, nullable=False, comment="all claims, at registration"),
    Column("latest_due_date", Date, nullable=False),
    Column("registered_at", DateTime(timezone=True), nullable=False),
    Column("interest_posted_to", Date, comment="interest is booked up to this date"),
    Column("settled_on", Date, comment="when the balance reached zero (cleared if reopened)"),
    Column("closed_on", Date),
    Column("close_reason", String(20)),
    Index("ix_ledger_cases_kid", "kid"),
    Index("ix_ledger_cases_creditor_id", "creditor_id"),
    comment="cases as the ledger knows them from cases.case.registered (no personal data)",
)
"""``ledger_cases`` has fillfactor 70 (migration ``ledger_0006``): its booking state is
updated on every payment, and room on the page keeps those updates HOT."""

ledger_claims = Table(
    "ledger_claims",
    metadata,
    Column("claim_id", Uuid, primary_key=True),
    Column(
        "case_id", Uuid, ForeignKey("ledger_cases.case_id", ondelete="RESTRICT"), nullable=False
    ),
    Column("due_date", Date, nullable=False),
    Column("principal_ore", BigInteger, nullable=False),
    Column("reminder_fee_ore", BigInteger, nullable=False),
    Column(
        "time_barred_on",
        Date,
        comment="first day the claim is time-barred (cases.claim.time_barred): "
        "no interest or fee from then",
    ),
    Column(
        "interest_due_date",
        Date,
        comment="no due date agreed: 30 days after the påkrav, interest from the day after",
    ),
    Column(
        "reminders",
        JSONB,
        comment="the creditor's reminders as events [{sent_on, fee_ore}]; null: not given",
    ),
    Index("ix_ledger_claims_case_id", "case_id"),
)

case_steps = Table(
    "case_steps",
    metadata,
    Column("case_id", Uuid, primary_key=True),
    Column("step", String(60), primary_key=True),
    Column("effective_date", Date, primary_key=True),
    Column("event_id", Uuid, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column(
        "instalments",
        SmallInteger,
        comment="an avdragsordning's number of instalments (payment_plan_agreed)",
    ),
    comment="workflow steps seen (may arrive before the case itself)",
)

case_fees = Table(
    "case_fees",
    metadata,
    Column("case_id", Uuid, primary_key=True),
    Column("fee_key", String(120), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("component", String(20), nullable=False),
    Column("amount_ore", BigInteger, nullable=False),
    Column("effective_date", Date, nullable=False),
    Column("step", String(60), nullable=False),
    Column("rate_ids", ARRAY(BigInteger), nullable=False, comment="the rate versions used"),
    Column("basis", JSONB, nullable=False),
    Column("entry_id", Uuid, nullable=False),
    comment="each fee charged, with the rate versions it was computed from",
)

journal_entries = Table(
    "journal_entries",
    metadata,
    Column("entry_id", Uuid, primary_key=True),
    Column("seq", BigInteger, nullable=False, unique=True, comment="position in the hash chain"),
    Column("kind", String(40), nullable=False),
    Column("effective_date", Date, nullable=False, comment="the business date it is booked on"),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("case_id", Uuid),
    Column("creditor_id", Uuid),
    Column("natural_key", String(200), unique=True),
    Column(
        "reverses",
        Uuid,
        ForeignKey("journal_entries.entry_id"),
        comment="the entry this one reverses (at most one reversal per entry)",
    ),
    Column("metadata", JSONB, nullable=False),
    Column("prev_hash", LargeBinary, nullable=False),
    Column("hash", LargeBinary, nullable=False),
    Index("ix_journal_entries_case_id", "case_id"),
    Index(
        "uq_journal_entries_reverses",
        "reverses",
        unique=True,
        postgresql_where=text("reverses IS NOT NULL"),
    ),
    comment="append-only, hash-chained journal; each entry's postings sum to zero",
)

postings = Table(
    "postings",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("entry_id", Uuid, ForeignKey("journal_entries.entry_id"), nullable=False),
    Column("account_kind", String(40), nullable=False),
    Column("holder", Uuid, comment="the case or creditor the account belongs to"),
    Column("amount_ore", BigInteger, nullable=False, comment="debit positive, credit negative"),
    Column("currency", String(3), nullable=False),
    CheckConstraint("amount_ore <> 0", name="nonzero"),
    CheckConstraint(
        "account_kind IN (" + ", ".join(f"'{k}'" for k in ACCOUNT_KINDS) + ")",
        name="account_kind",
    ),
    Index("ix_postings_entry_id", "entry_id"),
    Index("ix_postings_holder_account_kind", "holder", "account_kind"),
)

payments = Table(
    "payments",
    metadata,
    Column("payment_id", Uuid, primary_key=True),
    Column("source", String(10), nullable=False, comment="'ocr', 'camt054' or 'manual'"),
    Column(
        "transaction_id",
        String(120),
        nullable=False,
        unique=True,
        comment="the bank's id of the transaction: importing it again changes nothing",
    ),
    Column("bank_file_id", Uuid),
    Column("kid", String(25)),
    Column("amount_ore", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("value_date", Date, nullable=False),
    Column("status", String(12), nullable=False),
    Column("case_id", Uuid),
    Column("designation", ARRAY(String(20))),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column(
        "updated_at",
        DateTime(timezone=True),
        nullable=False,
        server_default=func.now(),
        comment="received, or its status or case last changed (updated_since)",
    ),
    CheckConstraint("amount_ore <> 0", name="nonzero"),
    Index("ix_payments_case_id", "case_id"),
    Index("ix_payments_kid", "kid"),
    Index("ix_payments_updated_at", "updated_at"),
    comment="incoming payments (no payer name or account: not needed, personal data)",
)

payment_allocations = Table(
    "payment_allocations",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column(
        "payment_id",
        Uuid,
        ForeignKey("payments.payment_id"),
        comment="none for an adjustment that no payment caused",
    ),
    Column("case_id", Uuid, nullable=False),
    Column("creditor_id", Uuid, nullable=False),
    Column("value_date", Date, nullable=False),
    Column(
        "kind",
        String(12),
        nullable=False,
        comment="'payment', 'reversal', 'adjustment' (interest paid beyond what was owed), "
        "'undone' and 'rebooked' (a re-allocation in value-date order)",
    ),
    Column("principal_ore", BigInteger, nullable=False),
    Column("interest_ore", BigInteger, nullable=False),
    Column("reminder_fees_ore", BigInteger, nullable=False),
    Column("collection_fees_ore", BigInteger, nullable=False),
    Column("court_fees_ore", BigInteger, nullable=False),
    Column("overpaid_ore", BigInteger, nullable=False),
    Column("allocation_order", ARRAY(String(20)), nullable=False),
    Column("entry_id", Uuid, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_payment_allocations_case_id", "case_id"),
    Index("ix_payment_allocations_creditor_id_value_date", "creditor_id", "value_date"),
    comment="how each payment was split over a case's components (reversals negated)",
)

unmatched_payments = Table(
    "unmatched_payments",
    metadata,
    Column("payment_id", Uuid, ForeignKey("payments.payment_id"), primary_key=True),
    Column("reason", String(20), nullable=False),
    Column("candidate_case_ids", ARRAY(Uuid), nullable=False),
    Column("status", String(10), nullable=False, server_default=text("'open'")),
    Column("resolution", String(10)),
    Column("resolved_case_id", Uuid),
    Column("resolved_by", Uuid),
    Column("resolved_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("payer_name", String(140), comment="from the bank file; cleared when resolved"),
    Column("payer_account", String(34), comment="from the bank file; cleared when resolved"),
    Column("message", String(500), comment="the payer's free text; cleared when resolved"),
    Index("ix_unmatched_payments_open", "created_at", postgresql_where=text("status = 'open'")),
    comment="payments a case handler must match: unknown or ambiguous KID, reversals",
)

bank_files = Table(
    "bank_files",
    metadata,
    Column("file_id", Uuid, primary_key=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("format", String(10), nullable=False),
    Column("bank_reference", String(60), comment="forsendelsesnummer or camt.054 MsgId"),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("uploaded_by", Uuid),
    Column("summary", JSONB, nullable=False),
)

settlement_number = Sequence("settlement_number_seq", metadata=metadata)

payout_files = Table(
    "payout_files",
    metadata,
    Column("message_id", String(35), primary_key=True),
    Column("period_end", Date, nullable=False),
    Column("payout_count", Integer, nullable=False),
    Column("total_ore", BigInteger, nullable=False),
    Column("document", Text, nullable=False, comment="the ISO 20022 pain.001 as sent"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    comment="payout files (pain.001) of settlement runs",
)

settlements = Table(
    "settlements",
    metadata,
    Column("settlement_id", Uuid, primary_key=True),
    Column("number", String(20), nullable=False, unique=True),
    Column("creditor_id", Uuid, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("status", String(10), nullable=False),
    Column("line_count", Integer, nullable=False),
    Column("collected_ore", BigInteger, nullable=False, comment="creditor's share collected"),
    Column("commission_ore", BigInteger, nullable=False),
    Column("credit_report_charges_ore", BigInteger, nullable=False),
    Column("agency_fees_ore", BigInteger, nullable=False, comment="the agency's fees collected"),
    Column("payout_ore", BigInteger, nullable=False),
    Column("reserve_entry_id", Uuid),
    Column("paid_entry_id", Uuid),
    Column(
        "payout_message_id",
        String(35),
        ForeignKey("payout_files.message_id"),
        comment="the pain.001 that carries the payout",
    ),
    Column("payout_end_to_end_id", String(35)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", Uuid),
    Column("completed_at", DateTime(timezone=True)),
    Column("voided_at", DateTime(timezone=True)),
    Column("void_reason", Text),
    CheckConstraint("status IN ('pending', 'posted', 'voided')", name="status"),
    Index("ix_settlements_creditor_id", "creditor_id", "period_end"),
    Index(
        "uq_settlements_active_period",
        "creditor_id",
        "period_end",
        unique=True,
        postgresql_where=text("status <> 'voided'"),
    ),
    comment="avregning with a creditor: pending until the bank confirms the payout",
)

settlement_lines = Table(
    "settlement_lines",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("settlement_id", Uuid, ForeignKey("settlements.settlement_id"), nullable=False),
    Column("allocation_id", BigInteger, ForeignKey("payment_allocations.id"), nullable=False),
    Column("payment_id", Uuid),
    Column("case_id", Uuid, nullable=False),
    Column("value_date", Date, nullable=False),
    Column("principal_ore", BigInteger, nullable=False),
    Column("interest_ore", BigInteger, nullable=False),
    Column("reminder_fees_ore", BigInteger, nullable=False),
    Column("agency_fees_ore", BigInteger, nullable=False),
    Column("commission_ore", BigInteger, nullable=False),
    Column("net_ore", BigInteger, nullable=False, comment="to the creditor"),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Index("ix_settlement_lines_settlement_id", "settlement_id"),
    Index(
        "uq_settlement_lines_active_allocation",
        "allocation_id",
        unique=True,
        postgresql_where=text("active"),
    ),
)

credit_report_charges = Table(
    "credit_report_charges",
    metadata,
    Column("charge_id", Uuid, primary_key=True),
    Column("creditor_id", Uuid, nullable=False),
    Column("amount_ore", BigInteger, nullable=False),
    Column("purchased_on", Date, nullable=False),
    Column("settlement_id", Uuid, comment="the settlement that deducted it"),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("amount_ore > 0", name="positive"),
    Index("ix_credit_report_charges_creditor_id", "creditor_id"),
    comment="credit reports a creditor bought, deducted at its next settlement",
)
