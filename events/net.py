"""Fetching a URL someone typed, without letting it reach inside our network (SSRF).

`fetch_url()` resolves the host itself, refuses any address that is not public (loopback,
private, link-local, multicast, reserved, shared, unspecified — IPv4, IPv6 and IPv4-mapped IPv6;
decimal, hex and octal spellings are resolved first, so they are caught too), connects to the
very address it checked (no second lookup an attacker could answer differently), follows
redirects by checking each hop the same way, and keeps one deadline for the whole exchange and
a cap on the bytes read. Every failure carries the same neutral message, so the answers cannot
be used to map hosts or ports. `webcal://` is tried as https://, then http://.

`post_url()` (webhooks) sends a body through the same checks and connection, and never follows
a redirect: a POST's redirect is its answer. `refusal_of_target()` says beforehand why a URL
would be refused, for a form to explain.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from urllib.parse import urljoin, urlsplit

from flask import current_app, has_app_context

MAX_REDIRECTS = 5
USER_AGENT = "JointEvents"


class FetchFailed(Exception):
    """The URL could not be fetched (the message is deliberately the same for every cause)."""


class TooLarge(FetchFailed):
    pass


def _allowed_extra(ip, port: int) -> bool:
    """Addresses an operator allowed on purpose (FETCH_ALLOWED_ADDRESSES: "10.1.2.3",
    "10.0.0.0/8" or "127.0.0.1:8080"), e.g. an intranet calendar server."""
    entries = current_app.config.get("FETCH_ALLOWED_ADDRESSES") if has_app_context() else None
    for entry in entries or ():
        address, _, wanted_port = entry.rpartition(":") if entry.count(":") == 1 else (
            entry, "", "")
        if wanted_port and wanted_port != str(port):
            continue
        try:
            if ip in ipaddress.ip_network(address, strict=False):
                return True
        except ValueError:
            continue
    return False


def is_public(ip) -> bool:
    """A unicast address on the public internet."""
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            return is_public(mapped)
        if ip.teredo is not None:
            return False
    return ip.is_global and not ip.is_multicast and not ip.is_reserved


def address_allowed(ip, port: int) -> bool:
    return is_public(ip) or _allowed_extra(ip, port)


def _resolve(host: str, port: int, remaining: float) -> list:
    """Every address the host resolves to (within the deadline)."""
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        future = pool.submit(socket.getaddrinfo, host, port, 0, socket.SOCK_STREAM)
        infos = future.result(timeout=max(remaining, 0.01))
    except (FutureTimeout, OSError, UnicodeError, ValueError) as error:
        raise FetchFailed from error
    finally:
        pool.shutdown(wait=False)
    addresses = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        ip = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if ip not in addresses:
            addresses.append(ip)
    return addresses


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address, whatever the Host header names."""

    def __init__(self, host, port, ip, timeout):
        super().__init__(host, port, timeout=timeout)
        self._ip = ip

    def connect(self):
        self.sock = socket.create_connection((str(self._ip), self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, ip, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._ip = ip

    def connect(self):
        sock = socket.create_connection((str(self._ip), self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _split(url: str):
    try:
        parts = urlsplit(url)
    except ValueError as error:  # e.g. "http://[example.com/": no URL at all
        raise FetchFailed from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchFailed
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise FetchFailed from error
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.scheme, parts.hostname, port, path


class _Exchange:
    """One request to a checked, pinned address: open it with `with`, read `response`."""

    def __init__(self, method: str, url: str, *, body: bytes | None, ends_at: float,
                 headers: dict, clock):
        scheme, host, port, path = _split(url)
        addresses = _resolve(host, port, ends_at - clock())
        if not addresses or not all(address_allowed(ip, port) for ip in addresses):
            raise FetchFailed
        remaining = ends_at - clock()
        if remaining <= 0:
            raise FetchFailed
        connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
        self.connection = connection_class(host, port, addresses[0], timeout=remaining)
        self.method, self.path, self.body, self.headers = method, path, body, headers

    def __enter__(self):
        try:
            self.connection.request(self.method, self.path, body=self.body, headers={
                "Accept-Encoding": "identity", **self.headers, "User-Agent": USER_AGENT})
            self.sock = self.connection.sock  # http.client lets go of it once read
            self.response = self.connection.getresponse()
        except (OSError, http.client.HTTPException, ssl.SSLError, ValueError) as error:
            # ValueError: what http.client says of a URL or header it cannot write (non-ASCII)
            self.connection.close()
            raise FetchFailed from error
        return self

    def read(self, *, max_bytes: int, ends_at: float, clock, cut: bool = False) -> bytes:
        """The body within the deadline: TooLarge past `max_bytes`, or only that much
        when `cut`."""
        chunks, size = [], 0
        while True:
            remaining = ends_at - clock()
            if remaining <= 0:
                raise FetchFailed
            self.sock.settimeout(remaining)
            response = self.response
            chunk = response.read1(65536) if hasattr(response, "read1") else response.read(65536)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                if cut:
                    chunks.append(chunk[:max_bytes - size + len(chunk)])
                    break
                raise TooLarge
            chunks.append(chunk)
        return b"".join(chunks)

    def __exit__(self, kind, error, trace):
        self.connection.close()
        if isinstance(error, (OSError, http.client.HTTPException, ssl.SSLError)):
            raise FetchFailed from error


def _get_once(url: str, *, max_bytes: int, ends_at: float, headers: dict, clock):
    """One request: (status, location or None, body)."""
    with _Exchange("GET", url, body=None, ends_at=ends_at, headers=headers,
                   clock=clock) as exchange:
        response = exchange.response
        if 300 <= response.status < 400 and response.getheader("Location"):
            return response.status, urljoin(url, response.getheader("Location")), b""
        if response.status != 200:
            return response.status, None, b""
        return 200, None, exchange.read(max_bytes=max_bytes, ends_at=ends_at, clock=clock)


def post_url(url: str, body: bytes, *, headers: dict, deadline: float,
             max_bytes: int = 1024, clock=time.monotonic) -> tuple[int, bytes]:
    """POST `body` to a public http(s) URL with the same checks as fetch_url (the checked
    address is the one connected to, one deadline for everything); a redirect is an answer,
    never followed. Returns (status, the first `max_bytes` of the answer). FetchFailed when
    the address is refused or nothing came back in time."""
    ends_at = clock() + deadline
    with _Exchange("POST", (url or "").strip(), body=body, ends_at=ends_at, clock=clock,
                   headers=headers) as exchange:
        answer = exchange.read(max_bytes=max_bytes, ends_at=ends_at, clock=clock, cut=True)
        return exchange.response.status, answer


def refusal_of_target(url: str, *, deadline: float) -> str | None:
    """Why requests to `url` would be refused, checked as fetch_url and post_url check it:
    "scheme" (not http(s) with a host), "unresolved" (the host has no address) or "private"
    (an address that is not public); None when it may be used."""
    try:
        _scheme, host, port, _path = _split((url or "").strip())
    except FetchFailed:
        return "scheme"
    try:
        addresses = _resolve(host, port, deadline)
    except FetchFailed:
        return "unresolved"
    if not addresses:
        return "unresolved"
    if not all(address_allowed(ip, port) for ip in addresses):
        return "private"
    return None


def fetch_url(url: str, *, max_bytes: int, deadline: float,
              headers: dict | None = None, clock=time.monotonic) -> bytes:
    """GET a public http(s) URL: the body, at most `max_bytes`, within `deadline` seconds in
    total (resolving, connecting, redirects and reading together). FetchFailed otherwise."""
    url = (url or "").strip()
    ends_at = clock() + deadline
    if url.lower().startswith("webcal://"):
        rest = url[len("webcal://"):]
        try:
            return fetch_url("https://" + rest, max_bytes=max_bytes,
                             deadline=max(ends_at - clock(), 0) / 2, headers=headers,
                             clock=clock)
        except TooLarge:
            raise
        except FetchFailed:
            return fetch_url("http://" + rest, max_bytes=max_bytes,
                             deadline=max(ends_at - clock(), 0), headers=headers,
                             clock=clock)
    for _hop in range(MAX_REDIRECTS + 1):
        status, location, body = _get_once(url, max_bytes=max_bytes, ends_at=ends_at,
                                           headers=headers or {}, clock=clock)
        if location is None:
            if status != 200:
                raise FetchFailed
            return body
        url = location  # checked like the first address on the next turn
    raise FetchFailed
