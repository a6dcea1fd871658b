from integrations.adapters.orm import metadata
from integrations.settings import IntegrationsSettings
from servicekit.migrations import run_migrations

run_migrations(metadata, default_url=lambda: IntegrationsSettings().database_url)
