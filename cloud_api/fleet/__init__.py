"""The fleet: how every store's computer is doing, worst first (online, backlogs both ways,
quarantined entries, printers, online ordering), from heartbeats and the sync ledgers."""
