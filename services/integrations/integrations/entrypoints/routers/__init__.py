"""Routers of the integrations API."""
