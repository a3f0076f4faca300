"""The promise of anonymity cannot change under a person's feet. The attacker is a
coordinator who, once members were shown (and emailed) the anonymous form, switches the
review to named so that the next answers carry their authors; or anyone who changes the
rules where the pages do not look (the database). Each test failed before: the rules
locked only at the first answer, an answer was taken under whatever rules stood when it
arrived, and a change of rules left no revision."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from history.models import Revision
from meetings import live
from meetings import services as meetings
from meetings.models import Phase
from ratings.models import Participation, Rating, SealedAnswer
from ratings.services import RulesChanged, close_check_in, submit
from reviews.models import Question, Review
from tests import pages
from tests.answering import check_in_on, meeting_at_reflect

NAMED = {"anonymous": "False", "rating_threshold": "3", "reflection_threshold": "5"}
CHANGED = (
    "The rules of this review changed after this form was shown to you (answers are now "
    "named: your name would be shown with your answer; ratings shown from 3 answers, "
    "written answers from 5). Nothing was sent. Read the rules above, then send your "
    "answer again if you still wish to."
)


def rules_url(review) -> str:
    return reverse("reviews:rules", args=[review.alliance.slug, review.pk])


def check_in_url(name, check_in) -> str:
    return reverse(f"ratings:{name}", args=[check_in.review.alliance.slug, check_in.pk])


def question() -> Question:
    return Question.objects.get(component_key="purpose", review=None, position=1, retired_at=None)


def behind_their_back(review, **rules) -> None:
    """Change the rules where no page looks: the database row itself."""
    Review.objects.filter(pk=review.pk).update(**rules)


def form_data(response, **answers) -> dict:
    """What the browser sends back: the form's hidden rules, and the person's answers."""
    form = response.context.get("form") or response.context["answer_form"]
    return {"rules": form["rules"].value(), **answers}


# Locked once stated


def test_once_a_check_in_is_open_the_coordinator_cannot_switch_to_named(client, review, carol):
    client.force_login(carol)
    opened = client.post(
        reverse("ratings:check_in_create", args=[review.alliance.slug, review.pk]),
        {"components": ["purpose"], "closes_at": "2030-01-31T17:00"},
    )
    assert opened.status_code == 302  # and emailed, under anonymous rules

    response = client.post(rules_url(review), NAMED)

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "These rules are fixed: they have been shown to the members with a form."
    ]
    review.refresh_from_db()
    assert review.anonymous is True
    assert "Change the rules of private answers" not in pages.text(
        client.get(review.get_absolute_url())
    )


def test_once_a_meeting_reaches_a_reflect_phase_the_rules_are_fixed(client, people, review):
    meeting = meetings.plan_meeting(
        review=review,
        agenda=meetings.default_agenda(review),
        author=people["fiona"],
        starts_at=datetime.datetime(2027, 5, 3, 17, tzinfo=datetime.UTC),
        place="Town hall",
        facilitator=people["fiona"],
    )
    meetings.start(meeting=meeting, actor=people["fiona"])
    reflect = meeting.phases.get(kind=Phase.Kind.REFLECT, component_key="purpose")
    assert not review.rules_locked  # planning and starting state nothing yet
    while live.load(meeting.pk).current.position < reflect.position:
        meetings.advance(meeting=live.load(meeting.pk), actor=people["fiona"], confirmed=True)

    assert review.rules_locked
    client.force_login(people["carol"])
    client.post(rules_url(review), NAMED)
    review.refresh_from_db()
    assert review.anonymous is True


def test_the_service_refuses_a_change_once_locked(review, carol):
    from reviews.services import ReviewRuleError, change_rules

    check_in_on(review)
    with pytest.raises(ReviewRuleError, match="fixed"):
        change_rules(review=review, author=carol, anonymous=False)
    assert Review.objects.get(pk=review.pk).anonymous is True


# An answer is taken only under the rules its person was shown


def test_a_check_in_form_shown_anonymous_is_refused_once_the_rules_changed(client, review, mia):
    check_in = check_in_on(review)
    client.force_login(mia)
    shown = client.get(check_in_url("check_in", check_in))
    typed = {"purpose-rating": "2", f"purpose-q{question().pk}": "The kitchen is never heard."}
    behind_their_back(review, anonymous=False)

    response = client.post(check_in_url("check_in_answer", check_in), form_data(shown, **typed))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [CHANGED]
    assert "The kitchen is never heard." in response.content.decode()  # nothing typed is lost
    assert "Answers are named." in pages.text(response)  # the rules as they are now
    assert not Participation.objects.exists() and not SealedAnswer.objects.exists()

    # Having read the new rules, she may still send: it is then taken under them.
    again = client.post(check_in_url("check_in_answer", check_in), form_data(response, **typed))
    assert again.status_code == 302
    close_check_in(check_in=check_in)
    assert Rating.objects.get().author == mia


def test_a_form_that_states_no_rules_is_refused(client, review, mia):
    check_in = check_in_on(review)
    client.force_login(mia)
    response = client.post(check_in_url("check_in_answer", check_in), {"purpose-rating": "4"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        CHANGED.replace(
            "answers are now named: your name would be shown with your answer",
            "answers are now anonymous",
        )
    ]
    assert not Participation.objects.exists()


def test_a_meeting_reflect_form_shown_anonymous_is_refused_once_the_rules_changed(
    client, people, review
):
    meeting = meeting_at_reflect(review, people["fiona"])
    client.force_login(people["mia"])
    url = reverse("meetings:mine", args=[review.alliance.slug, meeting.pk])
    shown = client.get(url)
    typed = {"purpose-rating": "1", f"purpose-q{question().pk}": "Said only if unnamed."}
    behind_their_back(review, anonymous=False)

    response = client.post(
        reverse("meetings:reflect", args=[review.alliance.slug, meeting.pk]),
        form_data(shown, **typed),
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert CHANGED in pages.text(response)
    assert "Said only if unnamed." in response.content.decode()
    assert not Participation.objects.exists() and not SealedAnswer.objects.exists()


def test_the_service_takes_an_answer_only_under_the_rules_it_was_given(review, mia):
    from ratings.services import ComponentAnswer

    round = check_in_on(review).rounds.get()
    membership = mia.memberships.get()
    shown = review.rules
    behind_their_back(review, rating_threshold=4)

    with pytest.raises(RulesChanged):
        submit(membership=membership, answers=[ComponentAnswer(round, 3)], rules=shown)
    assert not Participation.objects.exists()


# Every change of rules is kept


def revisions(review):
    return Revision.objects.filter(
        content_type=ContentType.objects.get_for_model(Review), object_id=review.pk
    ).order_by("version")


def test_every_change_of_rules_is_kept_in_the_reviews_history(client, alliance, carol):
    client.force_login(carol)
    client.post(
        reverse("reviews:create", args=[alliance.slug]),
        {
            "name": "Autumn review",
            "started_on": "2027-09-01",
            **{**NAMED, "anonymous": "True"},
        },
    )
    review = Review.objects.get(name="Autumn review")
    client.post(rules_url(review), {**NAMED, "rating_threshold": "4"})
    client.post(rules_url(review), {**NAMED, "rating_threshold": "4"})  # no change: no revision

    created, changed = revisions(review)
    assert created.action == "created" and created.changes["anonymous"]["new"] == "True"
    assert changed.action == "changed" and changed.author == carol
    assert changed.changes == {
        "anonymous": {"label": "anonymous answers", "old": "True", "new": "False"},
        "rating_threshold": {
            "label": "answers needed before ratings are shown",
            "old": "3",
            "new": "4",
        },
    }
    history = client.get(
        reverse("alliances:history", args=[alliance.slug, "reviews.review", review.pk])
    )
    assert "Answers needed before ratings are shown Before: 3 After: 4" in pages.text(history)


def test_every_screen_that_states_the_rules_says_what_is_guaranteed_and_its_limit(
    client, review, mia
):
    check_in = check_in_on(review)
    client.force_login(mia)
    for url in (review.get_absolute_url(), check_in_url("check_in", check_in)):
        text = pages.text(client.get(url))
        assert "nothing in the database, in a copy of it or in a backup links an answer" in text
        assert (
            "someone who held both the server's secret key and a live view of the database "
            "while answers were arriving could link them"
        ) in text
