"""InfoCenter API gateway: the single public entry for clients, the portal and the ops pages."""
