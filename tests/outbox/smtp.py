"""SMTP servers for the delivery tests, on 127.0.0.1: one that keeps what it is given and can
be told to drop the connection mid-message or refuse a recipient, and one that accepts a
connection and then says nothing (a hanging relay)."""

import email
import email.policy
import socket
import threading

from aiosmtpd.controller import Controller


class _Handler:
    def __init__(self, server: "RecordingSmtp"):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if "refused" in address:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's name
        self.server.connections_with_data += 1
        if self.server.drop_next > 0:
            self.server.drop_next -= 1
            server.transport.abort()   # the relay goes away in the middle of the message
            return "421 closing"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.server.lock:
            self.server.received.append(message)
        return "250 OK"


class RecordingSmtp:
    def __init__(self, port: int):
        self.port = port
        self.received: list = []
        self.lock = threading.Lock()
        self.drop_next = 0
        self.connections_with_data = 0
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=port)

    def start(self) -> "RecordingSmtp":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for m in self.received]

    def recipients(self) -> list[str]:
        with self.lock:
            return [str(m["To"]) for m in self.received]


class SilentServer:
    """Accepts connections and never answers: smtplib waits for the greeting until its
    socket timeout."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(50)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def stop(self) -> None:
        self.sock.close()
        for conn in self.accepted:
            conn.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
