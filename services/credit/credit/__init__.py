"""InfoCenter credit service: credit reports on businesses and persons, and their prices."""
