"""Reports domain: pure model, no I/O."""
