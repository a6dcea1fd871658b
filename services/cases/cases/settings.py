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

    # Electronic import (cases.service_layer.imports, the cases-importer process)
    import_chunk_rows: int = 2000
    """Rows registered per transaction (and per checkpoint)."""
    import_chunks_in_flight: int = 3
    """Chunks an importer works on at once (each its own transaction, committed in order)."""
    import_lease_seconds: float = 60.0
    """How long an importer's claim on a job lasts without a heartbeat."""
    import_poll_seconds: float = 0.5
    import_max_attempts: int = 5
    import_max_stalls: int = 2
    import_memory_limit_bytes: int = 3 * 1024 * 1024 * 1024
    """Address space one importer process may use (``RLIMIT_AS``; 0: no limit). A file
    that needs more fails with a clear error instead of taking the host down."""
    """Leases of one job before it is given up as failed."""
    import_max_upload_bytes: int = 512 * 1024 * 1024
    batch_max_body_bytes: int = 16 * 1024 * 1024
    """A registration batch's JSON body (up to 1,000 cases)."""
    import_max_uncompressed_bytes: int = 1024 * 1024 * 1024
    """A workbook larger than this unpacked is refused (zip bombs)."""

    # Attachments on notes (cases.service_layer.attachments; docs/decisions/0054)
    attachment_max_bytes: int = 10 * 1024 * 1024
    """The largest file a note may carry (bigger: refused with the field code
    ``file_too_large``)."""
    attachments_per_note: int = 10
    clamd_address: str = "127.0.0.1:3310"
    """ClamAV's daemon, ``host:port`` (INSTREAM); `make up` starts one (install.sh --clamav)."""
    clamd_timeout_seconds: float = 15.0
    """Below the gateway's upstream read timeout (30 s): a hung clamd holds the file, the
    upload still answers (202)."""
    rescan_period_seconds: float = 10.0
    """How often the scheduler process retries the files held because clamd was down."""
    rescan_batch_size: int = 20

    # Workflow scheduler (cases.service_layer.workflow, the cases-scheduler process)
    scheduler_period_seconds: float = 60.0
    """How often the scheduler looks for due cases (it also wakes at midnight, Oslo time)."""
    scheduler_batch_size: int = 1000
    """Due cases claimed per transaction (FOR UPDATE SKIP LOCKED): each batch costs about
    seven round trips and a scan for due cases whatever its size (bench/README.md)."""
