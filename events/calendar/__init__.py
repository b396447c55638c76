"""iCalendar: downloads, public and private feeds, and import."""
