"""Menu versions: head office publishes whole menus; each store sells from its current one."""
