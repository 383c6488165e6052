"""Customer texts: an outbox in PostgreSQL, sent by a worker through Twilio."""
