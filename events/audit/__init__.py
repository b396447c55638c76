"""The audit trail: who changed what, when, with the fields before and after."""
