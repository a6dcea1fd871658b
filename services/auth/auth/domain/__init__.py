"""Identity domain: pure model, no I/O."""
