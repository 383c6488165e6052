"""One module per role screen. Each reads through `store_db.queries` and writes through services."""
