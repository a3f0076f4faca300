import pytest
from django.urls import reverse

from accord import health


@pytest.mark.django_db
def test_healthz_answers_ok_when_database_and_channel_layer_answer(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "channel_layer": "ok"}
    assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_when_the_channel_layer_is_unreachable(client, settings):
    # A real Redis layer pointed at a port where nothing listens.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": "redis://127.0.0.1:1", "socket_timeout": 1}]},
        }
    }
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    try:
        response = client.get(reverse("healthz"))
    finally:
        channel_layers.backends.clear()
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "ok",
        "channel_layer": "unavailable",
    }


def test_healthz_reports_an_unreachable_database(monkeypatch, rf):
    monkeypatch.setattr(health, "channel_layer_ok", lambda: True)
    # No django_db mark: pytest-django blocks the database, as a dead server would.
    response = health.healthz(rf.get("/healthz"))
    assert response.status_code == 503
    assert b'"database": "unavailable"' in response.content


def test_healthz_refuses_post(client):
    assert client.post(reverse("healthz")).status_code == 405
