"""Tables of the webhooks service's own database."""

from servicekit.db import make_metadata
from servicekit.idempotency import idempotency_table
from servicekit.inbox import inbox_table
from servicekit.outbox import outbox_table
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
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
from sqlalchemy.dialects.postgresql import ARRAY

metadata = make_metadata()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
idempotency_keys = idempotency_table(metadata)

endpoints = Table(
    "endpoints",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False, comment="the creditor (auth's id)"),
    Column("url", String(2000), nullable=False),
    Column("description", String(200), nullable=False, server_default=""),
    Column("event_types", ARRAY(String(60)), nullable=False),
    Column("enabled", Boolean, nullable=False, server_default=text("true")),
    Column(
        "disabled_reason",
        String(20),
        comment="manual, gone (the receiver answered 410) or failing (for days)",
    ),
    Column("secret", Text, nullable=False, comment="the signing secret, sealed (AES-GCM)"),
    Column("previous_secret", Text, comment="the secret before rotation, sealed"),
    Column(
        "previous_secret_until",
        DateTime(timezone=True),
        comment="until when deliveries are signed with the previous secret too",
    ),
    Column(
        "failing_since",
        DateTime(timezone=True),
        comment="first failed attempt since the last success (None: healthy)",
    ),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint(
        "disabled_reason IS NULL OR disabled_reason IN ('manual', 'gone', 'failing')",
        name="disabled_reason",
    ),
    Index("ix_endpoints_organisation", "organisation_id"),
    comment="a creditor's webhook endpoints, each with its event-type filter",
)

messages = Table(
    "messages",
    metadata,
    Column("id", Uuid, primary_key=True, comment="the webhook-id: stable across retries"),
    Column("organisation_id", Uuid, nullable=False),
    Column("event_type", String(60), nullable=False),
    Column("body", Text, nullable=False, comment="the exact JSON body sent and signed"),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_messages_organisation_created", "organisation_id", "created_at"),
    comment="webhook events: thin payloads (ids, statuses, amounts), no personal data",
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("message_id", Uuid, ForeignKey("messages.id"), nullable=False),
    Column("endpoint_id", Uuid, ForeignKey("endpoints.id"), nullable=False),
    Column("status", String(12), nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column(
        "next_attempt_at",
        DateTime(timezone=True),
        nullable=False,
        server_default=func.now(),
        comment="when due; while an attempt is in flight, the end of its lease",
    ),
    Column("last_status_code", Integer),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("message_id", "endpoint_id"),
    CheckConstraint("status IN ('pending', 'delivered', 'failed')", name="status"),
    Index(
        "ix_deliveries_due",
        "next_attempt_at",
        postgresql_where=text("status = 'pending'"),
    ),
    Index("ix_deliveries_endpoint_created", "endpoint_id", "created_at"),
    comment="one event to one endpoint: at least once, until a 2xx or the schedule ends",
)

attempts = Table(
    "attempts",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("delivery_id", BigInteger, ForeignKey("deliveries.id"), nullable=False),
    Column("endpoint_id", Uuid, nullable=False),
    Column("message_id", Uuid, nullable=False),
    Column("attempted_at", DateTime(timezone=True), nullable=False),
    Column(
        "outcome",
        String(20),
        nullable=False,
        comment="delivered, http-error, timeout, connection-error, address-refused, redirect",
    ),
    Column("status_code", Integer),
    Column("latency_ms", Integer, nullable=False),
    Column("response_excerpt", String(500), comment="the response's start, sanitised"),
    Index("ix_attempts_endpoint_time", "endpoint_id", "attempted_at"),
    Index("ix_attempts_delivery", "delivery_id"),
    comment="the delivery log: one row per HTTP attempt",
)
