"""Local simulators of external systems, speaking their real protocols (tests, local stack)."""
