"""When a right ends, the meeting sockets that relied on it close.

A socket is checked once, when it opens, and may then stay open for hours: the session it
opened with can end (sign-out, expiry, a password change, an administrator deleting it) and
the person's membership can change or go. Each meeting socket therefore joins its person's
group on the channel layer, which every server process shares through Redis. A change of
membership, a sign-out or a new password sends a message to that group, and each of the
person's sockets checks again and closes if its right has ended. The socket also checks
again before every command and, at most every `RECHECK_SECONDS`, before it relays
anything, so that a lost message, or a session that simply expired, cannot leave a meeting
open to someone for longer than that. (A membership changed by a queryset's `update()`
sends no signal: its sockets stay open, but every command is still refused by the role.)
"""

import hashlib
import logging
from importlib import import_module

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils.crypto import constant_time_compare

from alliances.models import Membership

RECHECK_SECONDS = 10

logger = logging.getLogger(__name__)


def person_group(user_id: int) -> str:
    return f"access.person.{user_id}"


def session_digest(session_key: str | None) -> str:
    """Names a session in messages without putting its key (a bearer secret) on the layer."""
    return hashlib.sha256((session_key or "").encode()).hexdigest()


def _tell(user_id: int, message: dict) -> None:
    try:
        async_to_sync(get_channel_layer().group_send)(person_group(user_id), message)
    except Exception:  # a channel layer that is down must not stop a sign-out
        # The sockets still check on their own within RECHECK_SECONDS.
        logger.exception("Could not tell the sockets of person %s to check access", user_id)


def _tell_on_commit(user_id: int, message: dict) -> None:
    # After commit: a socket that checks at once must see the change, and a change rolled
    # back must close nothing.
    transaction.on_commit(lambda: _tell(user_id, message))


# What a socket checks


def still_signed_in(session_key: str | None, user_id: int) -> bool:
    """Whether the session is still alive and still this person's, as Django's own check
    on each request sees it: not signed out, not expired, not ended by a new password, the
    account still active. Unlike `django.contrib.auth.get_user`, it never changes the
    session (a socket must not sign anyone out)."""
    if not session_key:
        return False
    data = import_module(settings.SESSION_ENGINE).SessionStore(session_key).load()
    backend_path = data.get(auth.BACKEND_SESSION_KEY)
    if data.get(auth.SESSION_KEY) != str(user_id):
        return False
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return False
    user = auth.load_backend(backend_path).get_user(user_id)
    stored = data.get(auth.HASH_SESSION_KEY)
    if user is None or not stored:
        return False
    hashes = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
    return any(constant_time_compare(stored, expected) for expected in hashes)


# What tells the sockets to check


def membership_changed(sender, instance: Membership, created: bool = False, **kwargs) -> None:
    if not created:  # a new membership ends nobody's right
        message = {"type": "access.changed", "alliance": instance.alliance_id}
        _tell_on_commit(instance.user_id, message)


def signed_out(sender, request, user, **kwargs) -> None:
    if user is not None and request is not None:
        # Django flushes the session just after this signal: the message names the session
        # that ends, so that the person's sockets in other browsers stay open.
        digest = session_digest(request.session.session_key)
        # At once, not on commit: the sockets only compare this digest; they read no rows.
        _tell(user.pk, {"type": "access.ended", "session": digest})


def password_saved(sender, instance, created: bool = False, **kwargs) -> None:
    # `_password` holds the new password from `set_password` until `save` has finished:
    # it is set here only when the password changed, which ends every other session.
    if not created and getattr(instance, "_password", None) is not None:
        _tell_on_commit(instance.pk, {"type": "access.check"})


def connect() -> None:
    """Called once, from the app's `ready`."""
    post_save.connect(membership_changed, sender=Membership, dispatch_uid="access-membership")
    post_delete.connect(membership_changed, sender=Membership, dispatch_uid="access-removed")
    user_logged_out.connect(signed_out, dispatch_uid="access-signed-out")
    post_save.connect(password_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid="access-pw")
