from cases.adapters.orm import metadata
from cases.settings import CasesSettings
from servicekit.migrations import run_migrations

run_migrations(metadata, default_url=lambda: CasesSettings().database_url)
