"""Ledger domain: pure model, no I/O."""
