"""The store's database: schema, migrations, services (the only writers) and queries.

`store_db` is the only writer of a store's SQLite file: every write goes through a
service in `store_db.services` (orders, kitchen, lifecycle, runs, stock counts,
receiving, waste, printing, feed, …); screens and commands read through
`store_db.queries`. The pure rules it applies (pricing, the order lifecycle, units
and recipes) are the trade's (`makeline.trade`), shared with the cloud. It imports
nothing else of ours.
"""
