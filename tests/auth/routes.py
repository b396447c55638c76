"""Access rows for the auth area's account pages (see tests/routes.py)."""

ROUTES = {
    "auth.accounts": "staff",
    "auth.set_active": "staff",
    "auth.account": "signed-in",
    "auth.change_password": "signed-in",
    "auth.signout_everywhere": "signed-in",
    "auth.resend_verification": "signed-in",
    "auth.download_data": "signed-in",
    "auth.delete": "signed-in",
    "auth.create_api_token": "signed-in",
    "auth.revoke_token": "signed-in",
    "auth.forgot_password": "anyone",
    "auth.verify_email": "token",
    "auth.reset_password": "token",
    "auth.accept_invitation": "token",
}
