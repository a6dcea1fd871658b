"""Credit domain: pure model, no I/O."""
