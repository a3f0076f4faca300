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
    # The body to answer, instead of one naming the code.
    body: bytes | None = None
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
            answer = receiver.body
            if answer is None:
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
    """Serves `receiver` on a free loopback port; over TLS with `tls` (a server context)."""

    def __init__(self, receiver: Receiver, tls=None):
        self.receiver = receiver
        self.stop = threading.Event()
        self.server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), _handler(receiver, self.stop)
        )
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
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


def certificates(folder, name: str):
    """A certificate authority and a certificate it signs for `name`, written in `folder`:
    (the authority's file, the certificate's, its key's)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def issue(subject, issuer, key, signer, *, ca: bool):
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if ca:
            builder = builder.add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
        else:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(subject)]), critical=False
            )
        return builder.sign(signer, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = issue("Test authority", "Test authority", ca_key, ca_key, ca=True)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = issue(name, "Test authority", key, ca_key, ca=False)
    files = (folder / "ca.pem", folder / "cert.pem", folder / "key.pem")
    files[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return files
