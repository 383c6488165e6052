"""Reports read off the store database; the cloud's reports use the same shapes."""
