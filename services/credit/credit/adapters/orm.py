"""Tables of the credit service's own database."""

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
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = make_metadata()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
idempotency_keys = idempotency_table(metadata)

creditors = Table(
    "creditors",
    metadata,
    Column("organisation_id", Uuid, primary_key=True, comment="the organisation in auth"),
    Column("name", String(200), nullable=False),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column(
        "organisation_number",
        String(9),
        comment="sent to the bureau as the end user (the orderer the copy letter names)",
    ),
    comment="creditor clients: the owners of price lists for credit reports",
)

products = Table(
    "products",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("subject_kind", String(10), nullable=False),
    Column("name_nb", String(200), nullable=False),
    Column("name_en", String(200), nullable=False),
    Column(
        "charge_no_match",
        Boolean,
        nullable=False,
        server_default=text("false"),
        comment="whether a «no match» answer is charged like a report (agency's choice)",
    ),
    CheckConstraint("subject_kind IN ('company', 'person')", name="subject_kind"),
    comment="the credit reports sold (credit.domain.products is the catalogue)",
)

creditor_agreements = Table(
    "creditor_agreements",
    metadata,
    Column("creditor_id", Uuid, primary_key=True),
    Column("products", JSONB, comment="allowed product codes; NULL: every product"),
    Column("purposes", JSONB, comment="allowed purpose codes; NULL: every purpose"),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_by", Uuid, nullable=False),
    comment="the agency's agreement with a creditor: which products and purposes it may use",
)

price_lists = Table(
    "price_lists",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("creditor_id", Uuid, comment="NULL: the agency's default list"),
    Column("name", String(200), nullable=False, server_default=""),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date, comment="exclusive; NULL: until a later list"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("created_by", Uuid, nullable=False),
    CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="dates"),
    Index("ix_price_lists_creditor", "creditor_id", "valid_from"),
    comment="dated price lists: the agency default and per creditor",
)

price_list_items = Table(
    "price_list_items",
    metadata,
    Column(
        "price_list_id",
        Uuid,
        ForeignKey("price_lists.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("product_code", String(40), ForeignKey("products.code"), primary_key=True),
    Column("unit_price_ore", BigInteger, nullable=False, comment="øre ex. VAT"),
    Column("vat_code", String(4), nullable=False, comment="SAF-T standard VAT code"),
    CheckConstraint("unit_price_ore > 0", name="positive"),
)

orders = Table(
    "orders",
    metadata,
    Column("id", Uuid, primary_key=True, comment="also our reference at the bureau"),
    Column("creditor_id", Uuid, nullable=False),
    Column("ordered_by", Uuid, nullable=False, comment="the user"),
    Column("idempotency_key", String(200), nullable=False),
    Column("request_fingerprint", String(64), nullable=False, comment="keyed HMAC of the body"),
    Column("product_code", String(40), ForeignKey("products.code"), nullable=False),
    Column("subject_kind", String(10), nullable=False),
    Column("subject_organisation_number", String(9)),
    Column("subject_national_id_sealed", Text, comment="AES-GCM, bound to the order id"),
    Column("subject_index", String(64), nullable=False, comment="keyed HMAC of the subject id"),
    Column("subject_masked", String(11), nullable=False),
    Column("purpose_code", String(40), nullable=False),
    Column("purpose_text", String(500), nullable=False),
    Column("case_id", String(64), comment="the case the order is for (id or case number)"),
    Column("relationship_declared", Boolean, nullable=False, server_default=text("false")),
    Column("price_ore", BigInteger, nullable=False, comment="øre ex. VAT, as accepted"),
    Column("vat_ore", BigInteger, nullable=False),
    Column("vat_code", String(4), nullable=False),
    Column("price_list_id", Uuid),
    Column(
        "charge_no_match",
        Boolean,
        nullable=False,
        server_default=text("false"),
        comment="the product's term when ordered: a «no match» answer is charged",
    ),
    Column("status", String(10), nullable=False),
    Column("failure_code", String(40)),
    Column("bureau", String(40), nullable=False),
    Column("bureau_reference", String(100)),
    Column("reused_from", Uuid, comment="a company report shown again instead of a new call"),
    Column("allowed_purposes", JSONB, comment="a kredittsperre's answer: what it allows"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("settled_at", DateTime(timezone=True)),
    Column("purchased_on", Date, comment="the Oslo date it completed (the charge's date)"),
    CheckConstraint("status IN ('pending', 'completed', 'failed', 'unknown')", name="status"),
    CheckConstraint("subject_kind IN ('company', 'person')", name="subject_kind"),
    CheckConstraint("price_ore >= 0 AND vat_ore >= 0", name="amounts"),
    CheckConstraint(
        "(subject_kind = 'company') = (subject_organisation_number IS NOT NULL)"
        " AND (subject_kind = 'person') = (subject_national_id_sealed IS NOT NULL)",
        name="subject",
    ),
    UniqueConstraint("creditor_id", "ordered_by", "idempotency_key"),
    Index("ix_orders_creditor_created", "creditor_id", "created_at"),
    Index("ix_orders_subject", "subject_index"),
    Index(
        "ix_orders_in_doubt",
        "created_at",
        postgresql_where=text("status IN ('pending', 'unknown')"),
    ),
    comment="credit report orders: who, what, why, at what price, and how it went",
)

order_transitions = Table(
    "order_transitions",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("order_id", Uuid, ForeignKey("orders.id"), nullable=False, index=True),
    Column("from_status", String(10)),
    Column("to_status", String(10), nullable=False),
    Column("failure_code", String(40)),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    comment="every change of an order's status, appended",
)

reports = Table(
    "reports",
    metadata,
    Column("order_id", Uuid, ForeignKey("orders.id"), primary_key=True),
    Column("as_of", Date, nullable=False),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
    Column("score", Integer),
    Column("risk_class", String(20)),
    Column("credit_limit_ore", BigInteger),
    Column("remarks_count", Integer, nullable=False),
    Column("remarks_total_ore", BigInteger, nullable=False),
    Column("credit_block", Boolean, nullable=False),
    Column("document", JSONB, nullable=False, comment="the normalised report (or its summary)"),
    Column("payload_sealed", Text, comment="the bureau's answer, AES-GCM; NULL once redacted"),
    Column("payload_sha256", String(64), nullable=False),
    Column("redact_after", DateTime(timezone=True), nullable=False),
    Column("redacted_at", DateTime(timezone=True)),
    Index("ix_reports_to_redact", "redact_after", postgresql_where=text("redacted_at IS NULL")),
    comment="normalised credit reports; the raw payload is kept sealed for a short period",
)

access_log = Table(
    "access_log",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("order_id", Uuid, index=True),
    Column("creditor_id", Uuid),
    Column("user_id", Uuid, nullable=False),
    Column("organisation_id", Uuid, nullable=False, comment="the user's organisation"),
    Column("action", String(20), nullable=False),
    Column("purpose_code", String(40)),
    Column("ip", String(45)),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint(
        "action IN ('order', 'view', 'reconcile', 'subject-lookup', 'search')", name="action"
    ),
    comment="every order and every view of a result (append-only: a trigger refuses changes)",
)
