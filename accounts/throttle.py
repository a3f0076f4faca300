"""How many passwords one may try: the rule that keeps sign-in from being guessed.

- Account and address: 5 sign-ins for one account from one client address that fail lock
  that pair for 15 minutes; each further lock of the same pair within a day doubles, up to
  an hour. Only the pair is locked, so an attacker's guesses never lock the account's owner
  out from another address, and the lock is capped.
- Address: 50 failed sign-ins from one client address (any accounts) within an hour refuse
  every sign-in from it until that hour ends (guessing one password across many accounts).
- An IPv6 address counts by its /64, which one connection is given whole.
- While locked the password is not checked at all, so the right one does not get in.
- Attempts are counted before the password is checked (with the cache's atomic increment),
  so requests sent in parallel get no more tries than requests sent one by one.
- A successful sign-in forgives that attempt; a password reset clears every lock of the
  account (from every address).

Counters live in Django's cache: Redis with REDIS_URL, shared by every server process;
without it each process counts alone (a production installation sets REDIS_URL, and
`manage.py check --deploy` warns otherwise). Keys are HMACs of the account and address, so
the cache holds neither.
"""

import contextlib
import ipaddress
import math
import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

ATTEMPTS = 5
WINDOW = timedelta(minutes=15)
LOCK = timedelta(minutes=15)
LOCK_MAX = timedelta(hours=1)
LOCKS_REMEMBERED = timedelta(days=1)
ADDRESS_ATTEMPTS = 50
ADDRESS_WINDOW = timedelta(hours=1)


def _now() -> float:
    # Locks end by the time stored in them (the cache's expiry only tidies up), so that
    # tests can move this clock.
    return time.time()


def _key(kind: str, *parts: str) -> str:
    digest = salted_hmac("accounts.throttle", "\n".join(parts)).hexdigest()[:32]
    return f"signin:{kind}:{digest}"


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT proxies in front, the
    address the outermost of them saw (X-Forwarded-For is appended to by each proxy, so
    only its last TRUSTED_PROXY_COUNT entries were written by someone trusted)."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")


def _client(address: str) -> str:
    """The client an address stands for: an IPv6 address by its /64, which one connection
    is given whole (an attacker who takes the next address for each guess is still one
    client); an IPv4 address as it is."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:  # ::ffff:203.0.113.7 is 203.0.113.7
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))


class Throttle:
    """The counters for one sign-in attempt: an account (by its typed email) and an address."""

    def __init__(self, email: str, address: str):
        email = email.strip().lower()
        address = _client(address)
        generation = cache.get(_key("generation", email)) or ""
        self.pair = _key("pair", email, generation, address)
        self.address = _key("address", address)

    def attempt(self) -> int:
        """Count this attempt. Returns the seconds to wait when it is refused (the password
        must then not be checked), else 0."""
        wait = self._locked(self.pair) or self._locked(self.address)
        if wait:
            return wait
        if _increment(f"{self.pair}:tries", WINDOW) > ATTEMPTS:
            return self._lock_pair()
        if _increment(f"{self.address}:tries", ADDRESS_WINDOW) > ADDRESS_ATTEMPTS:
            return _lock(self.address, ADDRESS_WINDOW, f"{self.address}:tries")
        return 0

    def succeeded(self) -> None:
        cache.delete(f"{self.pair}:tries")
        with contextlib.suppress(ValueError):  # expired meanwhile
            cache.decr(f"{self.address}:tries")

    def _lock_pair(self) -> int:
        locks = _increment(f"{self.pair}:locks", LOCKS_REMEMBERED)
        length = min(LOCK * 2 ** min(locks - 1, 16), LOCK_MAX)
        return _lock(self.pair, length, f"{self.pair}:tries")

    @staticmethod
    def _locked(key: str) -> int:
        until = cache.get(f"{key}:until")
        return max(0, math.ceil(until - _now())) if until else 0


def _increment(key: str, lasts: timedelta) -> int:
    cache.add(key, 0, timeout=lasts.total_seconds())
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, timeout=lasts.total_seconds())
        return 1


def _lock(key: str, length: timedelta, counter: str) -> int:
    seconds = length.total_seconds()
    cache.set(f"{key}:until", _now() + seconds, timeout=seconds + 60)
    cache.delete(counter)
    return math.ceil(seconds)


def mailbox(email: str) -> str:
    """The inbox an address reaches, for limits on the emails sent to one: without case or
    a "+tag" (nell+1@example.org and nell+2@example.org land where nell@example.org does)."""
    local, _at, domain = email.strip().lower().rpartition("@")
    return f"{local.split('+')[0] or local}@{domain}"


def over_limit(kind: str, value: str, *, limit: int, lasts: timedelta) -> bool:
    """Count one more of `kind` for `value`; whether that passes `limit` within `lasts`."""
    return _increment(_key(kind, value), lasts) > limit


def forget_account(email: str) -> None:
    """After a password reset: a new generation, so that every pair of this account starts
    afresh, whatever address it was locked from."""
    cache.set(_key("generation", email.strip().lower()), secrets.token_hex(8), timeout=None)
