"""Head office's reports (a store manager sees only their own store): sales, inventory
variance and delivery performance, as JSON or CSV."""
