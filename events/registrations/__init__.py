"""Residents register to attend: capacity, waitlist, cancellation and check-in."""
