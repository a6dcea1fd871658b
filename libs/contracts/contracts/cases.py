"""Events produced by the `services/cases` service.

Payload models are added here, with their JSON Schema snapshot, when the service first
publishes them.
"""
