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

    # The reports-worker: background runs of reports and the schedules that queue them.
    worker_lease_seconds: float = 60.0
    worker_poll_seconds: float = 2.0
    worker_max_attempts: int = 3
    run_chunk_rows: int = 2000
    # «A report is ready» mail: an SMTP relay; locally the mail sink (simulators.mail).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    mail_from: str = "InfoCenter <no-reply@infocenter.local>"
    portal_base_url: str = "http://127.0.0.1:8000"
    """Where the «ready» mail's link points (the web portal)."""
    client_account: str = "15030987654"
    """The agency's client account (klientkonto) debtors are asked to pay to (letters)."""
    post_url: str = "http://127.0.0.1:8028"
    """The post (print-and-post / digital mailbox) the poster hands letters to."""
    post_timeout_seconds: float = 10.0
    poster_poll_seconds: float = 1.0
    # The reports-renderer: documents rendered out of the consumer's transaction (ADR 0066).
    renderer_lease_seconds: float = 60.0
    renderer_poll_seconds: float = 0.5
    renderer_max_attempts: int = 5
    renderer_letters_per_job: int = 20
    """Letters rendered together (one worker thread, one transaction), each its own PDF."""
    renderer_retry_seconds: tuple[float, ...] = (5.0, 30.0, 120.0, 600.0)
