"""Events pushed by stores: stored once per `(store_id, seq)` and applied in the same
transaction to the cloud's orders, stock and delivery records."""
