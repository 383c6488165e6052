"""The store terminal: counter order entry, make line, oven / cut table, rack and manager screens.

A Textual app (`terminal.app`) with one screen module per role in `terminal.screens`,
reusable pieces in `terminal.widgets` and modal `terminal.dialogs`. `terminal.data`
holds the parts that need no screen (the counter's item-line language, the cart,
the change watcher, formatting) and imports nothing of Textual. Reads go through
`store_db.queries`, writes through `store_db.services`, always in thread workers.
"""
