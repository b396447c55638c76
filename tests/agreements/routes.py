"""Who may reach the agreements, targets, rates and annual report routes (pages then check
the party or partner themselves: other partners' staff get 403/404)."""

ROUTES = {
    "agreements.index": "staff",
    "agreements.new": "staff",
    "agreements.detail": "staff",
    "agreements.edit": "staff",
    "agreements.upload_document": "staff",
    "agreements.document": "staff",
    "agreements.new_target": "staff",
    "agreements.new_programme_target": "staff",
    "agreements.delete_target": "staff",
    "agreements.targets_csv": "staff",
    "agreements.rates_page": "staff",
    "agreements.add_exchange_rate": "staff",
    "agreements.new_rate_card": "staff",
    "agreements.edit_rate_card": "staff",
    "agreements.annual_report": "staff",
    "agreements.annual_xlsx": "staff",
    "agreements.annual_pdf": "staff",
}
