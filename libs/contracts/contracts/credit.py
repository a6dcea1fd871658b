"""Events produced by the `services/credit` service.

Payload models are added here, with their JSON Schema snapshot, when the service first
publishes them.
"""
