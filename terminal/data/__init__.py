"""Terminal logic that needs no screen: no Textual import anywhere in this package."""
