"""Settings of the identity service (environment prefix ``AUTH_``)."""

from pydantic_settings import SettingsConfigDict
from servicekit.settings import ServiceSettings


class AuthSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AUTH_", env_ignore_empty=True, extra="ignore")

    service_name: str = "auth"
    database_url: str = "postgresql+asyncpg://infocenter_auth@127.0.0.1:5432/infocenter_auth"
    http_port: int = 8001
