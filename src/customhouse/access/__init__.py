"""Users, roles, API tokens and the permission table."""
