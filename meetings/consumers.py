"""The meeting socket: it authenticates, checks membership through the access functions,
relays the meeting's events, and passes commands to the same services the pages use, which
read the person's role again and refuse anyone who may not steer. It keeps no meeting state
of its own, and no right either: it checks again that its session and membership still hold
before every command, periodically before it relays, and whenever the person's access
changes (meetings/revocation.py), and closes when they no longer do.

Each socket follows in one language, read when it connects: the person's own, else (until
they choose one) what their browser's pages are in. Everything it sends is in that
language: the states of its language's group, and the answers to its commands. A person who
switches language reloads the page, which connects again."""

import json
from time import monotonic

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation.trans_real import parse_accept_lang_header

from accord import phrases
from accounts.language import chosen
from alliances import access, rules
from meetings import live, revocation, services
from meetings.models import Connection, Meeting, hash_token

# Close codes. static/accord/meeting.js stops reconnecting after 4403 and 4404 (the page
# then follows by polling, where every request is checked) and reconnects after any other,
# which checks access afresh.
SIGNED_OUT = 4401  # the session ended: sign-out, expiry, a new password
NO_LONGER_MEMBER = 4403  # the membership was removed
ACCESS_CHANGED = 4409  # the role changed: reconnect to follow with the new one

# Hellos (and pings) a socket may send: a few at once, then about one a second. A page
# sends one hello when it connects and a ping every 25 seconds; more is a client gone wrong
# or someone making the server work, and is ignored.
HELLO_BURST = 5
HELLO_PER_SECOND = 1.0

# A page's messages are a few dozen characters; anything much longer is not read.
MESSAGE_MAX_CHARS = 4096


class Budget:
    """A token bucket: at most `burst` at once, refilled at `per_second`."""

    def __init__(self, burst: int, per_second: float):
        self.burst, self.per_second = burst, per_second
        self.tokens, self.at = float(burst), monotonic()

    def take(self) -> bool:
        now = monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.per_second)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


def decoded(text_data) -> dict | None:
    """A message from a client as the object it must be, or None for anything else (a
    binary frame, text that is not JSON, JSON that is not an object, a message too long
    to be one of ours): a socket answers those with an error, never by failing."""
    if not isinstance(text_data, str) or len(text_data) > MESSAGE_MAX_CHARS:
        return None
    try:
        content = json.loads(text_data)
    except ValueError:
        return None
    return content if isinstance(content, dict) else None


@database_sync_to_async
def _seq(meeting_id: int) -> int:
    return Meeting.objects.values_list("seq", flat=True).get(pk=meeting_id)


@database_sync_to_async
def _shared_state(meeting_id: int, code: str) -> dict:
    return live.state_in(live.load(meeting_id), code)


@database_sync_to_async
def _projector_state(meeting_id: int) -> dict:
    return live.projector_state(live.load(meeting_id))


def socket_language(scope, user) -> str:
    """The language a person's socket follows in: the one they chose, else the one their
    pages are in (LocaleMiddleware's cookie, then Accept-Language), else the site's."""
    code = chosen(getattr(user, "language", None))
    if code:
        return code
    headers = dict(scope.get("headers") or [])
    cookies = headers.get(b"cookie", b"").decode("latin-1")
    for part in cookies.split(";"):
        name, _sep, value = part.strip().partition("=")
        if name == settings.LANGUAGE_COOKIE_NAME and chosen(value):
            return chosen(value)
    accepted = headers.get(b"accept-language", b"").decode("latin-1")
    for code, _quality in parse_accept_lang_header(accepted[:1000]):
        if chosen(code):
            return chosen(code)
    return settings.LANGUAGE_CODE


class MeetingConsumer(AsyncJsonWebsocketConsumer):
    meeting_id = None
    ended = False

    async def connect(self):
        kwargs = self.scope["url_route"]["kwargs"]
        self.user = self.scope.get("user")
        session = self.scope.get("session")
        self.session_key = session.session_key if session is not None else None
        self.checked_at = monotonic()
        found = await database_sync_to_async(self._find)(kwargs["slug"], int(kwargs["meeting_id"]))
        if found is None:
            await self.close(code=4404)
            return
        self.meeting_id, self.alliance_id = found
        self.language = socket_language(self.scope, self.user)
        self.hellos = Budget(HELLO_BURST, HELLO_PER_SECOND)
        # Join the groups before reading the state: a change committed in between would otherwise
        # never reach this socket.
        for group in self._groups():
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await database_sync_to_async(self._joined)()
        await self._send_state()
        await database_sync_to_async(live.broadcast_presence)(self.meeting_id)

    def _find(self, slug, meeting_id):
        if self.user is None or not self.user.is_authenticated:
            return None
        try:
            membership = access.get_membership(self.user, slug)
            return access.get_meeting(membership, meeting_id).pk, membership.alliance_id
        except Http404:
            return None

    def _joined(self):
        now = timezone.now()
        Connection.objects.update_or_create(
            channel_name=self.channel_name,
            defaults={
                "meeting_id": self.meeting_id,
                "user": self.user,
                "language": self.language,
                "last_seen": now,
            },
        )
        services.attend(meeting_id=self.meeting_id, user=self.user)

    # Whether the right still holds

    async def _still_allowed(self, *, now: bool = False) -> bool:
        """Check the session and the membership again (`now`, or when the last check is
        older than RECHECK_SECONDS); close the socket when they no longer hold."""
        if self.ended:
            return False
        if not now and monotonic() - self.checked_at < revocation.RECHECK_SECONDS:
            return True
        code = await database_sync_to_async(self._refusal)()
        self.checked_at = monotonic()
        if code:
            await self._end(code)
            return False
        return True

    def _refusal(self) -> int | None:
        """The close code if this socket's person may no longer follow the meeting."""
        if not revocation.still_signed_in(self.session_key, self.user.pk):
            return SIGNED_OUT
        if not rules.READ.allows(rules.current_membership(self.user, self.alliance_id)):
            return NO_LONGER_MEMBER
        return None

    async def _end(self, code: int) -> None:
        """Stop relaying the meeting at once, then close."""
        if self.ended:
            return
        self.ended = True
        await self._leave_groups()
        await database_sync_to_async(
            Connection.objects.filter(channel_name=self.channel_name).delete
        )()
        await self.close(code=code)

    def _groups(self) -> list[str]:
        return [
            live.group_name(self.meeting_id),
            live.language_group(self.meeting_id, self.language),
            revocation.person_group(self.user.pk),
        ]

    async def _leave_groups(self) -> None:
        for group in self._groups():
            await self.channel_layer.group_discard(group, self.channel_name)

    async def _send_state(self) -> None:
        await self.send_json(
            {"type": "state", **await _shared_state(self.meeting_id, self.language)}
        )

    async def _error(self, message) -> None:
        with translation.override(self.language):
            await self.send_json({"type": "error", "message": str(message)})

    async def access_changed(self, event):
        """The person's membership of some alliance changed or was removed."""
        if event["alliance"] != self.alliance_id or self.ended:
            return
        code = await database_sync_to_async(self._refusal)()
        # Still a member: close anyway, so that the page reconnects with the new role.
        await self._end(code or ACCESS_CHANGED)

    async def access_ended(self, event):
        """The person signed out of one session: close the sockets opened under it."""
        if event["session"] == revocation.session_digest(self.session_key):
            await self._end(SIGNED_OUT)

    async def access_check(self, event):
        """Something may have ended sessions (a new password): check this one now."""
        await self._still_allowed(now=True)

    # The connection's life

    async def disconnect(self, code):
        if self.meeting_id is None:
            return
        await self._leave_groups()
        await database_sync_to_async(
            Connection.objects.filter(channel_name=self.channel_name).delete
        )()
        await database_sync_to_async(live.broadcast_presence)(self.meeting_id)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        content = decoded(text_data)
        if content is None:
            if not self.ended:
                await self._error(_("Unknown message."))
            return
        await self.receive_json(content, **kwargs)

    async def receive_json(self, content, **kwargs):
        if self.ended:
            return
        kind = content.get("type")
        if kind == "hello":
            await self._hello(content)
        elif kind == "ping":
            if self.hellos.take() and await self._still_allowed():
                await database_sync_to_async(
                    Connection.objects.filter(channel_name=self.channel_name).update
                )(last_seen=timezone.now())
                await self.send_json({"type": "pong"})
        elif kind == "command":
            await self._command(content)
        else:
            await self._error(_("Unknown message."))

    async def _hello(self, content):
        # A client (re)connecting says the last sequence number it saw; if it missed
        # anything it gets the whole state (rendered once per number for everyone), else
        # nothing at all. Beyond a few a second, hellos are ignored.
        if not self.hellos.take() or not await self._still_allowed():
            return
        if content.get("seq") != await _seq(self.meeting_id):
            await self._send_state()

    async def _command(self, content):
        name = content.get("command")
        handler = services.COMMANDS.get(name) if isinstance(name, str) else None
        if handler is None:
            await self._error(_("Unknown command."))
            return
        # Every command checks the session now; the service then checks the role.
        if not await self._still_allowed(now=True):
            return

        def run():
            # What a refusal says, it says in the language of the person who asked.
            with translation.override(self.language):
                meeting = Meeting.objects.get(pk=self.meeting_id)
                # Asked first without the meeting's lock, as the console's view does: a
                # participant's commands are refused without making the room's moves and
                # answers wait on them. The service asks again under the lock.
                membership = rules.current_membership(self.user, self.alliance_id)
                if not rules.STEER.allows(membership, meeting):
                    raise services.MeetingError(str(rules.STEER.message))
                handler(meeting, self.user, content)

        try:
            await database_sync_to_async(run)()
        except services.NeedsConfirmation as question:
            await self.send_json(
                {"type": "confirm", "command": question.command, "message": str(question)}
            )
        except services.MeetingError as error:
            await self.send_json({"type": "error", "message": str(error)})
        except (TypeError, ValueError, OverflowError):  # timer minutes that are not a number
            await self._error(phrases.TIMER_MINUTES)

    # Relaying the meeting

    async def meeting_state(self, event):
        if await self._still_allowed():
            await self.send_json({"type": "state", **event["state"]})

    async def meeting_presence(self, event):
        if await self._still_allowed():
            await self.send_json({"type": "presence", "people": event["people"]})

    async def meeting_projector(self, event):
        # A person's socket follows their own session, not the projector's link.
        pass


class ProjectorConsumer(AsyncJsonWebsocketConsumer):
    """The room's screen: signed out, read-only, reachable only through a secret link that
    the facilitator can revoke (which closes this socket)."""

    meeting_id = None

    async def connect(self):
        self.token_hash = hash_token(self.scope["url_route"]["kwargs"]["token"])
        self.meeting_id = await database_sync_to_async(self._meeting_id)()
        if self.meeting_id is None:
            await self.close(code=4404)
            return
        self.hellos = Budget(HELLO_BURST, HELLO_PER_SECOND)
        # Groups first, then the state, as for a person's socket: no change falls between them.
        for group in self._groups():
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "state", **await _projector_state(self.meeting_id)})

    def _groups(self) -> list[str]:
        # Its states come in the projector's group, in its languages; the meeting's group
        # says when its link is revoked.
        return [live.group_name(self.meeting_id), live.projector_group(self.meeting_id)]

    def _meeting_id(self):
        meeting = Meeting.objects.filter(projector_token_hash=self.token_hash).first()
        return meeting.pk if meeting and self.token_hash else None

    async def disconnect(self, code):
        if self.meeting_id is not None:
            for group in self._groups():
                await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        content = decoded(text_data)
        if content is not None:  # anything else is not a projector's: passed over
            await self.receive_json(content, **kwargs)

    async def receive_json(self, content, **kwargs):
        if content.get("type") != "hello" or not self.hellos.take():
            return  # a projector sends no commands, and a few hellos at most
        if content.get("seq") != await _seq(self.meeting_id):
            await self.send_json({"type": "state", **await _projector_state(self.meeting_id)})

    async def meeting_state(self, event):
        # No check here: the screen has no session to end; its right ends when its link is
        # revoked (`meeting_projector`).
        await self.send_json({"type": "state", **event["state"]})

    async def meeting_presence(self, event):
        pass

    async def meeting_projector(self, event):
        if event["revoked"] == self.token_hash:
            await self.close(code=4403)
