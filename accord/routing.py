"""WebSocket routes: the live meeting, and the room's projector."""

from django.urls import path

from meetings.consumers import MeetingConsumer, ProjectorConsumer

websocket_urlpatterns = [
    path("ws/a/<slug:slug>/meetings/<int:meeting_id>/", MeetingConsumer.as_asgi()),
    path("ws/projector/<str:token>/", ProjectorConsumer.as_asgi()),
]
