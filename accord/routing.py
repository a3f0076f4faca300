"""WebSocket routes. Live meetings add theirs here."""

websocket_urlpatterns: list = []
