from servicekit.migrations import run_migrations
from webhooks.adapters.orm import metadata
from webhooks.settings import WebhooksSettings

run_migrations(metadata, default_url=lambda: WebhooksSettings().database_url)
