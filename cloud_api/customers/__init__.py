"""A customer's own profile."""
