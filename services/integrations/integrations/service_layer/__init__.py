"""Use cases: connect, sync, answers from the cases service."""
