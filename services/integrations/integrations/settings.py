"""Settings of the integrations service (environment prefix ``INTEGRATIONS_``)."""

from pydantic_settings import SettingsConfigDict
from servicekit.settings import ServiceSettings


class IntegrationsSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="INTEGRATIONS_", env_ignore_empty=True, extra="ignore"
    )

    service_name: str = "integrations"
    database_url: str = (
        "postgresql+asyncpg://infocenter_integrations@127.0.0.1:5432/infocenter_integrations"
    )
    http_port: int = 8006
    data_keys: str | None = None
    """AES-GCM keyring ``v1:<base64 32 bytes>,…`` sealing the creditors' ERP credentials."""

    # The connector process (one per deployment; connections are leased row by row)
    sync_every_seconds: float = 900.0
    """How often each active connection is synchronised with its ERP."""
    connector_poll_seconds: float = 5.0
    """How often the connector looks for a connection that is due (or asked to sync now)."""
    lease_seconds: float = 300.0
    """How long a connector holds a connection it synchronises before another may take it."""
    overdue_grace_days: int = 14
    """Days past the due date before an open invoice is handed over for collection."""
    lookback_days: int = 3 * 365
    """How far back (invoice date) the connector reads the ERP's invoices."""

    # The ERP's HTTP client
    tripletex_url: str = "http://127.0.0.1:8029/v2"
    """Tripletex's API v2 (production ``https://tripletex.no/v2``, test
    ``https://api-test.tripletex.tech/v2``; locally its simulator)."""
    erp_timeout_seconds: float = 20.0
    erp_page_size: int = 500
    erp_max_retries: int = 4
    """Retries of a call the ERP refused for its rate limit (429) or could not answer (5xx)."""
    erp_max_retry_wait_seconds: float = 60.0
    """The longest ``Retry-After`` the connector waits inside one sync (beyond: the sync
    stops and is retried at the next round)."""
