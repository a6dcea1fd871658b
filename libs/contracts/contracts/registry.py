"""Registry of every event type, keyed by routing key."""

from __future__ import annotations

from typing import TypeVar

from contracts.envelope import EventData

REGISTRY: dict[str, type[EventData]] = {}

E = TypeVar("E", bound=type[EventData])


def event_model(cls: E) -> E:
    """Class decorator: register an event payload model under its routing key."""
    key = cls.routing_key()
    if key in REGISTRY and REGISTRY[key] is not cls:
        raise ValueError(f"event type {key} registered twice")
    REGISTRY[key] = cls
    return cls


def routing_keys(*models: type[EventData]) -> tuple[str, ...]:
    """Routing keys for a consumer's explicit bindings."""
    return tuple(m.routing_key() for m in models)


def load_all() -> dict[str, type[EventData]]:
    """Import every producer module so that the registry is complete."""
    from contracts import auth, cases, credit, integrations, ledger, reports, webhooks  # noqa: F401

    return REGISTRY
