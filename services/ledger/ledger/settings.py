"""Settings of the ledger service (environment prefix ``LEDGER_``)."""

from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict
from servicekit.settings import ServiceSettings


class LedgerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LEDGER_", env_ignore_empty=True, extra="ignore")

    service_name: str = "ledger"
    database_url: str = "postgresql+asyncpg://infocenter_ledger@127.0.0.1:5432/infocenter_ledger"
    http_port: int = 8003

    interest_day_count: Literal["actual/actual", "actual/365"] = Field(
        default="actual/actual",
        description="forsinkelsesrente day count: 1/366 of the rate in a leap year, or 1/365",
    )
    client_funds_account: str = Field(
        default="15030212344",
        description="the client funds account (klientkonto) settlements are paid out from",
    )
    agency_name: str = "InfoCenter Inkasso AS"
    agency_organisation_number: str | None = None
    bank_file_max_bytes: int = Field(
        default=50 * 1024 * 1024, description="largest bank file accepted for upload"
    )
