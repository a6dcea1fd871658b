"""Routers of the ledger API (prefix ``/api/v1/ledger``)."""

PREFIX = "/api/v1/ledger"
