from ledger.adapters.orm import metadata
from ledger.settings import LedgerSettings
from servicekit.migrations import run_migrations

run_migrations(metadata, default_url=lambda: LedgerSettings().database_url)
