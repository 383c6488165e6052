"""Delivery runs and driver shifts: born in stores, recorded here for head office."""
