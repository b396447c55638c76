"""Which websites may frame a partner's widget: the origins its admin lists, checked and
written the one way a browser compares them (scheme://host[:port], lowercase, no path)."""

import re
from urllib.parse import urlsplit

from flask_babel import gettext as _

from events.errors import ValidationFailed

# Plain http only for trying the widget out on one's own machine.
LOCAL_HOSTS = {"localhost", "127.0.0.1"}
HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)"
                  r"(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$")
MAX_ORIGINS = 20
DEFAULT_PORTS = {"https": 443, "http": 80}


def normalise_origin(text: str) -> str:
    """'https://Example.org:443/' → 'https://example.org'; anything that is not an origin
    a partner's website can have raises ValidationFailed naming the line."""
    raw = text.strip()
    refuse = ValidationFailed(
        _("%(origin)s is not a website origin: write https://host or https://host:port "
          "(http only for localhost or 127.0.0.1).", origin=raw[:100]),
        field="embed_origins")
    if any(c.isspace() for c in raw) or "*" in raw:
        raise refuse
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise refuse from None
    host = (parts.hostname or "").rstrip(".")
    if (parts.username or parts.password or parts.query or parts.fragment
            or parts.path not in ("", "/") or not HOST.match(host)):
        raise refuse
    if parts.scheme == "http":
        if host not in LOCAL_HOSTS:
            raise refuse
    elif parts.scheme != "https":
        raise refuse
    if port is not None and port != DEFAULT_PORTS[parts.scheme]:
        return f"{parts.scheme}://{host}:{port}"
    return f"{parts.scheme}://{host}"


def clean_origins(text: str | None) -> str:
    """The admin's list (one per line, or separated by spaces or commas) as stored: checked,
    normalised, duplicates dropped, one per line."""
    found: list[str] = []
    for item in re.split(r"[\s,]+", text or ""):
        if item:
            origin = normalise_origin(item)
            if origin not in found:
                found.append(origin)
    if len(found) > MAX_ORIGINS:
        raise ValidationFailed(_("List at most %(num)d websites.", num=MAX_ORIGINS),
                               field="embed_origins")
    return "\n".join(found)


def origin_list(stored: str | None) -> list[str]:
    return [line for line in (stored or "").splitlines() if line]
