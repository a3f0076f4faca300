"""An alliance grown `times` over: more partners, people, reviews, records, answers and
commitments, for the tests that pin a page's query count with small and large data."""

import datetime

from alliances.models import Membership, Partner, Role
from history.services import create_with_history
from ratings.services import ComponentAnswer, close_check_in
from reviews.models import Commitment, ComponentRecord
from reviews.services import record_component, start_review
from tests.answering import check_in_on, submit_shown
from tests.factories import add_members, make_user


def rate(review, members, keys=("purpose", "power")):
    """A closed check-in on `keys` that every one of `members` answered."""
    check_in = check_in_on(review, keys)
    for membership in members:
        submit_shown(
            membership=membership,
            answers=[ComponentAnswer(r, 4) for r in check_in.rounds.all()],
        )
    close_check_in(check_in=check_in)


def grow(alliance, author, times: int):
    """Add `times` partners, people, reviews (two components recorded and rated in each),
    and five commitments per review."""
    raters = add_members(alliance, 3, start=100)
    for n in range(times):
        partner = Partner.objects.create(alliance=alliance, name=f"Partner {n}")
        person = make_user(f"Person {n}", f"person{n}@example.org")
        Membership.objects.create(alliance=alliance, user=person, role=Role.MEMBER, partner=partner)
        review = start_review(
            alliance=alliance,
            name=f"Review {n}",
            started_on=datetime.date(2020 + n % 5, 1, 1),
            author=author,
        )
        for key in ("purpose", "power"):
            record = ComponentRecord.objects.get(review=review, component_key=key)
            record.notes = f"Notes {n}"
            record.save()
            record_component(record=record, author=author)
        rate(review, raters)
        for c in range(5):
            create_with_history(
                Commitment(
                    alliance=alliance,
                    review=review,
                    component_key="purpose",
                    description=f"Commitment {n}.{c}",
                    partner=partner,
                    owner=person,
                    due_on=datetime.date(2027, 1, 1),
                    created_by=author,
                ),
                alliance=alliance,
                author=author,
            )
