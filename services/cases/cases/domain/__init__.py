"""Cases domain: pure model, no I/O."""
