"""InfoCenter ledger service: journal, rates, interest and fees, payments, settlements."""
