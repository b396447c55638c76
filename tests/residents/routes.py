"""Access rows for the residents area (see tests/routes.py)."""

ROUTES = {
    "residents.index": "staff",
    "residents.confirm": "staff",
    "residents.refuse": "staff",
    "residents.add_company": "staff",
    "residents.edit_company": "staff",
    "residents.delete_company": "staff",
    "residents.import_companies": "staff",
}
