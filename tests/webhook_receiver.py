"""A real HTTP receiver for webhook deliveries (http.server on loopback, in a thread), as
tests/smtp.py is for email: it keeps each request it takes, answers the codes it is told in
turn, and can stall (take the request and never answer).

The `webhook_receiver` fixture (conftest.py) runs one and lets Accord reach it: loopback is
refused unless the site's staff allow it, so the fixture allows 127.0.0.1/32."""

import hashlib
import hmac
import http.server
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    port: int = 0
    # The codes to answer, in turn; the last one again once they run out.
    codes: list[int] = field(default_factory=lambda: [200])
    # Seconds to wait before answering (a stalling receiver).
    stall: float = 0
    # Answer a byte of the headers every half second, for ever (a dribbling receiver).
    dribble: bool = False
    received: list[Received] = field(default_factory=list)
    answered: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/accord?channel=harvest"

    def next_code(self) -> int:
        code = self.codes[min(self.answered, len(self.codes) - 1)]
        self.answered += 1
        return code


def _handler(receiver: Receiver, stop: threading.Event):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            receiver.received.append(Received(self.path, dict(self.headers.items()), body))
            if receiver.stall:
                stop.wait(receiver.stall)
                return
            if receiver.dribble:
                self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                while not stop.wait(0.5):
                    self.wfile.write(b"a")
                    self.wfile.flush()
                return
            code = receiver.next_code()
            answer = f"<b>answered {code}</b>".encode()
            self.send_response(code)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    return Handler


class LoopbackReceiver:
    def __init__(self, receiver: Receiver):
        self.receiver = receiver
        self.stop = threading.Event()
        self.server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), _handler(receiver, self.stop)
        )
        self.server.daemon_threads = True
        receiver.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()

    def close(self):
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


def verify(secret: str, headers: dict[str, str], body: bytes, tolerance: int = 300) -> bool:
    """The receiver's check, written from docs/webhooks.md alone (not from Accord's code)."""
    parts = dict(part.split("=", 1) for part in headers["Accord-Signature"].split(","))
    timestamp = int(parts["t"])
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])
