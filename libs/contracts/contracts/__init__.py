"""InfoCenter integration-event contracts.

One module per producer holds that producer's event payloads (``data`` of the envelope).
Models are frozen and evolve additively within a major version; a breaking change is a new
major on a new routing key. Consumers ignore unknown fields (tolerant reader).
"""

from contracts.envelope import Envelope, EventData
from contracts.registry import REGISTRY, event_model, routing_keys

__all__ = ["REGISTRY", "Envelope", "EventData", "event_model", "routing_keys"]
