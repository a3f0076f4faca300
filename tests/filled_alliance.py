"""Harvest with a row in every table an alliance has, made through the services: for the
tests of its document (tests/test_transfer.py) and of a review's export
(tests/test_review_export.py).

Answers, by round, with the review's thresholds (ratings 3, written answers 5; the named
review's 3 and 3):
- spring's check-in on purpose and trust, closed: five ratings (shown); five answers to the
  framework's question (shown), two to the review's own question (hidden);
  confidence in the agreed goal from the same five (shown);
- spring's check-in on power, closed: two ratings (hidden);
- spring's meeting on power: the reflect phase's round, closed by the reveal, three ratings;
- autumn's (named) check-in on purpose, closed: three ratings and three answers, shown with
  their authors.
"""

import datetime
from dataclasses import dataclass

from django.core.files.base import ContentFile

from alliances.models import Partner
from history.services import create_with_history, log_deletion
from indicators import values
from indicators.models import Breakdown, Indicator, Story
from meetings import services as meetings
from meetings.models import Attendance, Meeting
from ratings.models import Round
from ratings.services import ComponentAnswer, close_check_in
from registers.models import (
    Accomplishment,
    Agreement,
    Alignment,
    Contribution,
    Dependency,
    Goal,
    ImpactAnswer,
    Pledge,
    Resource,
)
from reviews.models import ComponentRecord, Question
from reviews.services import record_component, start_review
from tests.answering import check_in_on, submit_shown
from tests.factories import add_members

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
SHOWN_TEXTS = [f"Shown answer {n} about our purpose" for n in range(5)]
HIDDEN_TEXTS = ["HIDDEN-own-question-one", "HIDDEN-own-question-two"]
NAMED_TEXTS = ["Named answer by Member 0", "Named answer by Member 1", "Named answer by Member 2"]


@dataclass
class Filled:
    alliance: object
    spring: object  # anonymous, the `review` fixture
    autumn: object  # named
    goal: object
    members: list


def _framework_question(key: str, position: int) -> Question:
    return Question.objects.get(component_key=key, position=position, review=None, retired_at=None)


def _add(instance, alliance, author):
    create_with_history(instance, alliance=alliance, author=author)
    return instance


def fill(alliance, review, people: dict, kitchen, food_bank) -> Filled:
    carol, fiona = people["carol"], people["fiona"]
    Partner.objects.filter(pk=kitchen.pk).update(
        description="Hot meals every weekday",
        website="https://kitchen.example.org",
        contact_name="Mia Member",
        contact_email="mia@example.org",
    )
    members = add_members(alliance, 5)
    goal, other = _registers(alliance, carol, kitchen, food_bank)
    _indicators(alliance, review, goal, food_bank, carol)
    _spring_answers(review, members)
    record_component(
        record=ComponentRecord.objects.get(review=review, component_key="purpose"), author=fiona
    )
    _meeting(review, people, members)
    autumn = _autumn(alliance, carol, members)
    # A revision about a row deleted since: it names no row in the document.
    log_deletion(other, alliance=alliance, author=carol)
    other.delete()
    ImpactAnswer.objects.create(review=review, partner=kitchen, answer="partly", why="Not alone")
    return Filled(alliance, review, autumn, goal, members)


def _registers(alliance, author, kitchen, food_bank):
    goal = _add(
        Goal(
            alliance=alliance,
            statement="Every child can reach a free summer meal",
            measure="Share of children at a meal site",
            target_value="45.50",
            target_unit="%",
            target_date=datetime.date(2027, 9, 30),
            status=Goal.Status.AGREED,
            created_by=author,
        ),
        alliance,
        author,
    )
    other = _add(Goal(alliance=alliance, statement="A goal dropped later"), alliance, author)
    _add(Alignment(goal=goal, partner=kitchen, stance="ours", essential=True), alliance, author)
    resource = _add(
        Resource(
            alliance=alliance, description="A truck", kind="space", goal=goal, responsible=food_bank
        ),
        alliance,
        author,
    )
    Contribution.objects.create(resource=resource, partner=kitchen)
    _add(
        Dependency(
            alliance=alliance,
            dependent=kitchen,
            provider=food_bank,
            what="Food",
            goal=goal,
            resource=resource,
        ),
        alliance,
        author,
    )
    _add(
        Accomplishment(
            alliance=alliance,
            statement="1,200 children fed in July",
            achieved_on=datetime.date(2027, 7, 31),
            goal=goal,
            figure="12.5",
            unit="%",
            created_by=author,
        ),
        alliance,
        author,
    )
    _add(
        Agreement(
            alliance=alliance,
            title="Memorandum of understanding",
            kind="mou",
            owner=food_bank,
            file=ContentFile(PDF, name="mou.pdf"),
            file_name="Our MOU.pdf",
            adopted_on=datetime.date(2027, 1, 15),
            created_by=author,
        ),
        alliance,
        author,
    )
    _add(
        Pledge(
            alliance=alliance,
            partner=kitchen,
            resource=resource,
            amount="Two drivers",
            pledged_on=datetime.date(2027, 3, 1),
            due_on=datetime.date(2027, 4, 1),
            delivery="complete",
            delivered_on=datetime.date(2027, 3, 30),
            created_by=author,
        ),
        alliance,
        author,
    )
    return goal, other


def _indicators(alliance, review, goal, food_bank, author):
    indicator = _add(
        Indicator(
            alliance=alliance,
            name="Children fed",
            unit="children",
            baseline_value="100.25",
            baseline_date=datetime.date(2026, 12, 31),
            responsible=food_bank,
            breakdown_label="county",
            created_by=author,
        ),
        alliance,
        author,
    )
    indicator.goals.add(goal)
    north = Breakdown.objects.create(indicator=indicator, name="North", position=1)
    values.add(
        indicator,
        [
            values.Row(datetime.date(2027, 1, 31), 120),
            values.Row(datetime.date(2027, 1, 31), 70, north, "Counted at the pantry"),
        ],
        origin="form",
        author=author,
    )
    _add(Story(indicator=indicator, review=review, helping="Schools"), alliance, author)


def _spring_answers(review, members):
    own = Question.objects.create(
        review=review,
        component_key="purpose",
        position=3,
        text="What would make our purpose clearer?",
        origin=Question.Origin.ALLIANCE,
    )
    first = _framework_question("purpose", 1)
    check_in = check_in_on(review, ["purpose", "trust"])
    purpose = check_in.rounds.get(component_key="purpose")
    trust = check_in.rounds.get(component_key="trust", goal=None)
    confidence = check_in.rounds.get(goal__isnull=False)
    for n, membership in enumerate(members):
        texts = {first: SHOWN_TEXTS[n]}
        if n < 2:
            texts[own] = HIDDEN_TEXTS[n]
        answers = [
            ComponentAnswer(purpose, [5, 4, 4, 3, 2][n], texts),
            ComponentAnswer(trust, 3),
            ComponentAnswer(confidence, [2, 3, 3, 4, 5][n]),
        ]
        submit_shown(membership=membership, answers=answers)
    close_check_in(check_in=check_in)
    power = check_in_on(review, ["power"])
    for n, membership in enumerate(members[:2]):
        submit_shown(
            membership=membership, answers=[ComponentAnswer(power.rounds.get(), [1, 5][n])]
        )
    close_check_in(check_in=power)


def _meeting(review, people, members):
    fiona, mia = people["fiona"], people["mia"]
    meeting = meetings.plan_meeting(
        review=review,
        agenda=["power"],
        author=fiona,
        starts_at=datetime.datetime(2027, 5, 3, 17, tzinfo=datetime.UTC),
        place="Town hall",
        facilitator=fiona,
        recorder=mia,
    )
    meetings.start(meeting=meeting, actor=fiona)
    Attendance.objects.create(meeting=meeting, user=mia)
    Attendance.objects.create(meeting=meeting, user=members[0].user)
    while Meeting.objects.get(pk=meeting.pk).current.kind != "reflect":
        meetings.advance(meeting=Meeting.objects.get(pk=meeting.pk), actor=fiona, confirmed=True)
    round = Round.objects.get(pk=Meeting.objects.get(pk=meeting.pk).current.round_id)
    for n, membership in enumerate(members[:3]):
        submit_shown(membership=membership, answers=[ComponentAnswer(round, [2, 3, 4][n])])
    # to the reveal
    meetings.advance(meeting=Meeting.objects.get(pk=meeting.pk), actor=fiona, confirmed=True)


def _autumn(alliance, author, members):
    autumn = start_review(
        alliance=alliance,
        name="Autumn 2027 review",
        started_on=datetime.date(2027, 9, 1),
        author=author,
        anonymous=False,
        reflection_threshold=3,
    )
    first = _framework_question("purpose", 1)
    check_in = check_in_on(autumn, ["purpose"])
    for n, membership in enumerate(members[:3]):
        answer = ComponentAnswer(check_in.rounds.get(), 4 - n % 2, {first: NAMED_TEXTS[n]})
        submit_shown(membership=membership, answers=[answer])
    close_check_in(check_in=check_in)
    return autumn


def small_document(slug: str, coordinators) -> dict:
    """The smallest document of an alliance: no partner, no review, only `coordinators`
    (people of this installation or not), each a coordinator of it."""
    from records.transfer import FORMAT, TABLES, VERSION

    document = {"format": FORMAT, "version": VERSION, "exported_at": "2027-01-01T12:00:00+00:00"}
    document["alliance"] = {
        "ref": "1",
        "version": 1,
        "name": "Harvest Youth Alliance",
        "slug": slug,
        "community": "Young people in Harvest County",
        "purpose": "Summer meals for every child.",
        "language": "es",
        "created_at": "2026-06-01T09:00:00+00:00",
    }
    document["people"] = [
        {"ref": f"p{n}", "email": person.email, "name": person.name}
        for n, person in enumerate(coordinators)
    ]
    document |= {each.key: [] for each in TABLES}
    document["memberships"] = [
        {
            "ref": f"m{n}",
            "user": f"p{n}",
            "role": "coordinator",
            "partner": None,
            "joined_at": "2026-06-01T09:00:00+00:00",
        }
        for n in range(len(coordinators))
    ]
    return document
