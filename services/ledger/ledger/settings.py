"""Settings of the ledger service (environment prefix ``LEDGER_``)."""

from pydantic_settings import SettingsConfigDict
from servicekit.settings import ServiceSettings


class LedgerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LEDGER_", env_ignore_empty=True, extra="ignore")

    service_name: str = "ledger"
    database_url: str = "postgresql+asyncpg://infocenter_ledger@127.0.0.1:5432/infocenter_ledger"
    http_port: int = 8003
