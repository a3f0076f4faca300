"""A demo alliance to show Accord with: invented partners, people, a finished review (spring
2026) and one half done (autumn 2026), so that the two can be compared.

Every name, address and number in it is made up. Running the command again does nothing.
"""

from datetime import date, datetime, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from alliances.models import Alliance, Membership, Partner, Role
from alliances.services import add_partner, create_alliance
from history.models import Revision
from history.services import change_with_history
from indicators import values
from indicators.forms import IndicatorForm
from indicators.services import add_values, save_indicator
from meetings.services import default_agenda, plan_meeting
from ratings.services import ComponentAnswer, close_check_in, open_check_in, submit
from registers import services as registers
from registers.forms import AlignmentForm, PledgeForm
from registers.models import (
    Accomplishment,
    Agreement,
    Alignment,
    Dependency,
    Goal,
    Resource,
)
from reviews.models import Commitment, ComponentRecord, Question
from reviews.services import add_commitment, record_component, start_review

SLUG = "harvest-county-food-security-alliance"
PASSWORD = "accord-demo"

ALLIANCE = {
    "name": "Harvest County Food Security Alliance",
    "community": "Families in Harvest County who cannot count on enough food",
    "purpose": (
        "Six organizations that feed people in Harvest County came together because no one "
        "of them can close the gaps alone: families who use two or three pantries and tell "
        "their story at each, children who lose their school meals every summer, pantries "
        "that close before working parents get off their shifts, and fresh food that spoils "
        "for want of a refrigerated truck. Together we want every family in the county to "
        "know where to get enough good food this week, and to be able to get there."
    ),
}

# key: (name, description, website)
PARTNERS = {
    "food_bank": (
        "Harvest County Food Bank",
        "The county's food warehouse: buys, stores and delivers food to pantries, runs the "
        "food helpline and holds the county's emergency food contract.",
        "https://harvestfoodbank.example",
    ),
    "kitchen": (
        "Northside Community Kitchen",
        "Serves hot meals six days a week from a commercial kitchen on the north side, "
        "including the only weekend meals in the county.",
        "https://northsidekitchen.example",
    ),
    "schools": (
        "Riverbend School District",
        "Nutrition services for 14 schools: free school meals, and the summer meal sites.",
        "https://riverbendschools.example",
    ),
    "health": (
        "Harvest County Health Department",
        "Runs WIC and the county clinics, where families are screened for food insecurity.",
        "https://health.harvestcounty.example",
    ),
    "church": (
        "Grace Street Church Pantry",
        "A volunteer pantry open twice a week, known for asking families very little.",
        "https://gracestreetpantry.example",
    ),
    "farm": (
        "Farm to Family Cooperative",
        "Twenty-two small growers who sell and donate fresh produce from June to October.",
        "https://farmtofamily.example",
    ),
}

# (name, email, role, partner key or None); the first is the coordinator.
PEOPLE = [
    ("Dana Whitfield", "dana@harvest-food.example", Role.COORDINATOR, "food_bank"),
    ("Marisol Ortega", "marisol@harvest-food.example", Role.FACILITATOR, None),
    ("Kwame Asante", "kwame@harvest-food.example", Role.MEMBER, "food_bank"),
    ("Luis Carrillo", "luis@harvest-food.example", Role.MEMBER, "kitchen"),
    ("Priya Raman", "priya@harvest-food.example", Role.MEMBER, "schools"),
    ("Tom Lindqvist", "tom@harvest-food.example", Role.MEMBER, "schools"),
    ("Renee Jackson", "renee@harvest-food.example", Role.MEMBER, "health"),
    ("Samuel Greer", "samuel@harvest-food.example", Role.MEMBER, "church"),
    ("Hannah Brandt", "hannah@harvest-food.example", Role.MEMBER, "farm"),
    ("Evelyn Park", "evelyn@harvest-food.example", Role.OBSERVER, None),
]

# The person each partner names as its contact.
CONTACTS = {
    "food_bank": "dana@harvest-food.example",
    "kitchen": "luis@harvest-food.example",
    "schools": "priya@harvest-food.example",
    "health": "renee@harvest-food.example",
    "church": "samuel@harvest-food.example",
    "farm": "hannah@harvest-food.example",
}

PURPOSE_RECORD = {
    "notes": """\
Meeting of 15 September 2026 in the Food Bank's community room; all six partners present.
Marisol read the framework's question and asked each partner to say, in two sentences, what
it wants the alliance to achieve by next autumn.

- **Food Bank**: fewer families falling through the gaps between pantries, and one picture
  of need across the county.
- **Northside Community Kitchen**: hot meals at weekends, when nobody else serves.
- **Riverbend School District**: no child hungry in the summer. Last summer only 31% of the
  children who get free school meals came to a summer meal site.
- **Health Department**: screen for food insecurity at every WIC and clinic visit, and refer
  families to someone who answers the phone.
- **Grace Street Church Pantry**: stay a place where people are known by name; fewer forms.
- **Farm to Family Cooperative**: more fresh produce on pantry shelves, at a price that keeps
  small growers going.

The goals overlap more than people expected. The real tension is between *reach* (more
families served, one intake for all) and *dignity* (Grace Street's worry that a shared form
makes a church pantry feel like an agency).
""",
    "agreements": """\
- The alliance exists so that **every family in Harvest County knows where to get food this
  week, and can get there**.
- Three goals for the year to September 2027, each one measurable:
  1. Summer meal participation up from 31% to 45% of eligible children.
  2. Every pantry in the alliance open at least one evening or weekend slot a week.
  3. One shared intake form, used by at least four partners, so that a family tells its
     story once.
- Referrals from the Health Department's screening go to the Food Bank's helpline, which
  knows every pantry's hours, rather than to single pantries.
- The holiday food drive is no longer a goal of the alliance: the Food Bank has always run
  it and will go on doing so, with any partner that wants to help.
""",
    "concerns": """\
- Grace Street fears the shared intake form will ask more than it does today (a first name
  and the size of the household). Not settled: the form will come back as a draft.
- The school district cannot share student data. Summer meal numbers will be counts per
  site, never names.
- Farm to Family's second goal (fair prices for growers) is not yet a shared goal. Some
  partners see it as the cooperative's own business; Hannah does not.
""",
    "ideas": """\
- Put the three goals on one page and read them at the start of every meeting.
- Ask two families who use more than one pantry to try the draft intake form.
- Map the summer meal sites against the school bus routes, and add sites where the buses
  already stop.
""",
}

POWER_RECORD = {
    "notes": """\
Meeting of 29 September 2026 at Northside Community Kitchen. We listed what the three goals
need, and who brings it today.

| What the work needs | Who brings it today |
|---|---|
| Warehouse, bulk purchasing, the helpline | Food Bank |
| A refrigerated truck | Food Bank (one truck, nineteen years old) |
| A commercial kitchen and weekend cooks | Northside Community Kitchen |
| Buses, school buildings, contact with families | Riverbend School District |
| Screening at clinic visits, skill with data | Health Department |
| Trust of families who avoid agencies; 40 volunteers | Grace Street Church Pantry |
| Fresh produce from June to October | Farm to Family Cooperative |

The conversation turned to who decides. The Food Bank holds the county contract and the
truck, and several partners said that delivery routes are settled at the Food Bank without
them. Dana agreed this is how it has worked, and that it should change.
""",
    "agreements": """\
- The refrigerated truck's routes are set each month by a small routing group (Food Bank,
  Farm to Family, Grace Street), not by the Food Bank alone.
- Volunteers are shared: one sign-up list, kept by Kwame at the Food Bank, where any partner
  can post shifts.
- Grace Street and Northside will try a Thursday evening pantry (5 to 7 pm) for eight weeks
  from October.
- The Health Department (skill with data) and Grace Street (trust of families) draft the
  shared intake form together.
""",
    "concerns": """\
- The county contract names the Food Bank alone, so the other partners have no say in how
  it is spent. Everyone called this a real imbalance; nobody has an answer yet.
- The school district brings a great deal (buses, buildings) but has the least staff time:
  Priya can come to one meeting in two.
- If the truck breaks down, produce deliveries stop. There is no backup.
""",
    "ideas": """\
- Apply together to the Harvest County Community Foundation for a second refrigerated truck,
  with Farm to Family as co-applicant.
- Rotate who chairs the routing group.
- Ask the county to name the alliance, not the Food Bank, when the contract is renewed in
  July 2027.
""",
}

INTERDEPENDENCE_NOTES = """\
Meeting of 13 October 2026 in the library of Riverbend High School; to be continued on
8 December.

First round: each partner named one thing it could not do without another partner.

- Grace Street: "Without the Food Bank's truck we would have no fresh food at all."
- Northside: the Saturday meal runs on Grace Street's volunteers.
- School district: summer sites only fill when the Health Department's clinics tell
  families about them.
- Farm to Family: without the pantries, the growers' surplus goes to compost.

Not discussed yet: what the Food Bank depends on the others for. Dana asked to start there
next time.
"""

# The alliance's first review, in spring 2026: one component a meeting, all six recorded.
SPRING_RECORDS = {
    "purpose": {
        "notes": """\
Meeting of 10 March 2026 at the Food Bank, two months after the six partners signed up.
Marisol asked each partner what it wants the alliance to have achieved by the end of the
summer. The answers were short and practical; the harder question, what the alliance is
*for*, was left for the autumn.
""",
        "agreements": """\
- Four goals until the autumn: every child can reach a summer meal; every pantry opens one
  evening or weekend slot a week; one helpline number that every partner gives out; and a
  holiday food drive run by the alliance.
- A fifth is proposed, not yet agreed: one shared intake form, so that a family tells its
  story once.
""",
        "concerns": """\
- Grace Street does not want a form at all; the Health Department needs one for referrals.
- The holiday food drive is what the Food Bank already does. Is it an alliance goal?
""",
        "ideas": """\
- Try a draft intake form with two families before deciding on it.
""",
    },
    "power": {
        "agreements": """\
- The Food Bank brings the warehouse, the truck and the helpline; the others bring places,
  people and the trust of families.
- Until the autumn review, the Food Bank keeps deciding the truck's routes, and says so at
  each meeting.
""",
        "concerns": """\
- Most of the money, and most of the decisions, sit with the Food Bank.
""",
        "ideas": """\
- Before the autumn review, list what each goal needs and who brings it, in Accord.
""",
    },
    "interdependence": {
        "agreements": """\
- Summer meals need the schools' buildings and the Food Bank's deliveries: neither partner
  can do it alone.
""",
        "concerns": """\
- Grace Street and Northside could run an evening pantry without the alliance. What does
  the alliance add for them?
""",
        "ideas": """\
- Ask families which pantries they use, to see how much the partners' work overlaps.
""",
    },
    "trust": {
        "agreements": """\
- The partners trust each other's intentions; they are less sure of each other's capacity.
""",
        "concerns": """\
- Two promises made at the founding meeting were never reported on.
""",
        "ideas": """\
- Open every meeting with last time's commitments.
""",
    },
    "control": {
        "agreements": """\
- The alliance has no written agreement yet. The Food Bank drafts a memorandum of
  understanding among the six partners, to sign in June.
""",
        "concerns": """\
- Nobody knows whether volunteers shared between partners are insured.
""",
        "ideas": """\
- Keep every agreement where every partner can read it.
""",
    },
    "indicators": {
        "agreements": """\
- Three indicators: children at summer meal sites, pantries open an evening or a weekend,
  and families told to repeat their story at a second pantry.
- The school district counts summer meals per site, never names.
""",
        "concerns": """\
- The figure of families repeating their story comes from a survey at two pantries only.
""",
        "ideas": """\
- Show the three figures on one page at every meeting.
""",
    },
}

# (component, partner key, owner email, description, due, status, reason)
SPRING_COMMITMENTS = [
    (
        "purpose",
        "food_bank",
        "kwame@harvest-food.example",
        "Print the helpline number on every partner's flyers and intake desks",
        date(2026, 6, 30),
        Commitment.Status.DONE,
        "",
    ),
    (
        "power",
        "health",
        "renee@harvest-food.example",
        "Share the clinics' food insecurity screening figures with the alliance every quarter",
        date(2026, 7, 15),
        Commitment.Status.PARTLY,
        "The first quarter's figures came in April; the second quarter's were late because "
        "the department's data analyst left.",
    ),
    (
        "interdependence",
        "church",
        "samuel@harvest-food.example",
        "Ask every family which other pantries it uses, for one month",
        date(2026, 5, 31),
        Commitment.Status.DROPPED,
        "The shared intake form will ask this; families should not be asked twice.",
    ),
    (
        "trust",
        "farm",
        "hannah@harvest-food.example",
        "Bring a grower to each pantry's volunteer evening",
        date(2026, 6, 15),
        Commitment.Status.NOT_DONE,
        "The harvest came early and no grower could spare an evening.",
    ),
    (
        "control",
        "food_bank",
        "dana@harvest-food.example",
        "Draft a memorandum of understanding among the six partners",
        date(2026, 5, 31),
        Commitment.Status.DONE,
        "",
    ),
    (
        "indicators",
        "schools",
        "tom@harvest-food.example",
        "Count summer meal participation per site, every month of the summer",
        date(2026, 9, 15),
        Commitment.Status.DONE,
        "",
    ),
]

# (component, partner key, owner email, description, due, status, reason)
COMMITMENTS = [
    (
        "purpose",
        "health",
        "renee@harvest-food.example",
        "Draft the shared intake form with Grace Street and bring it to the alliance",
        date(2026, 10, 30),
        Commitment.Status.DONE,
        "",
    ),
    (
        "purpose",
        "schools",
        "priya@harvest-food.example",
        "Map summer meal sites against school bus routes and share the map",
        date(2027, 1, 15),
        Commitment.Status.OPEN,
        "",
    ),
    (
        "power",
        "food_bank",
        "kwame@harvest-food.example",
        "Start one volunteer sign-up list where every partner can post shifts",
        date(2026, 10, 15),
        Commitment.Status.DONE,
        "",
    ),
    (
        "power",
        "church",
        "samuel@harvest-food.example",
        "Run a Thursday evening pantry (5 to 7 pm) with Northside for eight weeks",
        date(2026, 11, 26),
        Commitment.Status.PARTLY,
        "Six of the eight Thursdays took place; two were cancelled when the church hall was "
        "needed for funerals. Fourteen households came on an average evening.",
    ),
    (
        "power",
        "farm",
        "hannah@harvest-food.example",
        "Draft the joint application to the Community Foundation for a second refrigerated truck",
        date(2026, 12, 11),
        Commitment.Status.OPEN,
        "",
    ),
    (
        "power",
        "schools",
        "priya@harvest-food.example",
        "Open two school kitchens to Northside's Saturday meal in October",
        date(2026, 10, 31),
        Commitment.Status.NOT_DONE,
        "The district's insurance does not cover outside volunteers in school kitchens; "
        "the question is with the district's lawyer.",
    ),
]

# statement, day, goal index, figure, unit
ACCOMPLISHMENTS = [
    (
        "Every partner's flyers and intake desks give the one helpline number",
        date(2026, 8, 17),
        4,
        6,
        "partners",
    ),
    (
        "Summer meal sites served children in 9 of the county's 14 school areas",
        date(2026, 8, 31),
        0,
        31,
        "%",
    ),
    (
        "Grace Street and Northside opened a Thursday evening pantry",
        date(2026, 10, 1),
        1,
        1,
        "pantries",
    ),
    (
        "One volunteer sign-up list for every partner, with 140 volunteers on it",
        date(2026, 10, 15),
        None,
        None,
        "",
    ),
]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment in the demo's story, in the site's time zone."""
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


FOUNDED = _at(date(2026, 1, 12), 10)
SPRING_MEETINGS = [
    _at(day, 18)
    for day in (
        date(2026, 3, 10),
        date(2026, 3, 24),
        date(2026, 4, 7),
        date(2026, 4, 21),
        date(2026, 5, 5),
        date(2026, 5, 19),
    )
]
SPRING_END = SPRING_MEETINGS[-1].date()
HELPLINE_REACHED = _at(date(2026, 8, 17), 9)
FIRST_MEETING = _at(date(2026, 9, 15), 18)
SECOND_MEETING = _at(date(2026, 9, 29), 18)
THIRD_MEETING = _at(date(2026, 10, 13), 18)


class _Story:
    """Dates the revisions the demo writes, so that its history reads in the order the
    alliance lived it rather than all at the moment the command ran."""

    def __init__(self):
        self.mark = self._last_id()

    @staticmethod
    def _last_id() -> int:
        return Revision.objects.aggregate(last=Max("id"))["last"] or 0

    def happened(self, alliance, when: datetime) -> None:
        Revision.objects.filter(alliance=alliance, id__gt=self.mark).update(created_at=when)
        self.mark = self._last_id()


def _person(name: str, email: str) -> User:
    existing = User.objects.filter(email__iexact=email).first()
    if existing:
        return existing
    return User.objects.create_user(email, PASSWORD, name=name, date_joined=FOUNDED)


def _found_alliance(people, dana) -> tuple[Alliance, dict]:
    """The alliance, its six partners and its people, as they signed up at the founding."""
    alliance = create_alliance(creator=dana, **ALLIANCE)
    Alliance.objects.filter(pk=alliance.pk).update(created_at=FOUNDED)
    partners = {}
    for key, (name, description, website) in PARTNERS.items():
        contact = people[CONTACTS[key]]
        partner = Partner(
            alliance=alliance,
            name=name,
            description=description,
            website=website,
            contact_name=contact.name,
            contact_email=contact.email,
            joined_on=FOUNDED.date(),
        )
        add_partner(partner=partner, alliance=alliance, author=dana)
        partners[key] = partner
    for _name, email, role, partner_key in PEOPLE:
        partner = partners[partner_key] if partner_key else None
        Membership.objects.update_or_create(
            alliance=alliance,
            user=people[email],
            defaults={"role": role, "partner": partner, "joined_at": FOUNDED},
        )
    User.objects.filter(pk__in=[p.pk for p in people.values()], last_alliance=None).update(
        last_alliance=alliance
    )
    return alliance, partners


def build_demo() -> Alliance:
    story = _Story()
    people = {email: _person(name, email) for name, email, _role, _partner in PEOPLE}
    dana = people[PEOPLE[0][1]]
    marisol = next(people[email] for _n, email, role, _p in PEOPLE if role == Role.FACILITATOR)

    alliance, partners = _found_alliance(people, dana)
    story.happened(alliance, FOUNDED)
    goals: dict = {}
    _add_goals(alliance, partners, dana, goals, FOUNDED)
    story.happened(alliance, FOUNDED)

    indicators = _spring_review(alliance, partners, people, goals, story, marisol)
    _between_reviews(alliance, partners, goals, indicators, dana, story)
    _autumn_review(alliance, partners, people, story, marisol)
    return alliance


def _spring_review(alliance, partners, people, goals, story, marisol) -> list:
    """The alliance's first review, finished: one component a meeting, each recorded the
    same evening, after a private check-in. Returns the indicators, whose later values
    come in between the reviews."""
    dana = people[PEOPLE[0][1]]
    first = SPRING_MEETINGS[0]
    review = start_review(
        alliance=alliance, name="Spring 2026 review", started_on=first.date(), author=marisol
    )
    type(review).objects.filter(pk=review.pk).update(created_at=first)
    _add_spring_check_in(alliance, review, marisol)
    # At the first meeting a fifth goal is proposed, and the indicators are defined.
    _add_goals(alliance, partners, dana, goals, first)
    indicators = _add_indicators(alliance, goals, partners, dana)
    _add_values(indicators, dana, until=first.date())
    story.happened(alliance, first)

    records = {r.component_key: r for r in review.records.all()}
    times, opened = {}, first
    for meeting, (key, texts) in zip(SPRING_MEETINGS, SPRING_RECORDS.items(), strict=True):
        if key == "indicators":
            _add_values(indicators, dana, after=first.date(), until=meeting.date())
        record = records[key]
        record.refresh_from_db()
        change_with_history(record, alliance=alliance, author=marisol, **texts)
        record_component(record=record, author=marisol)
        _add_commitments(
            alliance, review, key, partners, people, marisol, meeting, SPRING_COMMITMENTS
        )
        times[key] = (opened, meeting + timedelta(hours=2))
        opened = meeting + timedelta(hours=2)
        story.happened(alliance, opened)
    for key, (opened_at, recorded_at) in times.items():
        ComponentRecord.objects.filter(pk=records[key].pk).update(
            opened_at=opened_at, recorded_at=recorded_at
        )
    return indicators


def _between_reviews(alliance, partners, goals, indicators, author, story) -> None:
    """From spring to autumn: the helpline goal is reached in August; the registers fill
    in; and at the autumn review's first meeting, the goals are revised."""
    for index, when, status in GOAL_CHANGES:
        change_with_history(goals[index], alliance=alliance, author=author, status=status)
        story.happened(alliance, when)
    _add_goals(alliance, partners, author, goals, FIRST_MEETING)
    _add_values(indicators, author, after=SPRING_END)
    _add_registers(alliance, partners, goals, author)


def _autumn_review(alliance, partners, people, story, marisol) -> None:
    """The review in progress: two components recorded, the third in discussion."""
    # First meeting: shared purpose, recorded the same evening.
    review = start_review(
        alliance=alliance,
        name="Autumn 2026 review",
        started_on=FIRST_MEETING.date(),
        author=marisol,
    )
    type(review).objects.filter(pk=review.pk).update(created_at=FIRST_MEETING)
    story.happened(alliance, FIRST_MEETING)
    records = {r.component_key: r for r in review.records.all()}
    change_with_history(records["purpose"], alliance=alliance, author=marisol, **PURPOSE_RECORD)
    record_component(record=records["purpose"], author=marisol)
    _add_commitments(alliance, review, "purpose", partners, people, marisol, FIRST_MEETING)
    story.happened(alliance, FIRST_MEETING + timedelta(hours=2))

    # Second meeting: shared power, recorded; interdependence opens.
    records["power"].refresh_from_db()
    change_with_history(records["power"], alliance=alliance, author=marisol, **POWER_RECORD)
    record_component(record=records["power"], author=marisol)
    _add_commitments(alliance, review, "power", partners, people, marisol, SECOND_MEETING)
    story.happened(alliance, SECOND_MEETING + timedelta(hours=2))

    # Third meeting: interdependence, still in discussion.
    records["interdependence"].refresh_from_db()
    change_with_history(
        records["interdependence"],
        alliance=alliance,
        author=marisol,
        notes=INTERDEPENDENCE_NOTES,
    )
    story.happened(alliance, THIRD_MEETING + timedelta(hours=2))

    # The meetings' times, in place of the moment the command ran.
    times = {
        "purpose": (FIRST_MEETING, FIRST_MEETING + timedelta(hours=2)),
        "power": (FIRST_MEETING + timedelta(hours=2), SECOND_MEETING + timedelta(hours=2)),
        "interdependence": (SECOND_MEETING + timedelta(hours=2), None),
    }
    for key, (opened_at, recorded_at) in times.items():
        ComponentRecord.objects.filter(pk=records[key].pk).update(
            opened_at=opened_at, recorded_at=recorded_at
        )
    _add_check_ins(alliance, review, marisol)
    _plan_next_meeting(review, marisol)


def _plan_next_meeting(review, marisol) -> None:
    """The next meeting, planned for a week from now, so that a visitor can start it and
    try the room: Marisol leads it from outside the partners (she does not answer)."""
    day = (timezone.localtime() + timedelta(days=7)).date()
    plan_meeting(
        review=review,
        agenda=default_agenda(review),
        author=marisol,
        starts_at=_at(day, 17),
        place="Harvest County Food Bank, community room",
        facilitator=marisol,
    )


# A check-in before the first meeting (closed), one before the next (open, half answered).
# Values in the order of the answering people: Dana, then the seven members.
EARLY_RATINGS = {"purpose": [4, 4, 3, 5, 4, 2, 4], "power": [2, 3, 2, 3, 4, 2, 3]}
EARLY_REFLECTIONS = {
    "purpose": [
        "We all say 'end hunger', but we mean different things by it.",
        "Summer meals is the goal everyone can see and count.",
        "I am not sure the church pantry wants the same thing as the food bank.",
        "The shared intake form would show whether we really share a goal.",
        "Our board asks what the alliance has achieved; we need numbers.",
        "Fresh produce matters to us; it is rarely on the agenda.",
    ],
    "power": [
        "The food bank brings most of the money and it shows in who decides.",
        "Volunteers are our biggest resource and nobody counts them.",
        "We need a refrigerated truck more than another meeting.",
        "Schools have the buildings; they are not used in summer.",
        "Decisions happen between meetings, by email, among the big partners.",
    ],
}
LATER_RATINGS = {"interdependence": [3, 4, 2, 3], "trust": [3, 3, 4, 2]}
# Confidence in each agreed goal, in the goals' order, by the same four people.
LATER_CONFIDENCE = [[4, 3, 4, 5], [2, 3, 2, 2], [3, 4, 3, 3]]


# The spring review's check-in, before its first meeting, on all six components. Shared
# control had only two answers: below the review's threshold, its ratings are never shown.
SPRING_RATINGS = {
    "purpose": [4, 3, 4, 4, 3, 2],
    "power": [2, 2, 3, 2, 3, 1],
    "interdependence": [4, 4, 3, 5, 4, 4],
    "trust": [3, 3, 2, 3, 4, 3],
    "control": [2, 3],
    "indicators": [2, 2, 1, 3, 2, 2],
}
# Confidence in each goal agreed in spring (summer meals, evening pantries, the helpline,
# the holiday drive), by the six people who rated trust.
SPRING_CONFIDENCE = [[3, 3, 4, 2, 3, 3], [2, 3, 2, 2, 3, 2], [4, 5, 4, 4, 5, 4], [4, 3, 4, 4, 3, 3]]


def _check_in(review, facilitator, keys, ratings, *, closes_at, reflections=None, confidence=()):
    """A check-in on `keys`: person n (Dana, then the members) rates each component that has
    an nth rating, writes its nth reflection, and with trust, gives the nth confidence in
    each agreed goal."""
    alliance = review.alliance
    answering = [
        m for m in alliance.memberships.select_related("user").order_by("pk") if m.can_answer
    ]
    questions = {q.component_key: q for q in Question.objects.filter(review=None, position=1)}
    reflections = reflections or {}
    check_in = open_check_in(
        review=review,
        component_keys=keys,
        closes_at=closes_at,
        message="",
        author=facilitator,
        notify=False,
    )
    rounds = {r.component_key: r for r in check_in.rounds.filter(goal=None)}
    goal_rounds = list(check_in.rounds.exclude(goal=None).order_by("goal_id"))
    for n, membership in enumerate(answering[: max(len(ratings[key]) for key in keys)]):
        answers = []
        for key in keys:
            if n >= len(ratings[key]):
                continue
            texts = reflections.get(key, [])
            written = {questions[key]: texts[n]} if n < len(texts) else {}
            answers.append(ComponentAnswer(rounds[key], ratings[key][n], written))
            if key == "trust":
                for goal_round, values in zip(goal_rounds, confidence, strict=False):
                    answers.append(ComponentAnswer(goal_round, values[n]))
        submit(membership=membership, answers=answers, rules=review.rules)
    return check_in


def _close_before(check_in, meeting) -> None:
    """Close a check-in, dated as if it ran the week before `meeting`."""
    close_check_in(check_in=check_in)
    type(check_in).objects.filter(pk=check_in.pk).update(
        opened_at=meeting - timedelta(days=7), closed_at=meeting - timedelta(hours=2)
    )
    check_in.rounds.update(opened_at=meeting - timedelta(days=7))


def _add_spring_check_in(alliance, review, facilitator) -> None:
    check_in = _check_in(
        review,
        facilitator,
        list(SPRING_RATINGS),
        SPRING_RATINGS,
        closes_at=timezone.now() + timedelta(days=1),
        confidence=SPRING_CONFIDENCE,
    )
    _close_before(check_in, SPRING_MEETINGS[0])


def _add_check_ins(alliance, review, facilitator) -> None:
    early = _check_in(
        review,
        facilitator,
        ["purpose", "power"],
        EARLY_RATINGS,
        closes_at=timezone.now() + timedelta(days=1),
        reflections=EARLY_REFLECTIONS,
    )
    _close_before(early, FIRST_MEETING)
    _check_in(
        review,
        facilitator,
        ["interdependence", "trust"],
        LATER_RATINGS,
        closes_at=timezone.now() + timedelta(days=10),
        confidence=LATER_CONFIDENCE,
    )


# The registers: goals (with each partner's stance), resources and who brings them, and
# who depends on whom.
GOALS = [
    # statement, measure, target value, unit, target date, status when added, stances by
    # partner key
    (
        "Every child in the county can reach a free summer meal",
        "Share of children eligible for free school meals who eat at a summer site",
        45,
        "%",
        date(2027, 9, 30),
        "agreed",
        {
            "food_bank": "ours",
            "kitchen": "ours",
            "schools": "ours",
            "health": "ours",
            "church": "partly",
            "farm": "partly",
        },
    ),
    (
        "Every pantry in the alliance opens at least one evening or weekend slot a week",
        "Pantries with an evening or weekend slot",
        5,
        "pantries",
        date(2027, 6, 30),
        "agreed",
        {
            "food_bank": "ours",
            "kitchen": "ours",
            "schools": "not_ours",
            "health": "partly",
            "church": "ours",
            "farm": "not_ours",
        },
    ),
    (
        "A family tells its story once: one shared intake form",
        "Partners using the shared intake form",
        4,
        "partners",
        date(2027, 3, 31),
        "proposed",
        {
            "food_bank": "ours",
            "kitchen": "ours",
            "schools": "partly",
            "health": "ours",
            "church": "not_ours",
            "farm": "partly",
        },
    ),
    (
        "More fresh produce on pantry shelves, at fair prices for growers",
        "",
        None,
        "",
        None,
        "proposed",
        {"food_bank": "partly", "farm": "ours", "church": "partly"},
    ),
    (
        "One food helpline number that every partner gives out",
        "Partners whose flyers and intake desks give the helpline number",
        6,
        "partners",
        date(2026, 6, 30),
        "agreed",
        {
            "food_bank": "ours",
            "kitchen": "ours",
            "schools": "partly",
            "health": "ours",
            "church": "ours",
            "farm": "partly",
        },
    ),
    (
        "A county-wide holiday food drive, run by the alliance",
        "Pounds of food collected in November and December",
        40000,
        "pounds",
        date(2026, 12, 31),
        "agreed",
        {
            "food_bank": "ours",
            "kitchen": "partly",
            "schools": "not_ours",
            "health": "not_ours",
            "church": "ours",
            "farm": "partly",
        },
    ),
]
# When each goal was added (by index in GOALS): four at the founding, the intake form at the
# spring review's first meeting, fresh produce at the autumn review's first meeting.
GOAL_ADDED = {
    0: FOUNDED,
    1: FOUNDED,
    4: FOUNDED,
    5: FOUNDED,
    2: SPRING_MEETINGS[0],
    3: FIRST_MEETING,
}
# Changes of status between the reviews: (goal index, when, new status).
GOAL_CHANGES = [
    (4, HELPLINE_REACHED, "achieved"),
    (2, FIRST_MEETING, "agreed"),
    (5, FIRST_MEETING, "retired"),
]
ESSENTIAL = {0: ["schools", "food_bank"], 1: ["church", "food_bank", "kitchen"], 2: ["food_bank"]}
RESOURCES = [
    # description, kind, goal index, partner keys (the first is responsible)
    ("Summer meal sites in school buildings", "space", 0, ["schools"]),
    ("Food and its delivery to meal sites", "funding", 0, ["food_bank"]),
    ("Volunteers for evening pantry shifts", "staff", 1, ["church", "kitchen"]),
    ("Screening families at clinics and WIC", "relationships", 2, ["health"]),
    ("A shared intake database", "knowledge", 2, ["food_bank"]),
    ("A refrigerated truck", "space", 3, []),
    ("Cooks who can run a weekend kitchen", "skills", 1, ["kitchen"]),
]
DEPENDENCIES = [
    # dependent, provider, for what, goal index, how they work together, confirmed by both
    ("schools", "food_bank", "food delivered to summer meal sites", 0, "coordinating", True),
    ("kitchen", "farm", "fresh produce for weekend meals", 3, "cooperating", False),
    ("church", "food_bank", "most of the food on its shelves", 1, "integrated", True),
    ("food_bank", "health", "families referred from clinics", 2, "aware", False),
    ("food_bank", "church", "a pantry families trust", 1, "", False),
]

# title, kind, owner key, link, adopted, next review, status
AGREEMENTS = [
    (
        "Memorandum of understanding among the six partners",
        "mou",
        "food_bank",
        "https://docs.harvestfoodbank.example/alliance/mou-2026.pdf",
        date(2026, 6, 2),
        date(2027, 6, 2),
        "in_force",
    ),
    (
        "Work plan 2026-2027: summer meals and evening pantries",
        "work_plan",
        "schools",
        "https://docs.harvestfoodbank.example/alliance/work-plan-2026.pdf",
        date(2026, 9, 15),
        date(2026, 11, 15),
        "in_force",
    ),
    (
        "How a family's intake data is shared between partners",
        "policy",
        "health",
        "",
        None,
        None,
        "draft",
    ),
]
# partner key, resource index, amount, pledged, due, delivery, delivered on, note
PLEDGES = [
    ("food_bank", 1, "Food for 9 summer sites, July and August", date(2026, 6, 2),
     date(2026, 7, 1), "complete", date(2026, 6, 28), ""),
    ("church", 2, "Eight volunteers every Thursday evening", date(2026, 9, 15),
     date(2026, 10, 1), "partial", date(2026, 10, 8),
     "Five volunteers most weeks; the others start in January."),
    ("farm", 5, "$4,000 toward the refrigerated truck", date(2026, 9, 29),
     date(2026, 11, 1), "not_delivered", None,
     "The harvest festival raised less than planned; pledged again for spring."),
    ("kitchen", 6, "Two cooks for the Saturday kitchen", date(2026, 9, 29),
     date(2027, 1, 15), "pending", None, ""),
]  # fmt: skip

# name, unit, direction, goal index, responsible, baseline (value, date), target (value, date),
# breakdown label, {breakdown or "": [(date, value), ...]}
INDICATORS = [
    (
        "Children eating at a summer meal site",
        "% of eligible children",
        "up",
        0,
        "schools",
        (18, date(2025, 8, 31)),
        (45, date(2027, 9, 30)),
        "county area",
        {
            "": [
                (date(2025, 8, 31), 18),
                (date(2026, 6, 30), 22),
                (date(2026, 7, 31), 29),
                (date(2026, 8, 31), 31),
            ],
            "North": [(date(2026, 7, 31), 35), (date(2026, 8, 31), 38)],
            "South": [(date(2026, 7, 31), 21), (date(2026, 8, 31), 22)],
        },
    ),
    (
        "Pantries open an evening or a weekend",
        "pantries",
        "up",
        1,
        "food_bank",
        (1, date(2026, 3, 31)),
        (5, date(2027, 6, 30)),
        "",
        {
            "": [
                (date(2026, 3, 31), 1),
                (date(2026, 6, 1), 1),
                (date(2026, 9, 1), 1),
                (date(2026, 10, 1), 2),
            ]
        },
    ),
    (
        "Families told to repeat their story at a second pantry",
        "% of new families",
        "down",
        2,
        "health",
        (66, date(2026, 4, 30)),
        (10, date(2027, 3, 31)),
        "",
        {
            "": [
                (date(2026, 4, 30), 66),
                (date(2026, 6, 1), 64),
                (date(2026, 8, 1), 62),
                (date(2026, 10, 1), 63),
            ]
        },
    ),
]


def _add_indicators(alliance, goals, partners, author) -> list:
    """The three indicators and their breakdowns, without values (see `_add_values`)."""
    made = []
    for name, unit, direction, goal, who, base, target, label, series in INDICATORS:
        data = {
            "name": name,
            "unit": unit,
            "direction": direction,
            "goals": [goals[goal].pk],
            "baseline_value": str(base[0]),
            "baseline_date": base[1].isoformat(),
            "target_value": str(target[0]),
            "target_date": target[1].isoformat(),
            "frequency": "monthly",
            "responsible": partners[who].pk,
            "breakdown_label": label,
            "breakdowns": "\n".join(part for part in series if part),
        }
        form = _valid(IndicatorForm(data, alliance=alliance))
        indicator = save_indicator(form=form, alliance=alliance, author=author)
        found = {b.name: b for b in indicator.breakdowns.all()}
        parts = {part: found[part] if part else None for part in series}
        made.append((indicator, parts, series))
    return made


def _add_values(indicators, author, *, after=None, until=None) -> None:
    """The values dated after `after` and up to `until`: each review finds the values that
    had been measured by then."""
    for indicator, parts, series in indicators:
        for part, points in series.items():
            rows = [
                values.Row(day, value, parts[part])
                for day, value in points
                if (after is None or day > after) and (until is None or day <= until)
            ]
            if rows:
                add_values(indicator=indicator, rows=rows, origin="form", author=author)


def _add_goals(alliance, partners, author, goals: dict, when) -> None:
    """The goals added at `when` (see GOAL_ADDED), with each partner's stance, into `goals`
    by their index in GOALS."""
    for index, (statement, measure, value, unit, target_date, status, stances) in enumerate(GOALS):
        if GOAL_ADDED[index] != when:
            continue
        goal = Goal(
            alliance=alliance,
            statement=statement,
            community=ALLIANCE["community"],
            measure=measure,
            target_value=value,
            target_unit=unit,
            target_date=target_date,
            status=status,
            created_by=author,
            created_at=when,
        )
        goals[index] = registers.add_goal(goal=goal, alliance=alliance, author=author)
        for key, stance in stances.items():
            essential = key in ESSENTIAL.get(index, [])
            _align(goal, partners[key], stance, essential, alliance=alliance, author=author)


def _valid(form):
    """A form of the demo's own data, which must be valid: a refusal is a bug in the data."""
    if not form.is_valid():
        raise ValueError(f"The demo's data is refused: {form.errors.as_json()}")
    return form


def _align(goal, partner, stance, essential, *, alliance, author) -> None:
    """Where a partner stands on a goal, saved as a person's answer in the matrix is."""
    form = _valid(
        AlignmentForm(
            {"stance": stance, "comment": "", "essential": essential, "base_version": 1},
            instance=Alignment(goal=goal, partner=partner),
        )
    )
    registers.set_alignment(form=form, goal=goal, partner=partner, alliance=alliance, author=author)


def _add_registers(alliance, partners, goals: dict, author) -> None:
    """What the alliance listed between the reviews: resources, dependencies, agreements,
    pledges and accomplishments."""
    for description, kind, goal_index, keys in RESOURCES:
        resource = Resource(
            alliance=alliance,
            description=description,
            kind=kind,
            goal=goals[goal_index],
            responsible=partners[keys[0]] if keys else None,
        )
        registers.add_resource(
            resource=resource,
            partners=[partners[key] for key in keys],
            alliance=alliance,
            author=author,
        )
    for dependent, provider, what, goal_index, strength, both in DEPENDENCIES:
        dependency = Dependency(
            alliance=alliance,
            dependent=partners[dependent],
            provider=partners[provider],
            what=what,
            goal=goals[goal_index],
            strength=strength,
        )
        # Added by the partner that depends, which confirms its side; some are confirmed
        # by the other side too.
        registers.add_dependency(
            dependency=dependency,
            alliance=alliance,
            author=author,
            partner_id=partners[dependent].pk,
        )
        if both:
            registers.confirm_dependency(
                dependency_id=dependency.pk, side="provider", alliance=alliance, author=author
            )
    for title, kind, owner, link, adopted, review_on, status in AGREEMENTS:
        agreement = Agreement(
            alliance=alliance,
            title=title,
            kind=kind,
            owner=partners[owner],
            link=link,
            adopted_on=adopted,
            review_on=review_on,
            status=status,
            created_by=author,
        )
        registers.add_agreement(agreement=agreement, upload=None, alliance=alliance, author=author)
    resources = list(Resource.objects.filter(alliance=alliance).order_by("pk"))
    for key, index, amount, pledged, due, delivery, delivered, note in PLEDGES:
        data = {
            "partner": partners[key].pk,
            "resource": resources[index].pk,
            "amount": amount,
            "pledged_on": pledged.isoformat(),
            "due_on": due.isoformat(),
            "delivery": delivery,
            "delivered_on": delivered.isoformat() if delivered else "",
            "note": note,
        }
        form = _valid(PledgeForm(data, alliance=alliance))
        registers.pledge(form=form, alliance=alliance, author=author)
    for statement, day, goal_index, figure, unit in ACCOMPLISHMENTS:
        accomplishment = Accomplishment(
            alliance=alliance,
            statement=statement,
            achieved_on=day,
            goal=goals[goal_index] if goal_index is not None else None,
            figure=figure,
            unit=unit,
            created_by=author,
        )
        registers.add_accomplishment(
            accomplishment=accomplishment, alliance=alliance, author=author
        )


def _add_commitments(
    alliance, review, component_key, partners, people, author, when, commitments=COMMITMENTS
):
    for key, partner_key, owner, description, due_on, status, reason in commitments:
        if key != component_key:
            continue
        commitment = Commitment(
            alliance=alliance,
            review=review,
            component_key=key,
            description=description,
            partner=partners[partner_key],
            owner=people[owner],
            due_on=due_on,
            status=status,
            status_reason=reason,
            created_by=author,
            created_at=when + timedelta(hours=2),
        )
        record = review.records.get(component_key=key)
        add_commitment(record=record, commitment=commitment, alliance=alliance, author=author)


class Command(BaseCommand):
    help = (
        "Create the invented Harvest County Food Security Alliance, with partners, people "
        f"(password {PASSWORD!r}), a finished review and one half done. Does nothing if it "
        "exists."
    )

    def handle(self, *args, **options):
        if Alliance.objects.filter(slug=SLUG).exists():
            self.stdout.write("The demo alliance already exists; nothing was changed.")
            return
        with transaction.atomic():
            alliance = build_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"The demo alliance “{alliance.name}” is ready. Sign in as "
                f"{PEOPLE[0][1]} (or any @harvest-food.example person) with the password "
                f"{PASSWORD!r}."
            )
        )
