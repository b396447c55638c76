"""Subjects of the account mails, marked for extraction; queue_mail translates each in the
recipient's language."""


def _(message: str) -> str:
    return message


SUBJECTS = {
    "verify_email": _("Confirm your email address"),
    "password_reset": _("Reset your password"),
    "invitation_account": _("You are invited to Joint Events"),
    "residency_confirmed": _("You are confirmed as a resident"),
    "residency_refused": _("Your residency could not be confirmed"),
}
