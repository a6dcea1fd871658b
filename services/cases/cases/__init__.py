"""InfoCenter cases service: cases (oppdrag), their debtors and claims, and their workflow."""
