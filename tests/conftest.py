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
