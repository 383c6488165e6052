"""Order tracking for customers: a websocket streaming stage changes and a plain HTML page."""
