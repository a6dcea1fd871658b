"""Settings of the identity service (environment prefix ``AUTH_``)."""

from pydantic_settings import SettingsConfigDict
from servicekit.settings import ServiceSettings


class AuthSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AUTH_", env_ignore_empty=True, extra="ignore")

    service_name: str = "auth"
    database_url: str = "postgresql+asyncpg://infocenter_auth@127.0.0.1:5432/infocenter_auth"
    http_port: int = 8001
    data_keys: str | None = None
    """AES-GCM keyring ``v1:<base64 32 bytes>,…`` sealing TOTP secrets and signing keys."""
    lookup_key: str | None = None
    """HMAC key (hex or text) for the audit log's hashes of unknown login names."""

    # Outgoing mail (invitations, password resets): an SMTP relay; locally the mail sink
    # of ``simulators.mail``.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_starttls: bool = False
    """Upgrade the connection with STARTTLS (required whenever a username is set)."""
    smtp_username: str | None = None
    smtp_password: str | None = None
    mail_from: str = "InfoCenter <no-reply@infocenter.local>"
    portal_base_url: str = "http://127.0.0.1:8000"
    """Where the links in invitation and password-reset e-mails point (the web portal)."""
