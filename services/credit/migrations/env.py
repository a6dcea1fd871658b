from credit.adapters.orm import metadata
from credit.settings import CreditSettings
from servicekit.migrations import run_migrations

run_migrations(metadata, default_url=lambda: CreditSettings().database_url)
