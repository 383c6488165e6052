"""Stores: where they are, whom they deliver to, their settings, enrollment and devices."""
