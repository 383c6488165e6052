"""What the cloud's web pages (the storefront, the console) share."""
