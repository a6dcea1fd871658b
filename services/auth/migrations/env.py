from auth.adapters.orm import metadata
from auth.settings import AuthSettings
from servicekit.migrations import run_migrations

run_migrations(metadata, default_url=lambda: AuthSettings().database_url)
