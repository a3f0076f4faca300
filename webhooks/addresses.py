"""Which addresses a webhook may reach: never the server's own network, unless the site's
staff allow it.

A webhook's address is checked when it is saved and again before every delivery (DNS may
have changed in between): only http and https; https unless the address is on a network
the staff allow (`WEBHOOK_ALLOWED_PRIVATE_NETWORKS`); the host is resolved, and every one
of its addresses must be on the public internet (not loopback, private, link-local,
shared, reserved, multicast or unspecified, nor an IPv6 form of one: IPv4-mapped, 6to4,
Teredo) or on an allowed network. The connection then goes to an address checked here
(`Target.addresses`), so that the name cannot be made to point elsewhere between the check
and the connection (webhooks/sending.py).
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


# What a URI's path and query may hold as they are (RFC 3986), besides letters, digits and
# -._~, which are never encoded, and %, which keeps what is encoded already.
_URI_CHARACTERS = "!$&'()*+,;=:@/?%"


class Refused(Exception):
    """The address may not be used; the message says why, for the person who typed it."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    # The path and query to ask for.
    path: str
    # The checked addresses of the host, in the order the resolver gave them.
    addresses: tuple[str, ...]


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [
        ipaddress.ip_network(cidr, strict=False)
        for cidr in settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS
    ]


def _embedded(ip: Address) -> list[Address]:
    """The IPv4 addresses an IPv6 address carries (and reaches through)."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return []
    found = [ip.ipv4_mapped, ip.sixtofour]
    if ip.teredo:
        found.extend(ip.teredo)
    # IPv4-compatible (::a.b.c.d, deprecated) and NAT64 (64:ff9b::/96) forms.
    if int(ip) >> 32 == 0 or ip in ipaddress.ip_network("64:ff9b::/96"):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return [address for address in found if address is not None]


def is_public(ip: Address) -> bool:
    """Whether `ip`, and every address it carries, is on the public internet."""
    return all(address.is_global and not address.is_multicast for address in [ip, *_embedded(ip)])


def is_allowed(ip: Address, networks=None) -> bool:
    """Whether `ip` is public, or on a network the site's staff allow."""
    networks = allowed_networks() if networks is None else networks
    if any(ip in network for network in networks):
        return True
    mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
    if mapped is not None and any(mapped in network for network in networks):
        return True
    return is_public(ip)


def _resolve(host: str, port: int) -> list[str]:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise Refused(_("No address was found for this host. Check the address.")) from None
    # The zone of a link-local IPv6 address (fe80::1%eth0) is no part of the address.
    return list(dict.fromkeys(info[4][0].split("%")[0] for info in found))


def check(url: str) -> Target:
    """The target of `url`, every address of its host checked; Refused says why not."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise Refused(_("Enter a valid address.")) from None
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise Refused(_("The address must start with https://."))
    if parts.username is not None or parts.password is not None:
        raise Refused(_("Leave the user name and password out of the address."))
    host = parts.hostname
    if not host:
        raise Refused(_("Enter a valid address."))
    port = port or (443 if scheme == "https" else 80)
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        addresses = _resolve(host, port)
    else:
        addresses = [str(literal)]
    networks = allowed_networks()
    ips = [ipaddress.ip_address(address) for address in addresses]
    if not ips or not all(is_allowed(ip, networks) for ip in ips):
        raise Refused(
            _(
                "This address is on a private network (or is this server itself); ask the "
                "site's staff to allow it."
            )
        )
    if scheme == "http" and not all(any(ip in n for n in networks) for ip in ips):
        raise Refused(
            _(
                "The address must start with https://: the events and their signature would "
                "otherwise cross the internet unencrypted."
            )
        )
    # A request line is ASCII: what else the address holds (an IRI's letters, a control
    # character) is percent-encoded as a browser would, and what is encoded already stays.
    path = quote(parts.path or "/", safe=_URI_CHARACTERS)
    if parts.query:
        path += "?" + quote(parts.query, safe=_URI_CHARACTERS)
    return Target(scheme, host, port, path, tuple(addresses))
