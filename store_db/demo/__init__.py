"""The demo store: a realistic menu, recipes, stock, staff, drivers and customers."""
