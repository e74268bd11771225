"""Users, roles, login and passwords."""
