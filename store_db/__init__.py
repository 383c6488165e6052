"""The store's database: schema, migrations and every rule that changes store data.

`store_db` is the only writer of a store's SQLite file. Pure rules (pricing, the
order lifecycle, the menu's shape) live in `store_db.rules`, free of I/O, so the
cloud can price and track orders with the very same code. This package imports
nothing else of ours.
"""
