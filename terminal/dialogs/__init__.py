"""Modal dialogs: they ask one thing, run their store job, and dismiss with the outcome."""
