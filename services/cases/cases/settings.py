"""Settings of the cases service (environment prefix ``CASES_``)."""

from pydantic_settings import SettingsConfigDict
from servicekit.settings import ServiceSettings


class CasesSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CASES_", env_ignore_empty=True, extra="ignore")

    service_name: str = "cases"
    database_url: str = "postgresql+asyncpg://infocenter_cases@127.0.0.1:5432/infocenter_cases"
    http_port: int = 8002
    data_keys: str | None = None
    """AES-GCM keyring ``v1:<base64 32 bytes>,…`` sealing debtors' national id numbers."""
    lookup_key: str | None = None
    """HMAC key (hex or text) of the blind index that finds a national id number."""
