"""HTTP API, connector, relay and consumer processes."""
