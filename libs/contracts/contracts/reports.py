"""Events produced by the `services/reports` service.

Payload models are added here, with their JSON Schema snapshot, when the service first
publishes them.
"""
