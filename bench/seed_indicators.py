"""Seed an alliance with many indicators, for `bench/indicators.py`.

Run against a dedicated database (DATABASE_URL); prints one JSON object: the alliance's
slug, the id of the indicator with the long history, a signed-in session key and a
CSRF cookie.

    python -m bench.seed_indicators --indicators 50 --values 200 --long 10000
"""

import argparse
import datetime
import json
import os
import random
from decimal import Decimal
from importlib import import_module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--indicators", type=int, default=50)
    parser.add_argument("--values", type=int, default=200)
    parser.add_argument("--long", type=int, default=10_000, help="values of the long one")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    # after DJANGO_SETTINGS_MODULE is set: django.setup() below reads it
    import django

    django.setup()
    print(json.dumps(seed(args.indicators, args.values, args.long)))


def _series(count: int, start: float, step: float, rng: random.Random):
    """`count` daily values from today back, a noisy line."""
    today = datetime.date.today()
    for n in range(count):
        day = today - datetime.timedelta(days=count - 1 - n)
        yield day, Decimal(str(round(start + step * n + rng.uniform(-5, 5), 2)))


def seed(indicators: int, values: int, long: int) -> dict:
    # after django.setup() in `main`: the models need the apps ready
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import transaction
    from django.utils.crypto import get_random_string

    from accounts.models import User
    from alliances.models import Partner
    from alliances.services import create_alliance
    from indicators.models import Breakdown, Indicator, Value
    from registers.models import Goal

    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore  # noqa: N806
    rng = random.Random(7)  # noqa: S311 (not a secret: the same data every run)
    today = datetime.date.today()
    with transaction.atomic():
        user = User.objects.create_user("carol@bench.example", None, name="Carol Coordinator")
        alliance = create_alliance(
            name="Bench Alliance", community="Bench County", purpose="Measure.", creator=user
        )
        partner = Partner.objects.create(alliance=alliance, name="Partner 1")
        goals = [
            Goal.objects.create(alliance=alliance, statement=f"Goal {n + 1}", status="agreed")
            for n in range(5)
        ]
        rows = []
        made = []
        for n in range(indicators + 1):
            count = long if n == indicators else values
            indicator = Indicator.objects.create(
                alliance=alliance,
                name=f"Indicator {n + 1:02d}" if n < indicators else "The long one",
                unit="people",
                baseline_value=Decimal(100),
                baseline_date=today - datetime.timedelta(days=count),
                target_value=Decimal(100 + count),
                target_date=today + datetime.timedelta(days=365),
                responsible=partner,
                breakdown_label="county" if n % 5 == 0 else "",
            )
            indicator.goals.add(goals[n % len(goals)])
            made.append(indicator)
            rows += [
                Value(indicator=indicator, date=day, value=value, reported_by=user)
                for day, value in _series(count, 100, 1, rng)
            ]
            if n % 5 == 0:  # one in five has two breakdowns with values of their own
                for name in ("North", "South"):
                    part = Breakdown.objects.create(indicator=indicator, name=name)
                    rows += [
                        Value(indicator=indicator, breakdown=part, date=day, value=value)
                        for day, value in _series(min(count, values), 50, 0.5, rng)
                    ]
        Value.objects.bulk_create(rows, batch_size=2000)

        session = SessionStore()
        session.update(
            {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                HASH_SESSION_KEY: user.get_session_auth_hash(),
            }
        )
        session.create()
    return {
        "slug": alliance.slug,
        "long": made[-1].pk,
        "session": session.session_key,
        # A browser holds a CSRF cookie after its first page; the clients send this one.
        "csrf": get_random_string(32),
        "values": len(rows),
    }


if __name__ == "__main__":
    main()
