from reports.adapters.orm import metadata
from reports.settings import ReportsSettings
from servicekit.migrations import run_migrations

run_migrations(metadata, default_url=lambda: ReportsSettings().database_url)
