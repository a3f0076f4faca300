"""Sealing answers while their round is open.

An answer taken into an open round is written as one opaque blob (`SealedAnswer`): the
rating, the written answers and, in a named review only, the author, encrypted with
AES-GCM under a random nonce, so that two equal answers give unrelated blobs. The key is
derived from `settings.SECRET_KEY`, which never lives in the database: whoever reads the
database, a backup of it or its pages sees that someone answered (a participation), and a
blob of a fixed size for the round that nobody can read without the server's secret.

When the round closes, `ratings.services.settle` opens the blobs and writes the answers
once, shuffled, as `Rating` and `Reflection` rows, and deletes the blobs.
"""

import json
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

# A new label gives a new key: change it only with a way to open what was sealed before.
_LABEL = b"accord: sealed answers of open rounds, v1"
_NONCE_BYTES = 12
# Every blob of a round has the same size, whatever was written: 256 bytes for the rating
# and the author, and a slot per question wide enough for the longest answer once encoded
# (REFLECTION_MAX_LENGTH characters, each at most 6 bytes as escaped JSON). Otherwise the
# size of a new blob, seen between two answers, would tell how much its author wrote.
_BASE_BYTES = 256
_SLOT_BYTES = 12_288


class SealError(Exception):
    """A blob that no key of this server opens (another server's, or tampered with)."""


@dataclass(frozen=True)
class Opened:
    rating: int
    reflections: tuple[tuple[int, str], ...]  # (question id, text)
    author_id: int | None


def _key(secret: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_LABEL).derive(
        secret.encode()
    )


def _bound_to(round_id: int) -> bytes:
    # The round is authenticated with the blob: a blob copied into another round's rows
    # does not open there.
    return f"round {round_id}".encode()


def seal(
    *, round_id: int, rating: int, reflections: dict[int, str], author_id: int | None, slots: int
) -> bytes:
    """`slots`: how many questions the round asks, the same for everyone who answers it."""
    payload = json.dumps(
        {"r": rating, "a": author_id, "t": sorted(reflections.items())},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    size = _BASE_BYTES + _SLOT_BYTES * max(slots, len(reflections))
    padded = payload + b" " * max(size - len(payload), 0)
    nonce = os.urandom(_NONCE_BYTES)
    return nonce + AESGCM(_key(settings.SECRET_KEY)).encrypt(nonce, padded, _bound_to(round_id))


def open_blob(blob: bytes, *, round_id: int) -> Opened:
    """Open with the current key, or one of SECRET_KEY_FALLBACKS (a key rotated while a
    round was open still opens its answers)."""
    blob = bytes(blob)
    nonce, sealed = blob[:_NONCE_BYTES], blob[_NONCE_BYTES:]
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        try:
            plain = AESGCM(_key(secret)).decrypt(nonce, sealed, _bound_to(round_id))
        except InvalidTag:
            continue
        data = json.loads(plain)
        return Opened(
            rating=data["r"],
            reflections=tuple((q, text) for q, text in data["t"]),
            author_id=data["a"],
        )
    raise SealError(f"A sealed answer of round {round_id} opens with no key of this server.")
