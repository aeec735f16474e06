"""Staff accounts, roles, per-site scoping and login."""
