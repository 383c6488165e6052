"""Store ↔ cloud sync: the wire contract (pydantic models shared by both sides) and the store agent that moves outbox events up and feed entries down."""
