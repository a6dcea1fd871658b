"""Settings of the credit service (environment prefix ``CREDIT_``)."""

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict
from servicekit.settings import ServiceSettings


class CreditSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CREDIT_", env_ignore_empty=True, extra="ignore")

    service_name: str = "credit"
    database_url: str = "postgresql+asyncpg://infocenter_credit@127.0.0.1:5432/infocenter_credit"
    http_port: int = 8005
    data_keys: str | None = None
    """AES-GCM keyring ``v1:<base64 32 bytes>,…`` sealing national ids and bureau answers."""
    lookup_key: str | None = None
    """HMAC key of the subjects' blind index (and of stored request fingerprints)."""

    # The bureau (Experian; locally its simulator)
    bureau_url: str = "http://127.0.0.1:8027"
    bureau_client_id: str = "infocenter"
    bureau_client_secret: SecretStr | None = None
    bureau_connect_timeout_seconds: float = 3.0
    bureau_read_timeout_seconds: float = 15.0
    """How long an order may take at the bureau before it is in doubt (``unknown``)."""
    bureau_max_retries: int = 2
    """Retries of an order the bureau did not take (a connection refused, 429, 503)."""
    bureau_max_retry_wait_seconds: float = 5.0
    bureau_breaker_threshold: int = 5
    """Failures in a row that open the circuit breaker."""
    bureau_breaker_cooldown_seconds: float = 30.0

    # Orders and retention (credit.md §7)
    company_reuse_hours: float = 24.0
    """A company report bought by the same creditor this recently is shown again, free."""
    raw_retention_days: float = 30.0
    """How long the bureau's raw answer is kept (sealed) before it is redacted."""
    reconcile_after_seconds: float = 120.0
    """How old a pending or unknown order must be before reconciliation settles it."""
    relay_linger_seconds: float = 0.1
    """How long the relay waits after a wake-up before it claims: the charges committed
    meanwhile go out in one batch (one per batch at every commit cost ~2.5 ms each)."""
    reconcile_every_seconds: float = 60.0
    """How often the reconciler process settles orders in doubt and redacts old reports."""
