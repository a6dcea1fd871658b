"""Tables of the reports service's own database."""

from servicekit.db import make_metadata
from servicekit.inbox import inbox_table
from servicekit.outbox import outbox_table
from sqlalchemy import Boolean, Column, DateTime, String, Table, Uuid, text

metadata = make_metadata()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

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
