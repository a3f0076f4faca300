"""Named personas and small factories shared by the tests.

The Harvest alliance: Carol coordinates (Food Bank), Fiona facilitates from outside,
Mia is a member (Community Kitchen), Otto observes. Olga coordinates another alliance,
Riverside, and must never see anything of Harvest.
"""

import datetime

import pytest

from accounts.models import User
from alliances.models import Alliance, Membership, Partner, Role
from alliances.services import create_alliance
from reviews.services import start_review

PASSWORD = "correct horse battery staple"


def make_user(name: str, email: str) -> User:
    return User.objects.create_user(email, PASSWORD, name=name)


def add_member(alliance: Alliance, user: User, role: str, partner: Partner | None = None):
    return Membership.objects.create(alliance=alliance, user=user, role=role, partner=partner)


def make_partner(alliance: Alliance, name: str, **fields) -> Partner:
    return Partner.objects.create(alliance=alliance, name=name, **fields)


@pytest.fixture
def carol(db):
    return make_user("Carol Coordinator", "carol@example.org")


@pytest.fixture
def alliance(carol):
    alliance = create_alliance(
        name="Harvest Alliance",
        community="Families in Harvest County",
        purpose="End hunger in Harvest County.",
        creator=carol,
    )
    return alliance


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
    create_alliance(
        name="Riverside Alliance", community="Riverside", purpose="Housing.", creator=user
    )
    return user


@pytest.fixture
def people(carol, fiona, mia, otto, olga, food_bank):
    return {"carol": carol, "fiona": fiona, "mia": mia, "otto": otto, "olga": olga}


@pytest.fixture
def review(alliance, fiona):
    return start_review(
        alliance=alliance,
        name="Spring 2027 review",
        started_on=datetime.date(2027, 3, 1),
        author=fiona,
    )


# Appended for the view tests (access, accounts, alliances, reviews).


@pytest.fixture
def fast_passwords(settings):
    """Argon2 takes about 0.4 s a hash here; tests that do not check hashing use a fast one."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]


def make_invitation(alliance: Alliance, email: str, role: str, partner=None, invited_by=None):
    """An invitation and its token (the link's secret), as `alliances.services.invite` makes
    them, without the email."""
    from alliances.models import Invitation

    invitation = Invitation(
        alliance=alliance, email=email, role=role, partner=partner, invited_by=invited_by
    )
    token = invitation.issue_token()
    invitation.save()
    return invitation, token


@pytest.fixture
def commitment(review, kitchen, mia):
    from history.services import create_with_history
    from reviews.models import Commitment

    commitment = Commitment(
        alliance=review.alliance,
        review=review,
        component_key="purpose",
        description="Share the pantry schedule with every partner",
        partner=kitchen,
        owner=mia,
        due_on=datetime.date(2027, 4, 30),
        created_by=mia,
    )
    create_with_history(commitment, alliance=review.alliance, author=mia)
    return commitment


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
