"""Tables of the identity service's own database."""

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
    Integer,
    String,
    Table,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

metadata = make_metadata()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
idempotency_keys = idempotency_table(metadata)

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

users = Table(
    "users",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, ForeignKey("organisations.id"), nullable=False, index=True),
    Column("email", String(320), nullable=False, unique=True, comment="lower-cased"),
    Column("full_name", String(200), nullable=False),
    Column("roles", ARRAY(String(40)), nullable=False),
    Column("status", String(20), nullable=False, comment="invited, active, deactivated"),
    Column("password_hash", Text),
    Column("password_changed_at", DateTime(timezone=True)),
    Column("totp_secret", Text, comment="AES-GCM sealed with the data keyring"),
    Column("totp_enrolled_at", DateTime(timezone=True)),
    Column("totp_last_step", BigInteger, comment="last accepted TOTP time step (single use)"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("deactivated_at", DateTime(timezone=True)),
    Column(
        "notify_documents",
        Boolean,
        nullable=False,
        server_default=text("true"),
        comment="mail me when new documents are ready (on unless the user turns it off)",
    ),
    Column(
        "documents_notified_at",
        DateTime(timezone=True),
        comment="when the last «documents are ready» mail went out (one an hour at most)",
    ),
    CheckConstraint("status IN ('invited', 'active', 'deactivated')", name="status"),
)

recovery_codes = Table(
    "recovery_codes",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("code_hash", String(64), nullable=False),
    Column("used_at", DateTime(timezone=True)),
)

action_tokens = Table(
    "action_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True, comment="SHA-256 of the link's secret"),
    Column("purpose", String(20), nullable=False, comment="invitation, password_reset, enrolment"),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("absolute_expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("revoked_reason", String(40)),
    Column("client", String(200), comment="user agent, shortened"),
    Column("ip", String(64)),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column(
        "session_id",
        Uuid,
        ForeignKey("sessions.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", String(64), primary_key=True),
    Column("algorithm", String(16), nullable=False),
    Column("private_key", Text, nullable=False, comment="PEM, AES-GCM sealed"),
    Column("public_jwk", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("retired_at", DateTime(timezone=True), comment="no longer signs; still verifies"),
)

login_throttle = Table(
    "login_throttle",
    metadata,
    Column("key", String(100), primary_key=True, comment="acct:<hmac> or ip:<address>"),
    Column("failures", Integer, nullable=False, server_default=text("0")),
    Column("last_failure_at", DateTime(timezone=True)),
    Column("locked_until", DateTime(timezone=True)),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("event", String(60), nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("user_id", Uuid),
    Column("organisation_id", Uuid),
    Column("actor_id", Uuid, comment="who did it, when not the user themself"),
    Column("subject_hash", String(64), comment="keyed hash of a login name that matched no one"),
    Column("ip", String(64)),
    Column("client", String(200)),
    Column("detail", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    comment="append-only: UPDATE and DELETE are refused by a trigger",
)

api_clients = Table(
    "api_clients",
    metadata,
    Column("id", Uuid, primary_key=True, comment="the OAuth client_id"),
    Column("organisation_id", Uuid, ForeignKey("organisations.id"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("scopes", ARRAY(String(40)), nullable=False),
    Column(
        "allowed_networks",
        ARRAY(String(50)),
        nullable=False,
        server_default=text("'{}'"),
        comment="CIDR blocks a token may be asked from; empty: anywhere",
    ),
    Column("secret_hash", String(64), nullable=False, comment="SHA-256 of the 256-bit secret"),
    Column("previous_secret_hash", String(64), comment="the secret before the last rotation"),
    Column("previous_secret_valid_until", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", Uuid, nullable=False, comment="the creditor admin"),
    Column("rotated_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    Column("last_used_at", DateTime(timezone=True), comment="last token issued"),
    Column("last_used_ip", String(64)),
    comment="an organisation's machine clients (OAuth 2.0 client credentials, ADR 0040)",
)

api_client_keys = Table(
    "api_client_keys",
    metadata,
    Column("client_id", Uuid, ForeignKey("api_clients.id"), primary_key=True),
    Column(
        "jwks",
        JSONB,
        nullable=False,
        comment="the client's public keys (a JWK Set) for private_key_jwt (RFC 7523)",
    ),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    comment="public keys an API client signs its client assertions with",
)

client_assertion_jtis = Table(
    "client_assertion_jtis",
    metadata,
    Column("client_id", Uuid, primary_key=True),
    Column("jti", String(200), primary_key=True),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
    comment="client assertions used, kept until they expire: a replayed one is refused",
)
