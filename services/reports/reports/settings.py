"""Settings of the reports service (environment prefix ``REPORTS_``)."""

from pydantic_settings import SettingsConfigDict
from servicekit.settings import ServiceSettings


class ReportsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REPORTS_", env_ignore_empty=True, extra="ignore")

    service_name: str = "reports"
    database_url: str = "postgresql+asyncpg://infocenter_reports@127.0.0.1:5432/infocenter_reports"
    http_port: int = 8004
    agency_name: str = ""
    """The agency as documents name it, when the read model holds no agency organisation."""
    agency_organisation_number: str = ""
    zip_max_documents: int = 2000
    """The most documents one ZIP download holds."""
