"""The meeting socket: it authenticates, checks membership through the access functions,
relays the meeting's events, and passes commands to the same services the pages use, which
refuse anyone who may not steer. It keeps no meeting state of its own."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances import access
from meetings import live, services
from meetings.models import Attendance, Connection, Meeting, hash_token

COMMANDS = {
    "advance": lambda meeting, user, _data: services.advance(meeting=meeting, actor=user),
    "back": lambda meeting, user, _data: services.go_back(meeting=meeting, actor=user),
    "next_item": lambda meeting, user, _data: services.next_item(meeting=meeting, actor=user),
    "previous_item": lambda meeting, user, _data: services.next_item(
        meeting=meeting, actor=user, step=-1
    ),
    "timer": lambda meeting, user, data: services.set_timer(
        meeting=meeting, actor=user, minutes=int(data["minutes"]) if data.get("minutes") else None
    ),
    "start": lambda meeting, user, _data: services.start(meeting=meeting, actor=user),
}


@database_sync_to_async
def _seq(meeting_id: int) -> int:
    return Meeting.objects.values_list("seq", flat=True).get(pk=meeting_id)


class MeetingConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        kwargs = self.scope["url_route"]["kwargs"]
        self.user = self.scope.get("user")
        self.meeting_id = await database_sync_to_async(self._meeting_id)(
            kwargs["slug"], int(kwargs["meeting_id"])
        )
        if self.meeting_id is None:
            await self.close(code=4404)
            return
        await self.channel_layer.group_add(live.group_name(self.meeting_id), self.channel_name)
        await self.accept()
        await database_sync_to_async(self._joined)()
        await self.send_json({"type": "state", **await self._state()})
        await database_sync_to_async(live.broadcast_presence)(self.meeting_id)

    def _meeting_id(self, slug, meeting_id):
        if self.user is None or not self.user.is_authenticated:
            return None
        try:
            membership = access.get_membership(self.user, slug)
            return access.get_meeting(membership, meeting_id).pk
        except Http404:
            return None

    def _joined(self):
        now = timezone.now()
        Connection.objects.update_or_create(
            channel_name=self.channel_name,
            defaults={"meeting_id": self.meeting_id, "user": self.user, "last_seen": now},
        )
        Attendance.objects.get_or_create(meeting_id=self.meeting_id, user=self.user)

    async def _state(self):
        return await database_sync_to_async(lambda: live.state(live.load(self.meeting_id)))()

    async def disconnect(self, code):
        if getattr(self, "meeting_id", None) is None:
            return
        await self.channel_layer.group_discard(live.group_name(self.meeting_id), self.channel_name)
        await database_sync_to_async(
            Connection.objects.filter(channel_name=self.channel_name).delete
        )()
        await database_sync_to_async(live.broadcast_presence)(self.meeting_id)

    async def receive_json(self, content, **kwargs):
        kind = content.get("type")
        if kind == "hello":
            # A client (re)connecting says the last sequence number it saw; if it missed
            # anything it gets the whole state (small), else nothing is rendered at all.
            if content.get("seq") != await _seq(self.meeting_id):
                await self.send_json({"type": "state", **await self._state()})
        elif kind == "ping":
            await database_sync_to_async(
                Connection.objects.filter(channel_name=self.channel_name).update
            )(last_seen=timezone.now())
            await self.send_json({"type": "pong"})
        elif kind == "command":
            await self._command(content)
        else:
            await self.send_json({"type": "error", "message": "Unknown message."})

    async def _command(self, content):
        handler = COMMANDS.get(content.get("command"))
        if handler is None:
            await self.send_json({"type": "error", "message": "Unknown command."})
            return

        def run():
            meeting = Meeting.objects.get(pk=self.meeting_id)
            handler(meeting, self.user, content)

        try:
            await database_sync_to_async(run)()
        except services.MeetingError as error:
            await self.send_json({"type": "error", "message": str(error)})
        except (TypeError, ValueError):  # timer minutes that are not a number
            message = _("A timer runs from 1 to 180 minutes.")
            await self.send_json({"type": "error", "message": message})

    async def meeting_state(self, event):
        await self.send_json({"type": "state", **event["state"]})

    async def meeting_presence(self, event):
        await self.send_json({"type": "presence", "people": event["people"]})

    async def meeting_projector(self, event):
        pass


class ProjectorConsumer(AsyncJsonWebsocketConsumer):
    """The room's screen: signed out, read-only, reachable only through a secret link that
    the facilitator can revoke (which closes this socket)."""

    async def connect(self):
        self.token_hash = hash_token(self.scope["url_route"]["kwargs"]["token"])
        self.meeting_id = await database_sync_to_async(self._meeting_id)()
        if self.meeting_id is None:
            await self.close(code=4404)
            return
        await self.channel_layer.group_add(live.group_name(self.meeting_id), self.channel_name)
        await self.accept()
        state = await database_sync_to_async(lambda: live.state(live.load(self.meeting_id)))()
        await self.send_json({"type": "state", **state})

    def _meeting_id(self):
        meeting = Meeting.objects.filter(projector_token_hash=self.token_hash).first()
        return meeting.pk if meeting and self.token_hash else None

    async def disconnect(self, code):
        if getattr(self, "meeting_id", None) is not None:
            await self.channel_layer.group_discard(
                live.group_name(self.meeting_id), self.channel_name
            )

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "hello" and content.get("seq") != await _seq(self.meeting_id):
            state = await database_sync_to_async(lambda: live.state(live.load(self.meeting_id)))()
            await self.send_json({"type": "state", **state})
        # A projector sends no commands.

    async def meeting_state(self, event):
        await self.send_json({"type": "state", **event["state"]})

    async def meeting_presence(self, event):
        pass

    async def meeting_projector(self, event):
        if event["revoked"] == self.token_hash:
            await self.close(code=4403)
