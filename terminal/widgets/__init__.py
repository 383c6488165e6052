"""Widgets shared by the screens, grouped by the screen region they fill."""
