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
    client_account: str = "15030987654"
    """The agency's client account (klientkonto) debtors are asked to pay to (letters)."""
    post_url: str = "http://127.0.0.1:8028"
    """The post (print-and-post / digital mailbox) the poster hands letters to."""
    post_timeout_seconds: float = 10.0
    poster_poll_seconds: float = 1.0
