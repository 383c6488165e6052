"""Telling every worker what committed: one coalesced PostgreSQL NOTIFY per short window
(`announcer`), one LISTEN connection per worker (`listener`), and in-process
subscriptions for trackers, store feeds and the background senders (`hub`)."""

CHANNEL = "makeline_events"
INBOUND = "a"  # a payload's key: a store's events were stored and wait for the appliers
