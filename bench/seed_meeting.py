"""Create a live meeting to drive from outside: an alliance, its facilitator, N members,
a review and a started meeting, with a signed-in session for each person.

Run against a dedicated database (DATABASE_URL); prints one JSON object:

    python -m bench.seed_meeting --participants 300 --agenda all
"""

import argparse
import datetime
import json
import os
import random


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=2)
    parser.add_argument(
        "--agenda",
        choices=["default", "all"],
        default="default",
        help="the review's default agenda (two components) or all of them",
    )
    parser.add_argument(
        "--spanish", type=float, default=0.0, help="the share of participants who read Spanish"
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    # after DJANGO_SETTINGS_MODULE is set: django.setup() below reads it
    import django

    django.setup()
    print(json.dumps(seed(args.participants, args.agenda, args.spanish)))


def seed(participants: int, agenda: str, spanish: float = 0.0) -> dict:
    # after django.setup() in `main`: the models need the apps ready
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import connection, transaction
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from accounts.models import User
    from alliances.models import Membership, Partner, Role
    from alliances.services import create_alliance
    from meetings import services
    from reviews.framework import framework
    from reviews.services import start_review

    if connection.vendor == "postgresql":
        # Meeting ids start somewhere random, so that two runs sharing a Redis database
        # never share a channel group (group names carry the meeting id).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('meetings_meeting', 'id'), %s)",
                [random.randint(10_000, 2_000_000_000)],  # noqa: S311 (not a secret)
            )

    def person(name, email, language=""):
        return User(email=email, name=name, password=make_password(None), language=language)

    def language(n):  # every k-th participant reads Spanish, spread through the room
        return "es" if spanish and n % round(1 / spanish) == 0 else ""

    with transaction.atomic():
        carol = User.objects.create_user("carol@live.example", None, name="Carol Coordinator")
        alliance = create_alliance(
            name="Live Alliance",
            community="Live County",
            purpose="Keep the meeting alive.",
            creator=carol,
        )
        partners = Partner.objects.bulk_create(
            Partner(alliance=alliance, name=f"Partner {n + 1}") for n in range(10)
        )
        fiona, olga = User.objects.bulk_create(
            [
                person("Fiona Facilitator", "fiona@live.example"),
                person("Olga Outsider", "olga@live.example"),
            ]
        )
        members = User.objects.bulk_create(
            person(f"Member {n + 1}", f"member{n + 1}@live.example", language(n))
            for n in range(participants)
        )
        Membership.objects.create(alliance=alliance, user=fiona, role=Role.FACILITATOR)
        Membership.objects.bulk_create(
            Membership(
                alliance=alliance, user=user, role=Role.MEMBER, partner=partners[n % len(partners)]
            )
            for n, user in enumerate(members)
        )
        review = start_review(
            alliance=alliance,
            name="Live review",
            started_on=datetime.date.today(),
            author=fiona,
        )
        keys = framework().keys() if agenda == "all" else services.default_agenda(review)
        meeting = services.plan_meeting(
            review=review,
            agenda=keys,
            author=fiona,
            starts_at=timezone.now(),
            facilitator=fiona,
        )

        expires = timezone.now() + datetime.timedelta(days=1)
        store = SessionStore()
        sessions = {}

        def session_for(user):
            key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
            data = {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                HASH_SESSION_KEY: user.get_session_auth_hash(),
            }
            sessions[key] = Session(
                session_key=key, session_data=store.encode(data), expire_date=expires
            )
            return key

        result = {
            "slug": alliance.slug,
            "meeting": meeting.pk,
            "facilitator": session_for(fiona),
            "outsider": session_for(olga),
            "participants": [session_for(user) for user in members],
            "phases": meeting.phases.count(),
        }
        Session.objects.bulk_create(sessions.values())
    services.start(meeting=meeting, actor=fiona)
    return result


if __name__ == "__main__":
    main()
