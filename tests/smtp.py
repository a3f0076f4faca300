"""A real SMTP server for the tests (aiosmtpd, on loopback), and reading back what it took.

The `smtp_server` fixture (conftest.py) runs one and points Django's SMTP backend at it,
so that an email goes through the same code and the same wire as in production."""

import asyncio
import email
import email.policy
import socket
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass
class Received:
    """One message as the server took it: the envelope, and the message parsed."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    # The client's address and port: messages sent over one connection share it.
    peer: tuple


@dataclass
class Keeper:
    """An aiosmtpd handler that keeps what it receives, or refuses every message with a
    550 when `refusing`, and those to an address of `refusing_to` (in any case); to an
    address of `stalling_to`, it stops answering."""

    refusing: bool = False
    refusing_to: set[str] = field(default_factory=set)
    # Addresses whose message the server takes in, then never answers about.
    stalling_to: set[str] = field(default_factory=set)
    port: int = 0
    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        if {to.lower() for to in envelope.rcpt_tos} & self.stalling_to:
            await asyncio.sleep(3600)  # cancelled when the server stops
        if self.refusing or {to.lower() for to in envelope.rcpt_tos} & self.refusing_to:
            return "550 5.7.1 Message refused"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), message, session.peer)
        )
        return "250 Message accepted for delivery"

    def to(self, address: str) -> EmailMessage:
        """The one message received for `address`."""
        (found,) = [each.message for each in self.received if address in each.rcpt_tos]
        return found


class LoopbackController(Controller):
    """aiosmtpd's Controller on a port the system chooses (0), read back once it listens,
    so that servers of tests running side by side never collide."""

    def __init__(self, handler):
        super().__init__(handler, hostname="127.0.0.1", port=0)

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


def closed_port() -> socket.socket:
    """A socket bound to a loopback port without listening: a connection to that port is
    refused (nothing listens there), and no other program can take the port meanwhile.
    Close it when done."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock


def point_django_at(settings, port: int) -> None:
    """Django's SMTP backend, to this loopback port, in plain text (no TLS, no login)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
