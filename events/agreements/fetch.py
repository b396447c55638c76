"""Fetching a file from a URL the product does not control: http(s) only, a timeout, a size
cap, and never an address inside our own network — every address the name resolves to is
checked, the connection goes to the checked address (no second lookup to rebind), and each
redirect is checked again the same way."""

import http.client
import ipaddress
import socket
import ssl
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

from flask_babel import gettext as _

from events.errors import ValidationFailed

MAX_REDIRECTS = 5


def is_public_address(address: str) -> bool:
    """False for loopback, private, link-local, multicast, reserved and unspecified ranges."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_link_local
                                 or ip.is_loopback or ip.is_private or ip.is_unspecified)


def _resolve(host: str, port: int, allowed: Callable[[str], bool], field: str) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise ValidationFailed(_("The address could not be reached."), field=field) from None
    addresses = [info[4][0] for info in infos]
    if not addresses or not all(allowed(a) for a in addresses):
        raise ValidationFailed(
            _("This address points inside a private network and is refused."), field=field)
    return addresses[0]


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def fetch_url(url: str, *, timeout: float, max_bytes: int, accept: str = "*/*",
              allowed: Callable[[str], bool] = is_public_address, field: str = "url") -> bytes:
    """GET `url` under the rules above; a ValidationFailed says why it was refused."""
    for _hop in range(MAX_REDIRECTS + 1):
        parts = urlsplit((url or "").strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValidationFailed(_("Only http:// and https:// addresses can be read."),
                                   field=field)
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise ValidationFailed(_("The address could not be reached."), field=field) from None
        address = _resolve(parts.hostname, port, allowed, field)
        connection_class = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
        connection = connection_class(parts.hostname, port, address, timeout)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request("GET", path, headers={"Accept": accept,
                                                     "User-Agent": "JointEvents"})
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise ValidationFailed(_("The address answered with an error (%(code)s).",
                                             code=response.status), field=field)
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise ValidationFailed(_("The address answered with an error (%(code)s).",
                                         code=response.status), field=field)
            data = response.read(max_bytes + 1)
        except (OSError, http.client.HTTPException):
            raise ValidationFailed(_("The address could not be reached."), field=field) from None
        finally:
            connection.close()
        if len(data) > max_bytes:
            raise ValidationFailed(_("The file is larger than %(size)d kB.",
                                     size=max_bytes // 1000), field=field)
        return data
    raise ValidationFailed(_("Too many redirects."), field=field)
