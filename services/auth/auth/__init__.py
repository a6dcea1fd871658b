"""InfoCenter identity service: organisations, users, credentials, tokens."""
