"""Accounts, sign-in and the permission rules."""
