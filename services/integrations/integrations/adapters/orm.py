"""Tables of the integrations service's own database."""

from servicekit.db import make_metadata
from servicekit.idempotency import idempotency_table
from servicekit.inbox import inbox_table
from servicekit.outbox import outbox_table
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)

metadata = make_metadata()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
idempotency_keys = idempotency_table(metadata)

connections = Table(
    "connections",
    metadata,
    Column("connection_id", Uuid, primary_key=True),
    Column("creditor_id", Uuid, nullable=False, comment="the creditor organisation (auth's id)"),
    Column("erp", String(20), nullable=False),
    Column("company_id", String(40), nullable=False, comment="the company in the ERP"),
    Column("base_url", String(300), nullable=False),
    Column(
        "credentials",
        Text,
        nullable=False,
        comment="the ERP's keys, AES-GCM sealed (servicekit.crypto), bound to the connection",
    ),
    Column("status", String(20), nullable=False, server_default=text("'active'")),
    Column("last_sync_at", DateTime(timezone=True)),
    Column("last_sync_outcome", String(40), comment="a stable code: ok, erp_unauthorised, …"),
    Column("next_sync_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("leased_until", DateTime(timezone=True)),
    Column("created_by", Uuid),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("status IN ('active', 'paused')", name="status"),
    CheckConstraint("erp IN ('tripletex')", name="erp"),
    UniqueConstraint("creditor_id", "erp", name="one_per_creditor_and_erp"),
    comment="a creditor's connection to its ERP",
)

erp_invoices = Table(
    "erp_invoices",
    metadata,
    Column("connection_id", Uuid, ForeignKey("connections.connection_id"), primary_key=True),
    Column("invoice_id", BigInteger, primary_key=True, comment="the invoice's id in the ERP"),
    Column("creditor_id", Uuid, nullable=False, comment="the connection's creditor"),
    Column("invoice_number", String(40), nullable=False),
    Column("creditor_reference", String(60), nullable=False),
    Column("erp_version", Integer, nullable=False, comment="the ERP's version of what we saw"),
    Column("due_date", Date, nullable=False),
    Column("outstanding_ore", BigInteger, nullable=False),
    Column(
        "handed_over_ore",
        BigInteger,
        nullable=False,
        comment="the outstanding amount when it was handed over",
    ),
    Column("handover_id", Uuid, nullable=False),
    Column("state", String(20), nullable=False, server_default=text("'handed_over'")),
    Column("case_id", Uuid),
    Column("case_number", String(40)),
    Column(
        "error_fields",
        Text,
        comment="refused: the fields the cases service named, comma separated (stable codes)",
    ),
    Column("conflict", String(200), comment="changed in the ERP after handover: what (codes)"),
    Column(
        "reported_ore",
        BigInteger,
        nullable=False,
        server_default=text("0"),
        comment="direct payments and credit notes already reported to the case",
    ),
    Column(
        "reported_credit_ore",
        BigInteger,
        nullable=False,
        server_default=text("0"),
        comment="of which credit notes",
    ),
    Column("handed_over_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("state IN ('handed_over', 'registered', 'refused')", name="state"),
    Index("ix_erp_invoices_handover", "handover_id"),
    Index("ix_erp_invoices_reference", "creditor_reference", "creditor_id"),
    comment="each ERP invoice handed over once, on (connection, invoice id); what came of it",
)

sync_runs = Table(
    "sync_runs",
    metadata,
    Column("run_id", Uuid, primary_key=True),
    Column("connection_id", Uuid, ForeignKey("connections.connection_id"), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("outcome", String(40)),
    Column("invoices_read", Integer, nullable=False, server_default=text("0")),
    Column("handed_over", Integer, nullable=False, server_default=text("0")),
    Column("changed", Integer, nullable=False, server_default=text("0")),
    Column("payments_noticed", Integer, nullable=False, server_default=text("0")),
    Index("ix_sync_runs_connection", "connection_id", "started_at"),
    comment="one synchronisation of a connection with its ERP",
)

erp_vouchers = Table(
    "erp_vouchers",
    metadata,
    Column(
        "document_id",
        Uuid,
        primary_key=True,
        comment="the reports service's posting proposal: posted once",
    ),
    Column("connection_id", Uuid, ForeignKey("connections.connection_id"), nullable=False),
    Column("settlement_id", Uuid, nullable=False),
    Column("voucher_number", String(40), nullable=False, comment="the statement's number"),
    Column("erp_voucher_id", BigInteger, comment="the voucher's id in the ERP, once posted"),
    Column("outcome", String(40), nullable=False, comment="posted, or the ERP's error code"),
    Column("attempted_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_erp_vouchers_connection", "connection_id", "attempted_at"),
    comment="each settlement's posting proposal posted as a voucher in the creditor's ERP",
)
