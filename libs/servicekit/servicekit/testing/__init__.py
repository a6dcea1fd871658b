"""pytest support: real PostgreSQL and RabbitMQ, isolated per test run."""
