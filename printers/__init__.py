"""Printing: ESC/POS layouts of store documents, printer connections chosen by URL, and the durable print queue. May import store_db."""
