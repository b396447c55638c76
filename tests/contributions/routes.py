"""Who may reach the contribution, report and programme routes."""

ROUTES = {
    "contributions.new": "staff",
    "contributions.edit": "staff",
    "contributions.deliver": "staff",
    "contributions.withdraw": "staff",
    "contributions.assign_programme": "staff",
    "contributions.reports": "staff",
    "contributions.export_csv": "staff",
    "contributions.balance_svg": "staff",
    "contributions.programmes": "staff",
    "contributions.programme": "staff",
    "contributions.new_programme": "staff",
    "contributions.edit_programme": "staff",
    "contributions.new_for_series": "staff",
    "contributions.deliver_for_series": "staff",
    "contributions.withdraw_for_series": "staff",
}
