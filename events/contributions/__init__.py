"""The contribution ledger: what each partner gives to each joint event, and the reports."""
