"""Tickets: the signed token a confirmed registration shows at the door, and its QR code.

The token is the registration's random ticket secret signed with the app's secret key
(itsdangerous): it says nothing about the registration id, cannot be guessed, and a code that
was not made here is refused before the database is asked."""

import io

import segno
from flask import current_app
from itsdangerous import BadSignature, Signer

from events.enums import RegistrationStatus

SALT = "registration-ticket"
# A token is "<secret>.<signature>": 22 + 1 + 27 characters; anything far off is not ours.
TOKEN_MAX = 120


def _signer() -> Signer:
    return Signer(current_app.config["SECRET_KEY"], salt=SALT)


def ticket_token(registration) -> str:
    """What the QR code carries."""
    return _signer().sign(registration.ticket_secret).decode("ascii")


def secret_from_token(token: str) -> str | None:
    """The ticket secret inside a token made here, or None for anything else."""
    token = (token or "").strip()
    if not token or len(token) > TOKEN_MAX or not token.isascii():
        return None
    try:
        return _signer().unsign(token).decode("ascii")
    except BadSignature:
        return None


def has_ticket(registration) -> bool:
    """Only a confirmed seat has a ticket to show."""
    return registration.status == RegistrationStatus.CONFIRMED


def _qr(registration) -> segno.QRCode:
    # Medium error correction survives a scratched phone screen or a folded printout.
    return segno.make(ticket_token(registration), error="m", micro=False)


def qr_svg(registration, scale: int = 6) -> str:
    """The QR code as an inline <svg> element (no style attributes, so the CSP holds); it is
    marked up with a title for screen readers by the template around it."""
    return _qr(registration).svg_inline(scale=scale, border=4, dark="#000", light="#fff",
                                        svgclass="ticket-qr", lineclass=None)


def qr_png(registration, scale: int = 8) -> bytes:
    """The QR code as a PNG, for the confirmation mail (mail clients rarely show SVG)."""
    out = io.BytesIO()
    _qr(registration).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
