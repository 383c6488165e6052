"""Services: the only code that writes the store database.

Each takes a `Session` as its first argument, inside the write transaction that
`StoreDB.run(service, ...)` opens and commits; it checks everything first, and
raises a `StoreError` before writing anything when it refuses. Where several
writes must share one transaction, one service composes them. Whatever the cloud
must learn is written with its outbox event. No module outside `store_db` opens
a write transaction (tests/store/test_only_services_write.py).
"""
