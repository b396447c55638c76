"""events.net.fetch_url: no internal addresses in any spelling, every redirect re-checked, the
checked address is the one connected to, one total deadline, a size cap, one neutral error."""

import itertools
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from events import net
from events.net import FetchFailed, TooLarge, fetch_url


class Handler(BaseHTTPRequestHandler):
    routes: dict = {}
    seen: list = []

    def do_GET(self):
        self.seen.append((self.server.server_port, self.path, self.headers.get("Host")))
        status, headers, body = self.routes.get(self.path, (404, {}, b""))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Handler.routes, Handler.seen = {}, []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_port}"
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def allowed(app, server):
    """Loopback is refused; only this test server's port is let through, on purpose."""
    app.config["FETCH_ALLOWED_ADDRESSES"] = [f"127.0.0.1:{server.server_port}"]
    return server


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/x.ics", "http://localhost/x.ics", "http://[::1]/x.ics",
    "http://2130706433/x.ics", "http://0x7f000001/x.ics", "http://0177.0.0.1/x.ics",
    "http://127.1/x.ics", "http://[::ffff:127.0.0.1]/x.ics", "http://[::ffff:7f00:1]/x.ics",
    "http://10.0.0.1/x.ics", "http://192.168.1.1/x.ics", "http://172.16.0.1/x.ics",
    "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/x.ics",
    "http://224.0.0.1/x.ics", "http://0.0.0.0/x.ics", "http://100.64.0.1/x.ics",
    "http://240.0.0.1/x.ics", "http://[fc00::1]/x.ics", "http://[2002:7f00:1::]/x.ics",
    "webcal://127.0.0.1/x.ics", "ftp://example.org/x.ics", "http:///x.ics",
])
def test_internal_addresses_are_refused_before_connecting(app, monkeypatch, url):
    def no_connection(*args, **kwargs):
        raise AssertionError("connected to a refused address")

    monkeypatch.setattr(socket, "create_connection", no_connection)
    with pytest.raises(FetchFailed):
        fetch_url(url, max_bytes=1000, deadline=2)


def test_a_public_address_is_allowed_by_the_rule():
    import ipaddress

    assert net.is_public(ipaddress.ip_address("93.184.216.34"))
    assert net.is_public(ipaddress.ip_address("2606:2800:220:1:248:1893:25c8:1946"))
    assert not net.is_public(ipaddress.ip_address("::ffff:10.0.0.1"))


def test_a_redirect_to_loopback_is_refused(app, allowed):
    other = socket.socket()
    other.bind(("127.0.0.1", 0))
    other.listen(1)
    try:
        target = f"http://127.0.0.1:{other.getsockname()[1]}/"
        Handler.routes["/x.ics"] = (302, {"Location": target}, b"")
        with pytest.raises(FetchFailed):
            fetch_url(f"{allowed.url}/x.ics", max_bytes=1000, deadline=2)
        other.setblocking(False)
        with pytest.raises(BlockingIOError):
            other.accept()  # nobody connected to the redirect's target
    finally:
        other.close()


def test_redirects_on_allowed_hosts_are_followed(app, allowed):
    Handler.routes["/old.ics"] = (301, {"Location": "/new.ics"}, b"")
    Handler.routes["/new.ics"] = (200, {}, b"BEGIN:VCALENDAR")
    assert fetch_url(f"{allowed.url}/old.ics", max_bytes=1000, deadline=2) == b"BEGIN:VCALENDAR"


def test_it_connects_to_the_address_it_checked(app, allowed, monkeypatch):
    import ipaddress

    looked_up = []

    def resolve(host, port, remaining):
        looked_up.append(host)
        return [ipaddress.ip_address("127.0.0.1")]

    monkeypatch.setattr(net, "_resolve", resolve)
    Handler.routes["/x.ics"] = (200, {}, b"ok")
    url = f"http://calendar.example:{allowed.server_port}/x.ics"
    assert fetch_url(url, max_bytes=100, deadline=2) == b"ok"
    assert looked_up == ["calendar.example"]  # one lookup; the connection used its answer
    assert Handler.seen[-1][2] == f"calendar.example:{allowed.server_port}"


def test_size_cap(app, allowed):
    Handler.routes["/big.ics"] = (200, {}, b"x" * 50_000)
    with pytest.raises(TooLarge):
        fetch_url(f"{allowed.url}/big.ics", max_bytes=10_000, deadline=2)


def test_one_deadline_for_the_whole_exchange(app, allowed):
    # Each read of a large body takes "one second" on this clock: no single read is slow, but
    # together they pass the deadline (a per-read timeout would never fire).
    ticks = itertools.count()
    Handler.routes["/slow.ics"] = (200, {}, b"x" * 400_000)
    with pytest.raises(FetchFailed):
        fetch_url(f"{allowed.url}/slow.ics", max_bytes=1_000_000, deadline=5,
                  clock=lambda: float(next(ticks)))


def test_webcal_tries_https_then_http(app, allowed):
    Handler.routes["/feed.ics"] = (200, {}, b"BEGIN:VCALENDAR")
    url = f"webcal://127.0.0.1:{allowed.server_port}/feed.ics"
    assert fetch_url(url, max_bytes=1000, deadline=4) == b"BEGIN:VCALENDAR"


def test_every_failure_reads_the_same_on_the_import_page(app, client, allowed):
    from events.enums import Role
    from events.extensions import db
    from tests.conftest import login
    from tests.factories import make_user

    staff = make_user(Role.STAFF)
    db.session.commit()
    login(client, staff)
    answers = set()
    for url in ("http://127.0.0.1:9/x.ics", "http://127.0.0.1:22/x.ics", "http://[::1]/x.ics",
                f"{allowed.url}/missing.ics", "http://no-such-host.invalid/x.ics"):
        page = client.post("/calendar/import", data={"url": url}).get_data(as_text=True)
        answers.add(page.split('class="error"', 1)[1].split("</p>", 1)[0])
    assert len(answers) == 1
