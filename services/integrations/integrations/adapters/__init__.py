"""Database, the ERP adapters and the credentials vault."""
