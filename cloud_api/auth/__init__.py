"""Accounts, passwords, access and refresh tokens, and who a request comes from."""
