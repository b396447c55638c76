"""Resident companies of each partner, their e-mail domains, and the residency queue."""
