"""Seed an installation with many alliances, one of which has ten years of history, for
`bench/history.py`.

The big alliance (12 partners, 30 people) lived 20 reviews, one every six months: each
review ran three meetings (two components each, opened, rated and recorded by the meetings
themselves, with log entries and attendance), took 100 commitments (their status said in
the next review), and added five goals; 50 indicators have 500 weekly values each. Every row
goes through the services that write it for a person (start_review, the meeting's
commands, create_with_history, add_values...), so pages render as for real data, and its
dates are moved back to when the story happened. The other alliances are small: a few
partners, people, goals and commitments, and a review.

Run against a dedicated database (DATABASE_URL); prints one JSON object: the alliance's
slug and the ids its pages need, and a signed-in session of one of its members.

    python -m bench.seed_history --alliances 200 --scale 1
"""

import argparse
import datetime
import json
import os
import random
import time
from decimal import Decimal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--alliances", type=int, default=200, help="the big one included")
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="share of the big alliance's history (reviews, commitments, goals, indicators)",
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    # after DJANGO_SETTINGS_MODULE is set: django.setup() below reads it
    import django

    django.setup()
    # The services email invitations and check-ins: none must reach a console or a server.
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    print(json.dumps(seed(args.alliances, args.scale)))


REVIEWS = 20
MEETINGS_AGENDAS = (["purpose", "power"], ["interdependence", "trust"], ["control", "indicators"])
COMMITMENTS_PER_REVIEW = 100
GOALS_PER_REVIEW = 5
INDICATORS = 50
VALUES = 500
PARTNERS = 12
PEOPLE = 30
# Who answers in a meeting's reflect phase (partners' people), in the reviews that rate.
ANSWERING = 6


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    # after django.setup(): timezone reads the settings
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour))


class _Story:
    """Moves the rows written since the last mark back to when they happened (the demo's
    way, records/management/commands/seed_demo.py)."""

    def __init__(self):
        self.mark = self._last()

    @staticmethod
    def _last() -> int:
        # after django.setup() in `main`: the models need the apps ready
        from django.db.models import Max

        from history.models import Revision

        return Revision.objects.aggregate(last=Max("id"))["last"] or 0

    def happened(self, alliance, when) -> None:
        # after django.setup() in `main`: the models need the apps ready
        from history.models import Revision

        Revision.objects.filter(alliance=alliance, id__gt=self.mark).update(created_at=when)
        self.mark = self._last()


def seed(alliances: int, scale: float = 1.0) -> dict:  # noqa: PLR0915 (one story, told in order)
    # after django.setup() in `main`: the models need the apps ready
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from accounts.models import User
    from alliances.models import Membership, Partner, Role
    from alliances.services import add_partner, create_alliance
    from history.models import Revision
    from history.services import change_with_history, create_with_history
    from indicators import values
    from indicators.models import Indicator, Value
    from meetings import services as meetings
    from meetings.models import Attendance, LogEntry, Meeting, Phase
    from ratings.models import Round
    from registers import services as registers
    from registers.models import Alignment, Goal
    from reviews.models import Commitment, ComponentRecord, Review
    from reviews.services import start_review

    started = time.monotonic()
    rng = random.Random(17)  # noqa: S311 (not a secret: the same data every run)
    reviews = max(2, round(REVIEWS * scale))
    today = timezone.localdate()
    founded = today - datetime.timedelta(days=182 * reviews + 30)
    unusable = make_password(None)

    def person(name, email):
        return User(email=email, name=name, password=unusable, date_joined=_at(founded, 9))

    story = _Story()
    with transaction.atomic():
        carol = User.objects.create_user("carol@history.example", None, name="Carol Coordinator")
        alliance = create_alliance(
            name="River Valley Food Alliance",
            community="Families in the River Valley",
            purpose="End hunger in the valley, together.",
            creator=carol,
        )
        type(alliance).objects.filter(pk=alliance.pk).update(created_at=_at(founded, 9))
        partners = [
            add_partner(
                partner=Partner(
                    alliance=alliance,
                    name=f"Partner {n + 1:02d}",
                    description="A partner of the valley's alliance since its founding.",
                    joined_on=founded,
                ),
                alliance=alliance,
                author=carol,
            )
            for n in range(PARTNERS)
        ]
        fiona, mia, otto, *others = User.objects.bulk_create(
            [
                person("Fiona Facilitator", "fiona@history.example"),
                person("Mia Member", "mia@history.example"),
                person("Otto Observer", "otto@history.example"),
                *(
                    person(f"Member {n + 1:02d}", f"member{n + 1}@history.example")
                    for n in range(PEOPLE - 4)
                ),
            ]
        )
        Membership.objects.filter(alliance=alliance, user=carol).update(partner=partners[0])
        Membership.objects.bulk_create(
            [
                Membership(alliance=alliance, user=fiona, role=Role.FACILITATOR),
                Membership(alliance=alliance, user=mia, role=Role.MEMBER, partner=partners[1]),
                Membership(alliance=alliance, user=otto, role=Role.OBSERVER),
                *(
                    Membership(
                        alliance=alliance,
                        user=user,
                        role=Role.MEMBER,
                        partner=partners[(n + 2) % PARTNERS],
                    )
                    for n, user in enumerate(others)
                ),
            ]
        )
        Membership.objects.filter(alliance=alliance).update(joined_at=_at(founded, 9))
        people = [carol, fiona, mia, otto, *others]
        User.objects.filter(pk__in=[p.pk for p in people]).update(last_alliance=alliance)
    story.happened(alliance, _at(founded, 9))
    answering = list(
        Membership.objects.filter(alliance=alliance, partner__isnull=False)
        .select_related("user")
        .order_by("pk")[:ANSWERING]
    )
    owners = [p for p in people if p is not otto]

    goals: list = []
    indicator_count = max(2, round(INDICATORS * scale))
    indicators: list = []
    meeting_ids: list[int] = []
    review_list: list = []
    goals_per_review = max(1, round(GOALS_PER_REVIEW * scale))
    commitments_per_review = max(5, round(COMMITMENTS_PER_REVIEW * scale))
    for n in range(reviews):
        start = founded + datetime.timedelta(days=30 + 182 * n)
        latest = n == reviews - 1
        with transaction.atomic():
            # Five new goals each review; the oldest agreed ones are achieved or retired,
            # so that about fifteen stay agreed at a time.
            for g in range(goals_per_review):
                goal = Goal(
                    alliance=alliance,
                    statement=f"Goal {len(goals) + 1}: {rng.choice(STATEMENTS)}",
                    community="Families in the River Valley",
                    measure="Households reached, counted by the partners",
                    target_value=Decimal(100 * (g + 1)),
                    target_unit="households",
                    target_date=start + datetime.timedelta(days=730),
                    status=Goal.Status.AGREED,
                    created_by=carol,
                )
                registers.add_goal(goal=goal, alliance=alliance, author=carol)
                goals.append(goal)
                for p, partner in enumerate(partners[:4]):
                    create_with_history(
                        Alignment(
                            goal=goal,
                            partner=partner,
                            stance=("ours", "partly", "ours", "not_ours")[p],
                            essential=p == 0,
                        ),
                        alliance=alliance,
                        author=carol,
                    )
            Goal.objects.filter(pk__in=[g.pk for g in goals[-goals_per_review:]]).update(
                created_at=_at(start, 18)
            )
            agreed = [g for g in goals if g.status == Goal.Status.AGREED]
            for goal in agreed[: max(0, len(agreed) - 15)]:
                change_with_history(
                    goal,
                    alliance=alliance,
                    author=carol,
                    status=rng.choice([Goal.Status.ACHIEVED, Goal.Status.RETIRED]),
                )
            # The indicators are defined over the first reviews, with all their values.
            for i in range(len(indicators), min(indicator_count, (n + 1) * 10)):
                indicator = Indicator(
                    alliance=alliance,
                    name=f"Indicator {i + 1:02d}: {rng.choice(MEASURES)}",
                    definition="Counted each week by the partners who serve them.",
                    source="The partners' intake records",
                    unit="people",
                    baseline_value=Decimal(100),
                    baseline_date=founded,
                    target_value=Decimal(100 + VALUES),
                    target_date=today + datetime.timedelta(days=365),
                    frequency=Indicator.Frequency.WEEKLY,
                    responsible=partners[i % PARTNERS],
                )
                create_with_history(indicator, alliance=alliance, author=carol)
                indicator.goals.set(rng.sample(agreed, min(2, len(agreed))))
                indicators.append(indicator)
                rows = [
                    values.Row(
                        today - datetime.timedelta(weeks=VALUES - 1 - w),
                        Decimal(str(round(100 + w + rng.uniform(-8, 8), 2))),
                        None,
                    )
                    for w in range(VALUES)
                ]
                values.add(indicator, rows, origin=Value.Origin.FORM, author=carol)
            review = start_review(
                alliance=alliance, name=f"Review {n + 1:02d}", started_on=start, author=fiona
            )
        review_list.append(review)
        story.happened(alliance, _at(start, 17))

        # Three meetings, two weeks apart, each opening, rating and recording two components.
        # The latest review is under way: two meetings held, the third planned.
        rated = n % 2 == 0 or latest
        held = len(MEETINGS_AGENDAS) - (1 if latest else 0)
        for m, agenda in enumerate(MEETINGS_AGENDAS):
            when = _at(start + datetime.timedelta(days=14 * m), 18)
            meeting = meetings.plan_meeting(
                review=review,
                agenda=agenda,
                author=fiona,
                facilitator=fiona,
                recorder=mia,
                starts_at=when,
                place="The valley's community hall",
            )
            meeting_ids.append(meeting.pk)
            if latest and m == len(MEETINGS_AGENDAS) - 1:
                when = timezone.now() + datetime.timedelta(days=7)
                Meeting.objects.filter(pk=meeting.pk).update(starts_at=when)
                break  # planned for next week, not held yet
            _hold(meeting, fiona, answering if rated else [], people, rng)
            _add_commitments(
                review,
                agenda,
                commitments_per_review // held + (1 if m < commitments_per_review % held else 0),
                partners,
                owners,
                fiona,
                start,
                rng,
            )
            _backdate_meeting(meeting, when)
            story.happened(alliance, when + datetime.timedelta(hours=2))
        records = ComponentRecord.objects.filter(review=review)
        for key, opened in zip(
            [k for agenda in MEETINGS_AGENDAS for k in agenda],
            [_at(start + datetime.timedelta(days=14 * (i // 2)), 18) for i in range(6)],
            strict=True,
        ):
            records.filter(component_key=key).exclude(opened_at=None).update(opened_at=opened)
            records.filter(component_key=key).exclude(recorded_at=None).update(
                recorded_at=opened + datetime.timedelta(hours=2)
            )
        Review.objects.filter(pk=review.pk).update(created_at=_at(start, 17))

        # The review after: what became of the commitments due before it.
        if n:
            previous = review_list[-2]
            for commitment in Commitment.objects.filter(review=previous):
                status = rng.choices(
                    ["done", "partly", "not_done", "dropped"], weights=[6, 2, 1, 1]
                )[0]
                change_with_history(
                    commitment,
                    alliance=alliance,
                    author=fiona,
                    status=status,
                    status_reason="" if status == "done" else rng.choice(REASONS),
                )
            story.happened(alliance, _at(start, 19))

    # Values are reported on their dates; their revisions say so.
    Revision.objects.filter(
        alliance=alliance, content_type__model="value", content_type__app_label="indicators"
    ).update(created_at=_at(today, 9))
    _date_values(alliance)

    seeded_at = time.monotonic()
    small = _small_alliances(alliances - 1, today)

    # Mia's, for the pages; the export is the coordinator's.
    session, coordinator_session = _session(mia), _session(carol)

    latest_review = review_list[-1]
    held = Meeting.objects.filter(review=review_list[-2], status=Meeting.Status.ENDED).first()
    commitment = Commitment.objects.filter(review=latest_review, owner=mia).first()
    partner_of_mia = partners[1]
    return {
        "slug": alliance.slug,
        "review": latest_review.pk,
        "earlier": review_list[-2].pk,
        "meeting": held.pk,
        "planned": Meeting.objects.filter(review=latest_review, status="planned").first().pk,
        "indicator": indicators[0].pk,
        "commitment": commitment.pk if commitment else None,
        "goal": goals[-1].pk,
        "partner": partner_of_mia.pk,
        "membership": Membership.objects.get(alliance=alliance, user=mia).pk,
        "alliance": alliance.pk,
        "session": session,
        "coordinator_session": coordinator_session,
        # A browser holds a CSRF cookie after its first page; the clients send this one.
        "csrf": get_random_string(32),
        "counts": {
            "alliances": 1 + small,
            "reviews": Review.objects.filter(alliance=alliance).count(),
            "meetings": Meeting.objects.filter(review__alliance=alliance).count(),
            "phases": Phase.objects.filter(meeting__review__alliance=alliance).count(),
            "log_entries": LogEntry.objects.filter(meeting__review__alliance=alliance).count(),
            "attendance": Attendance.objects.filter(meeting__review__alliance=alliance).count(),
            "rounds": Round.objects.filter(review__alliance=alliance).count(),
            "commitments": Commitment.objects.filter(alliance=alliance).count(),
            "goals": Goal.objects.filter(alliance=alliance).count(),
            "indicators": Indicator.objects.filter(alliance=alliance).count(),
            "values": Value.objects.filter(indicator__alliance=alliance).count(),
            "revisions": Revision.objects.filter(alliance=alliance).count(),
            "partners": Partner.objects.filter(alliance=alliance).count(),
            "members": Membership.objects.filter(alliance=alliance).count(),
        },
        "seconds": {
            "big": round(seeded_at - started, 1),
            "small": round(time.monotonic() - seeded_at, 1),
        },
    }


def _session(user) -> str:
    """The key of a day-long session in which `user` is signed in."""
    # after django.setup() in `main`: the models need the apps ready
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store.update(
        {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
    )
    store.set_expiry(datetime.timedelta(days=1))
    store.create()
    return store.session_key


def _hold(meeting, facilitator, answering, people, rng) -> None:
    """Run the meeting as its facilitator does: start, every phase in turn (the answering
    people rate in each reflect phase), end. Its components open and are recorded by it."""
    # after django.setup() in `main`: the models need the apps ready
    from meetings import live
    from meetings import services as meetings
    from meetings.models import Attendance, Phase
    from ratings.services import ComponentAnswer, confidence_rounds_with

    meetings.start(meeting=meeting, actor=facilitator)
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, user=user) for user in rng.sample(people, 18)
    )
    while True:
        current = live.load(meeting.pk)
        phase = current.current
        if phase.kind == Phase.Kind.REFLECT and answering:
            round = phase.round
            rules = current.review.rules
            for membership in answering:
                answers = [ComponentAnswer(round=round, rating=rng.randint(2, 5))]
                answers += [
                    ComponentAnswer(round=each, rating=rng.randint(2, 5))
                    for each in confidence_rounds_with(round)
                ]
                meetings.answer(
                    meeting=current, membership=membership, answers=answers, rules=rules
                )
        if phase.kind == Phase.Kind.CLOSING:
            break
        meetings.advance(meeting=current, actor=facilitator, confirmed=True)
    meetings.end(meeting=live.load(meeting.pk), actor=facilitator)


def _backdate_meeting(meeting, when) -> None:
    """The meeting's times, and those of its phases, log and rounds, on its evening."""
    # after django.setup() in `main`: the models need the apps ready
    from meetings.models import Attendance, LogEntry, Meeting, Phase
    from ratings.models import Round

    end = when + datetime.timedelta(hours=2)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=when, started_at=when, ended_at=end, last_activity_at=end
    )
    Phase.objects.filter(meeting=meeting).exclude(reached_at=None).update(reached_at=when)
    LogEntry.objects.filter(meeting=meeting).update(at=when)
    Attendance.objects.filter(meeting=meeting).update(first_seen=when)
    rounds = Phase.objects.filter(meeting=meeting).exclude(round=None).values("round")
    Round.objects.filter(pk__in=rounds).update(opened_at=when, closed_at=end)
    Round.objects.filter(asked_with__in=rounds).update(opened_at=when, closed_at=end)


def _add_commitments(review, agenda, count, partners, owners, author, start, rng) -> None:
    """Commitments taken at a meeting: written down as the page writes them."""
    # after django.setup() in `main`: the models need the apps ready
    from history.services import create_with_history
    from reviews.models import Commitment

    alliance = review.alliance
    made = []
    for c in range(count):
        partner = partners[c % len(partners)]
        commitment = Commitment(
            alliance=alliance,
            review=review,
            component_key=agenda[c % len(agenda)],
            description=f"{rng.choice(PROMISES)} ({review.name}, {c + 1})",
            partner=partner,
            owner=owners[c % len(owners)],
            due_on=start + datetime.timedelta(days=rng.randint(30, 170)),
            created_by=author,
        )
        create_with_history(commitment, alliance=alliance, author=author)
        made.append(commitment.pk)
    Commitment.objects.filter(pk__in=made).update(created_at=_at(start, 20))


def _date_values(alliance) -> None:
    """Each value's revision at the value's date (reported the day it was counted)."""
    # after django.setup() in `main`: the connection reads the settings
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE history_revision r SET created_at = v.date + interval '1 day' "
            "FROM indicators_value v, django_content_type t "
            "WHERE r.alliance_id = %s AND r.content_type_id = t.id "
            "AND t.app_label = 'indicators' AND t.model = 'value' AND r.object_id = v.id",
            [alliance.pk],
        )
        cursor.execute(
            "UPDATE indicators_value v SET created_at = v.date + interval '1 day' "
            "FROM indicators_indicator i WHERE v.indicator_id = i.id AND i.alliance_id = %s",
            [alliance.pk],
        )


def _small_alliances(count: int, today) -> int:
    """`count` young alliances: three partners, three people, three goals, a review with
    three commitments (one due tomorrow, for the daily digest)."""
    # after django.setup() in `main`: the models need the apps ready
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from accounts.models import User
    from alliances.models import Membership, Partner, Role
    from alliances.services import add_partner, create_alliance
    from history.services import create_with_history
    from registers import services as registers
    from registers.models import Goal
    from reviews.models import Commitment
    from reviews.services import start_review

    unusable = make_password(None)
    for n in range(count):
        with transaction.atomic():
            coordinator, member, observer = User.objects.bulk_create(
                User(
                    email=f"{role}{n}@small.example", name=f"{role.title()} {n}", password=unusable
                )
                for role in ("coordinator", "member", "observer")
            )
            alliance = create_alliance(
                name=f"Small Alliance {n + 1:03d}",
                community=f"Town {n + 1}",
                purpose="Work together.",
                creator=coordinator,
            )
            partners = [
                add_partner(
                    partner=Partner(alliance=alliance, name=f"Partner {p + 1}"),
                    alliance=alliance,
                    author=coordinator,
                )
                for p in range(3)
            ]
            Membership.objects.bulk_create(
                [
                    Membership(
                        alliance=alliance, user=member, role=Role.MEMBER, partner=partners[0]
                    ),
                    Membership(alliance=alliance, user=observer, role=Role.OBSERVER),
                ]
            )
            for g in range(3):
                registers.add_goal(
                    goal=Goal(alliance=alliance, statement=f"Goal {g + 1}", status="agreed"),
                    alliance=alliance,
                    author=coordinator,
                )
            review = start_review(
                alliance=alliance,
                name="First review",
                started_on=today - datetime.timedelta(days=30),
                author=coordinator,
            )
            for c in range(3):
                create_with_history(
                    Commitment(
                        alliance=alliance,
                        review=review,
                        component_key="purpose",
                        description=f"Commitment {c + 1}",
                        partner=partners[c],
                        owner=member,
                        due_on=today + datetime.timedelta(days=1 + 10 * c),
                        created_by=coordinator,
                    ),
                    alliance=alliance,
                    author=coordinator,
                )
    return count


STATEMENTS = [
    "every child in the valley can reach a free summer meal",
    "pantries open two evenings a week in every town",
    "no family waits more than a day for emergency food",
    "fresh produce in every pantry, every week",
    "one intake form shared by every partner",
    "seniors who cannot travel get food delivered",
]
MEASURES = [
    "children at a summer meal site",
    "households served in the evening",
    "meals delivered to seniors",
    "kilograms of fresh produce",
    "families helped within a day",
]
PROMISES = [
    "Count the meals served each week",
    "Share the volunteer roster with the partners",
    "Open the school kitchen on Saturdays",
    "Bring the delivery routes to the next meeting",
    "Translate the intake form into Spanish",
    "Ask the county for the summer meal figures",
]
REASONS = [
    "The volunteers we counted on moved away.",
    "The county did not answer in time.",
    "Half the sites opened; the others will in spring.",
    "The partners agreed to stop: another program does it now.",
]


if __name__ == "__main__":
    main()
