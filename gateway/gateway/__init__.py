"""InfoCenter API gateway."""
