"""Password strength (zxcvbn, with its advice in the reader's language) and the signed links
that verify an address, reset a password or accept an invitation."""

import hashlib

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from zxcvbn import zxcvbn

from events.errors import NotFound, ValidationFailed

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
# zxcvbn's 0–4 scale: 3 is "safely unguessable" against an offline attack on a slow hash.
MIN_STRENGTH = 3
# zxcvbn's work grows with length (it refuses more than 72); the start decides the score.
_ESTIMATE_CHARS = 72

# zxcvbn's advice, in our catalogue so that it reads in both languages.
ADVICE = {
    "Use a few words, avoid common phrases.": _l("Use a few words, avoid common phrases."),
    "No need for symbols, digits, or uppercase letters.":
        _l("No need for symbols, digits, or uppercase letters."),
    "Add another word or two. Uncommon words are better.":
        _l("Add another word or two. Uncommon words are better."),
    "Straight rows of keys are easy to guess.": _l("Straight rows of keys are easy to guess."),
    "Short keyboard patterns are easy to guess.": _l("Short keyboard patterns are easy to guess."),
    "Use a longer keyboard pattern with more turns.":
        _l("Use a longer keyboard pattern with more turns."),
    'Repeats like "aaa" are easy to guess.': _l('Repeats like "aaa" are easy to guess.'),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".':
        _l('Repeats like "abcabcabc" are only slightly harder to guess than "abc".'),
    "Avoid repeated words and characters.": _l("Avoid repeated words and characters."),
    'Sequences like "abc" or "6543" are easy to guess.':
        _l('Sequences like "abc" or "6543" are easy to guess.'),
    "Avoid sequences.": _l("Avoid sequences."),
    "Recent years are easy to guess.": _l("Recent years are easy to guess."),
    "Avoid recent years.": _l("Avoid recent years."),
    "Avoid years that are associated with you.": _l("Avoid years that are associated with you."),
    "Dates are often easy to guess.": _l("Dates are often easy to guess."),
    "Avoid dates and years that are associated with you.":
        _l("Avoid dates and years that are associated with you."),
    "This is a top-10 common password.": _l("This is a top-10 common password."),
    "This is a top-100 common password.": _l("This is a top-100 common password."),
    "This is a very common password.": _l("This is a very common password."),
    "This is similar to a commonly used password.":
        _l("This is similar to a commonly used password."),
    "A word by itself is easy to guess.": _l("A word by itself is easy to guess."),
    "Names and surnames by themselves are easy to guess.":
        _l("Names and surnames by themselves are easy to guess."),
    "Common names and surnames are easy to guess.":
        _l("Common names and surnames are easy to guess."),
    "Capitalization doesn't help very much.": _l("Capitalization doesn't help very much."),
    "All-uppercase is almost as easy to guess as all-lowercase.":
        _l("All-uppercase is almost as easy to guess as all-lowercase."),
    "Reversed words aren't much harder to guess.":
        _l("Reversed words aren't much harder to guess."),
    "Predictable substitutions like '@' instead of 'a' don't help very much.":
        _l("Predictable substitutions like '@' instead of 'a' don't help very much."),
}


def _advice(text: str) -> str:
    return str(ADVICE.get(text, text))


def check_password_strength(password: str | None, *, user_inputs=()) -> None:
    """Refuse a password that is short or easy to guess, with advice on a better one."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            _("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH), field="password")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationFailed(
            _("Use at most %(n)d characters.", n=MAX_PASSWORD_LENGTH), field="password")
    inputs = [str(i) for i in user_inputs if i]
    for value in list(inputs):
        inputs += [part for part in value.replace("@", " ").replace(".", " ").split() if part]
    result = zxcvbn(password[:_ESTIMATE_CHARS], user_inputs=inputs)
    if result["score"] >= MIN_STRENGTH:
        return
    feedback = result.get("feedback") or {}
    parts = [_("This password is too easy to guess.")]
    if feedback.get("warning"):
        parts.append(_advice(feedback["warning"]))
    parts += [_advice(s) for s in feedback.get("suggestions", [])[:2]]
    if len(parts) == 1:
        parts.append(_advice("Add another word or two. Uncommon words are better."))
    raise ValidationFailed(" ".join(parts), field="password")


# ---- signed links ---------------------------------------------------------------------------

VERIFY = "verify-email"
RESET = "reset-password"
INVITE = "accept-invitation"


def max_age(purpose: str) -> int:
    return {
        VERIFY: current_app.config["EMAIL_VERIFY_MAX_AGE"],
        RESET: current_app.config["PASSWORD_RESET_MAX_AGE"],
        INVITE: current_app.config["INVITATION_MAX_AGE"],
    }[purpose]


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"accounts.{purpose}")


def _fingerprint(user, purpose: str) -> str:
    """What the link is bound to: it stops working once that changes (single use)."""
    state = user.email if purpose == VERIFY else user.password_hash
    return hashlib.sha256(f"{user.id}:{state}".encode()).hexdigest()[:24]


def make_link_token(user, purpose: str) -> str:
    return _serializer(purpose).dumps({"u": user.id, "f": _fingerprint(user, purpose)})


def user_for_link_token(token: str, purpose: str, load_user):
    """The account a link belongs to, or NotFound: forged, expired, used or out of date."""
    expired = _("This link has expired. Ask for a new one.")
    invalid = _("This link is not valid (it may have been used already). Ask for a new one.")
    if not token or len(token) > 500:
        raise NotFound(invalid)
    try:
        data = _serializer(purpose).loads(token, max_age=max_age(purpose))
    except SignatureExpired as error:
        raise NotFound(expired) from error
    except BadSignature as error:
        raise NotFound(invalid) from error
    user = load_user(data.get("u")) if isinstance(data, dict) else None
    if user is None or user.deleted_at is not None or not user.is_active:
        raise NotFound(invalid)
    if not isinstance(data.get("f"), str) or data["f"] != _fingerprint(user, purpose):
        raise NotFound(invalid)
    return user
