"""Settings of the credit service (environment prefix ``CREDIT_``)."""

from pydantic_settings import SettingsConfigDict
from servicekit.settings import ServiceSettings


class CreditSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CREDIT_", env_ignore_empty=True, extra="ignore")

    service_name: str = "credit"
    database_url: str = "postgresql+asyncpg://infocenter_credit@127.0.0.1:5432/infocenter_credit"
    http_port: int = 8005
