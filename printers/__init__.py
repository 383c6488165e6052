"""Printing: ESC/POS layouts of store documents, printer connections chosen by URL, and the durable print queue. May import store_db."""

from printers.capabilities import load as _load_capabilities

_load_capabilities()  # before any module of ours imports python-escpos
