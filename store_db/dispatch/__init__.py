"""The store's dispatch board over the planner: `planning` turns the board's orders and
shifts (`store_db.queries.dispatch_board`) into a plan request for `makeline.dispatch`
and its plan into runs to accept, `editing` is the dispatcher moving orders between
them, and `driver` is a run as its driver sees it. Sending a run is a service
(`store_db.services.dispatch`)."""
