"""Posting one delivery: to an address checked by webhooks/addresses.py, never following a
redirect, within WEBHOOK_TIMEOUT seconds for the connection and for each read.

An attempt ends after ATTEMPT_TIMEOUTS timeouts in all, however the receiver dribbles.
The connection is made to the checked address itself, while the request names the host
(the Host header) and, over https, the certificate is checked against the host's name
(SNI): a DNS answer changed between the check and the connection is never used."""

import contextlib
import http.client
import socket
import ssl
import threading
from dataclasses import dataclass

from django.conf import settings

from webhooks.addresses import Target

# What is kept of the answer's body.
EXCERPT_BYTES = 2048
# The longest one attempt may take, in WEBHOOK_TIMEOUTs: a receiver answering a byte at a
# time, each within the timeout, is cut off then (the scheduler's other jobs wait on it).
ATTEMPT_TIMEOUTS = 3


@dataclass(frozen=True)
class Answer:
    status: int
    excerpt: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class SendError(Exception):
    """No answer: the connection failed, timed out or broke; the message says how."""


def _connection(target: Target, address: str, timeout: float) -> http.client.HTTPConnection:
    if target.scheme == "https":
        context = ssl.create_default_context()
        connection = http.client.HTTPSConnection(
            target.host, target.port, timeout=timeout, context=context
        )
    else:
        connection = http.client.HTTPConnection(target.host, target.port, timeout=timeout)

    def connect_to_checked(_address, timeout=timeout, source_address=None):
        return socket.create_connection((address, target.port), timeout, source_address)

    # HTTPConnection.connect opens its socket through this attribute; HTTPSConnection then
    # wraps it with server_hostname=host, so the certificate is checked against the name.
    connection._create_connection = connect_to_checked
    return connection


def post(target: Target, body: bytes, headers: dict[str, str]) -> Answer:
    timeout = settings.WEBHOOK_TIMEOUT
    problems = []
    for address in target.addresses:
        connection = _connection(target, address, timeout)
        cut = threading.Event()
        watchdog = threading.Timer(ATTEMPT_TIMEOUTS * timeout, _cut_off, (connection, cut))
        watchdog.start()
        try:
            try:
                connection.connect()
            except OSError as error:
                # Nothing was sent: the host's next address may answer.
                problems.append(f"{address}: {_describe(error, timeout)}")
                continue
            connection.request("POST", target.path, body=body, headers=headers)
            response = connection.getresponse()
            excerpt = response.read(EXCERPT_BYTES)
            if cut.is_set():
                raise TimeoutError
            return Answer(response.status, _text(excerpt))
        except (OSError, http.client.HTTPException) as error:
            # The request may have gone out: another address would deliver it twice.
            if cut.is_set():
                problems.append(f"{address}: no whole answer within {ATTEMPT_TIMEOUTS * timeout} s")
            else:
                problems.append(f"{address}: {_describe(error, timeout)}")
            break
        finally:
            watchdog.cancel()
            connection.close()
    raise SendError("; ".join(problems))


def _text(excerpt: bytes) -> str:
    """The answer's bytes as text a database keeps: PostgreSQL refuses a NUL character in a
    text, so it becomes U+FFFD like any byte that is not UTF-8."""
    return excerpt.decode("utf-8", errors="replace").replace("\x00", "\ufffd")


def _cut_off(connection: http.client.HTTPConnection, cut: threading.Event) -> None:
    """End an attempt that has gone on too long: its blocked read returns at once."""
    cut.set()
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)


def _describe(error: Exception, timeout: float) -> str:
    if isinstance(error, TimeoutError | socket.timeout):
        return f"no answer within {timeout} s"
    return str(error) or type(error).__name__
