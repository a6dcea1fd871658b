"""InfoCenter service mechanism shared by every service. Mechanism only: no domain."""
