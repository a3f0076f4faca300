"""The fixtures every test may ask for by name: the personas and their alliance.

The Harvest alliance: Carol coordinates (Food Bank), Fiona facilitates from outside,
Mia is a member (Community Kitchen), Otto observes. Olga coordinates another alliance,
Riverside, and must never see anything of Harvest.

Only fixtures live here; the functions that make rows are in tests/factories.py.
"""

import copy
import datetime
import uuid

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from alliances.models import Membership, Role
from meetings import live
from meetings import services as meetings
from tests.access_matrix import build_ctx
from tests.factories import (
    add_member,
    make_alliance,
    make_commitment,
    make_meeting,
    make_partner,
    make_review,
    make_user,
)
from tests.smtp import Keeper, LoopbackController, closed_port, point_django_at
from tests.sockets import STARTS
from tests.webhook_receiver import LoopbackReceiver, Receiver


@pytest.fixture
def carol(db):
    return make_user("Carol Coordinator", "carol@example.org")


@pytest.fixture
def alliance(carol):
    return make_alliance(carol)


@pytest.fixture
def food_bank(alliance, carol):
    partner = make_partner(alliance, "Food Bank")
    Membership.objects.filter(alliance=alliance, user=carol).update(partner=partner)
    return partner


@pytest.fixture
def kitchen(alliance):
    return make_partner(alliance, "Community Kitchen")


@pytest.fixture
def fiona(alliance):
    user = make_user("Fiona Facilitator", "fiona@example.org")
    add_member(alliance, user, Role.FACILITATOR)
    return user


@pytest.fixture
def mia(alliance, kitchen):
    user = make_user("Mia Member", "mia@example.org")
    add_member(alliance, user, Role.MEMBER, kitchen)
    return user


@pytest.fixture
def otto(alliance):
    user = make_user("Otto Observer", "otto@example.org")
    add_member(alliance, user, Role.OBSERVER)
    return user


@pytest.fixture
def olga(db):
    user = make_user("Olga Outsider", "olga@example.org")
    make_alliance(user, "Riverside Alliance", community="Riverside", purpose="Housing.")
    return user


@pytest.fixture
def people(carol, fiona, mia, otto, olga, food_bank):
    return {"carol": carol, "fiona": fiona, "mia": mia, "otto": otto, "olga": olga}


@pytest.fixture
def review(alliance, fiona):
    return make_review(alliance, fiona)


# Appended for the view tests (access, accounts, alliances, reviews).


@pytest.fixture
def fast_passwords(settings):
    """Argon2 takes about 0.4 s a hash here; tests that do not check hashing use a fast one."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]


@pytest.fixture
def commitment(review, kitchen, mia):
    return make_commitment(
        review,
        "Share the pantry schedule with every partner",
        datetime.date(2027, 4, 30),
        author=mia,
        partner=kitchen,
        owner=mia,
    )


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded files go to a folder of the test's own, removed with it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _empty_cache():
    """Pages cached by one test must not be served to the next (ids are reused between
    tests on SQLite, and a cache key is made of ids)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def channel_layer(settings):
    """A channel layer for this test alone: a fresh in-memory one, or on Redis a prefix
    nobody else uses, so that no event of another test or server process arrives here.
    The socket tests use it (`pytest.mark.usefixtures`)."""
    layers = copy.deepcopy(settings.CHANNEL_LAYERS)
    if "redis" in layers["default"]["BACKEND"].lower():
        layers["default"]["CONFIG"]["prefix"] = f"accord-test-{uuid.uuid4().hex}"
    settings.CHANNEL_LAYERS = layers
    yield
    async_to_sync(get_channel_layer().flush)()


@pytest.fixture
def running(people, review):
    """A live meeting started by fiona, who facilitates; mia keeps the notes (the socket
    tests' meeting; a module may define its own `running`)."""
    meeting = make_meeting(review, people["fiona"], starts_at=STARTS, recorder=people["mia"])
    meetings.start(meeting=meeting, actor=people["fiona"])
    return live.load(meeting.pk)  # with its alliance, for the socket's path


@pytest.fixture
def ctx(people, alliance, food_bank, kitchen, review, commitment, media_root):
    """The access matrix's alliance (tests/access_matrix.py): Harvest with a row of every
    kind its views show."""
    return build_ctx(
        people=people,
        alliance=alliance,
        food_bank=food_bank,
        kitchen=kitchen,
        review=review,
        commitment=commitment,
    )


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free loopback port, which keeps what it receives
    (`smtp_server.received`); every email the test sends goes to it through Django's SMTP
    backend."""
    keeper = Keeper()
    controller = LoopbackController(keeper)
    controller.start()
    keeper.port = controller.port
    point_django_at(settings, controller.port)
    yield keeper
    controller.stop()


@pytest.fixture
def smtp_down(settings):
    """No SMTP server: the configured port refuses every connection."""
    sock = closed_port()
    point_django_at(settings, sock.getsockname()[1])
    yield
    sock.close()


@pytest.fixture
def webhook_receiver(settings):
    """A real HTTP receiver on a free loopback port (tests/webhook_receiver.py), which keeps
    what it receives; the site's staff allow loopback, so that Accord may reach it, and a
    receiver gets 1 s to answer."""
    receiver = Receiver()
    server = LoopbackReceiver(receiver)
    server.start()
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = ["127.0.0.1/32"]
    settings.WEBHOOK_TIMEOUT = 1
    yield receiver
    server.close()
