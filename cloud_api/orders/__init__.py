"""Orders: online orders placed here, store orders fed by sync, their progress and idempotency."""
