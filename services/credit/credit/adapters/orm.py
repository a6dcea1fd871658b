"""Tables of the credit service's own database."""

from servicekit.db import make_metadata
from servicekit.inbox import inbox_table
from servicekit.outbox import outbox_table
from sqlalchemy import Boolean, Column, String, Table, Uuid, text

metadata = make_metadata()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

creditors = Table(
    "creditors",
    metadata,
    Column("organisation_id", Uuid, primary_key=True, comment="the organisation in auth"),
    Column("name", String(200), nullable=False),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    comment="creditor clients: the owners of price lists for credit reports",
)
