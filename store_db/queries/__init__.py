"""Read-only queries for the store's screens.

Each function takes a `Session` inside a read transaction (`StoreDB.read()`) and
returns plain frozen dataclasses, so a screen never holds a live ORM object and
a worker thread can hand its result to the screen as it is. Nothing here writes.
Queries touch only what is open (open tickets, orders on the belt, on the rack),
through the indexes the schema keeps for them, so a screen can re-run its query
whenever the database changes.
"""
