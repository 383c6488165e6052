"""Stock: ideal usage from recipes, counts, receiving, waste and food-cost variance.

Pure rules (no I/O): `units` (unit conversion and mixed-unit entries),
`recipes` (ideal usage of a configured item), `variance` (the variance math,
food cost and suggested orders). Services over a session: `usage`, `counts`,
`receiving`, `waste`, `ledger` (sums of movements) and `report`. The rules of
the trade and their choices are written down in docs/inventory.md.
"""
