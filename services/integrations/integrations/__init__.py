"""InfoCenter integrations: creditors' ERP connections (Tripletex first)."""
