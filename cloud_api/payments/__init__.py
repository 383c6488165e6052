"""Payments: the gateway seam (test gateway by default, Stripe in production), charges,
cash at the door, refunds, and the gateway's webhooks."""
