"""The signature of a delivery: `Accord-Signature: t=<unix time>,v1=<hex>`, where the hex
is HMAC-SHA256 of `<unix time>.<body>` under the webhook's secret (docs/webhooks.md says
how a receiver checks it; `verify` is that check, which the tests' receiver runs)."""

import hashlib
import hmac
import time

# A receiver refuses a signature older (or newer) than this: a captured delivery cannot be
# replayed later.
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def header(secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(secret: str, body: bytes, value: str, now: float | None = None) -> bool:
    """Whether `value` (the Accord-Signature header) signs `body` under `secret`, made less
    than TOLERANCE_SECONDS ago."""
    fields = {}
    for part in value.split(","):
        name, _, text = part.strip().partition("=")
        fields.setdefault(name, []).append(text)
    try:
        timestamp = int(fields["t"][0])
    except (KeyError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, given) for given in fields.get("v1", []))
