"""Tables of the ledger service's own database."""

from servicekit.db import make_metadata
from servicekit.inbox import inbox_table
from servicekit.outbox import outbox_table
from sqlalchemy import Boolean, Column, DateTime, Table, Uuid, text

metadata = make_metadata()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

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
