"""The Experian adapter: the bureau port over Experian's JSON API (and its simulator)."""
