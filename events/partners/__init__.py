"""Partners of the memorandum and the venues on their sites."""
