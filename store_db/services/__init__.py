"""Services: the only code that writes the store database.

Each takes a `Session` inside a write transaction (`StoreDB.write()`), checks
everything first, and raises a `StoreError` before writing anything when it
refuses. Whatever the cloud must learn is written with its outbox event.
"""
