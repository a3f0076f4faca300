"""Accord with experimental changes, switched on by environment variables, for measuring
what a change would gain before making it (docs/performance.md):

    make bench-live BENCH_ARGS="--app bench.experiments:application \
        --server-env ACCORD_EXPERIMENTS=relay,json-once"

- `relay`: the meeting socket relays group events (state, presence, projector) without
  first running `close_old_connections` in the database thread, which Channels does
  before every handler: they touch no database.
- `json-once`: a state event is encoded to JSON once per process, not once per socket
  (channels_redis hands the same event to every consumer of the process).

Not for production: these patch the consumer at import.
"""

import json
import os

from channels.consumer import get_handler_name

from accord.asgi import application
from meetings.consumers import MeetingConsumer

__all__ = ["application"]

EXPERIMENTS = set(filter(None, os.environ.get("ACCORD_EXPERIMENTS", "").split(",")))

if "relay" in EXPERIMENTS:
    dispatch = MeetingConsumer.dispatch

    async def relay(self, message):
        if message["type"].startswith("meeting."):
            return await getattr(self, get_handler_name(message))(message)
        return await dispatch(self, message)

    MeetingConsumer.dispatch = relay

if "json-once" in EXPERIMENTS:

    async def meeting_state(self, event):
        text = event.get("_text")
        if text is None:
            text = event["_text"] = json.dumps({"type": "state", **event["state"]})
        await self.send(text_data=text)

    MeetingConsumer.meeting_state = meeting_state
