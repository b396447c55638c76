"""E-mail address rules in one place: the normalised form an address is stored and compared in,
and the look-alike key that stops a second account for the same mailbox.

`normalise_email()` is what every form, import and service calls before storing or looking up
an address (deliverable syntax only: no DNS lookups); `address_problem()` tells why an address
stored earlier could not be stored today; `email_key()` folds Unicode look-alikes (Cyrillic "а"
for Latin "a", full-width forms, compatibility characters) so that two addresses a person cannot
tell apart share a key.
"""

import json
import unicodedata
from functools import cache
from importlib import resources

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from events.errors import ValidationFailed

MAX_EMAIL_LENGTH = 254


def _fold(value: str) -> str:
    # NFKC turns full-width and other compatibility forms into their plain letters.
    return unicodedata.normalize("NFKC", value).strip()


def normalise_email(raw: str | None) -> str:
    """The stored form of an address: compatibility forms folded, validated (no DNS), lower case.

    Raises ValidationFailed (field "email") with a message a person can act on."""
    value = _fold(raw or "")
    if not value:
        raise ValidationFailed(_("Enter your email address."), field="email")
    if len(value) > MAX_EMAIL_LENGTH:
        raise ValidationFailed(_("This email address is too long."), field="email")
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError as error:
        raise ValidationFailed(
            _("Enter a valid email address (%(reason)s).", reason=_reason(error)), field="email"
        ) from error
    return result.normalized.lower()


def address_problem(address: str | None) -> str | None:
    """Why a stored address cannot receive mail (the message normalise_email refuses it with),
    or None. Addresses from before these rules are reported, never changed or fatal."""
    try:
        normalise_email(address)
    except ValidationFailed as error:
        return error.message
    return None


def lookup_form(raw: str | None) -> str:
    """The form to look an address up by (sign-in, password reset): never raises."""
    try:
        return normalise_email(raw)
    except ValidationFailed:
        return _fold(raw or "").lower()


def email_domain(address: str) -> str:
    """The domain of a stored address, lower case, in its Unicode form."""
    return address.rsplit("@", 1)[-1].lower()


def _reason(error: EmailNotValidError) -> str:
    text = str(error)
    if "@" in text and "sign" in text:
        return _("it needs exactly one @")
    if "special-use" in text or "reserved" in text:
        return _("this domain cannot receive mail")
    return _("check the spelling")


@cache
def _ascii_lookalikes() -> dict[str, str]:
    """Non-ASCII character → the ASCII letter, digit or sign it is confusable with (UTS #39 data
    shipped by confusable-homoglyphs)."""
    raw = resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8")
    table: dict[str, str] = {}
    for char, homoglyphs in json.loads(raw).items():
        if len(char) != 1 or char.isascii():
            continue
        candidates = sorted(
            h["c"] for h in homoglyphs
            if len(h["c"]) == 1 and h["c"].isascii() and (h["c"].isalnum() or h["c"] in "-._+@")
        )
        if candidates:
            # Prefer a lower-case letter: the key is compared case-insensitively anyway.
            table[char] = min(candidates, key=lambda c: (not c.islower(), c))
    return table


def email_key(address: str) -> str:
    """The look-alike key of a normalised address: unique across accounts."""
    folded = _fold(address).casefold()
    table = _ascii_lookalikes()
    return "".join(c if c.isascii() else table.get(c, c) for c in folded).casefold()
