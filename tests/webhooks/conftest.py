"""A receiver: a real HTTP server on 127.0.0.1 that records what it is sent and answers as the
test tells it (a status, or no answer until the test ends), let through events.net on purpose
with FETCH_ALLOWED_ADDRESSES (loopback is refused otherwise)."""

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from events.extensions import db
from events.webhooks.models import EVENT_TYPES, WebhookEndpoint
from events.webhooks.signing import new_secret

HANG = "hang"  # an answer: none at all until the test ends (the sender's deadline runs out)


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


@dataclass
class Receiver:
    url: str
    port: int
    answers: list = field(default_factory=list)  # taken one per request; 204 when empty
    received: list[Received] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            receiver.received.append(Received(self.path, dict(self.headers.items()), body))
            answer = receiver.answers.pop(0) if receiver.answers else 204
            if answer == HANG:
                receiver.release.wait(30)
                return
            self.send_response(answer)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def receiver(app):
    holder = Receiver(url="", port=0)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(holder))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    holder.port = server.server_port
    holder.url = f"http://127.0.0.1:{server.server_port}/hook"
    # Loopback is refused everywhere; this one port is let through, as an operator would.
    app.config["FETCH_ALLOWED_ADDRESSES"] = [f"127.0.0.1:{server.server_port}"]
    yield holder
    holder.release.set()
    server.shutdown()
    server.server_close()


def make_endpoint(partner, url: str, *, types=EVENT_TYPES, **overrides) -> WebhookEndpoint:
    values = {"partner": partner, "url": url, "description": "", "is_enabled": True,
              "event_types": " ".join(types), "secret": new_secret()}
    endpoint = WebhookEndpoint(**(values | overrides))
    db.session.add(endpoint)
    db.session.flush()
    return endpoint
