"""Tables of the identity service's own database."""

from servicekit.db import make_metadata
from servicekit.inbox import inbox_table
from servicekit.outbox import outbox_table
from sqlalchemy import Boolean, Column, DateTime, String, Table, Uuid, func, text

metadata = make_metadata()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

organisations = Table(
    "organisations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("organisation_number", String(9), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
