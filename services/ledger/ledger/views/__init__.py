"""Read side of the ledger service: queries for the API, straight from the tables."""
