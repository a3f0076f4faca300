"""Private ratings and reflections: taking answers, refusing bad ones, and showing results
only under the review's thresholds."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from alliances.models import Membership
from ratings import results
from ratings.models import CheckIn, Participation, Rating, Reflection, Round, SealedAnswer
from ratings.services import (
    AnswerError,
    ComponentAnswer,
    close_check_in,
    close_with_confidence,
    reopen_with_confidence,
)
from reviews.services import start_review
from tests.answering import answer, check_in_on, submit_shown
from tests.factories import add_members


def page_url(check_in):
    return reverse("ratings:check_in", args=[check_in.review.alliance.slug, check_in.pk])


def membership_of(user):
    return Membership.objects.get(user=user)


# Opening a check-in


def test_facilitator_opens_a_check_in_and_members_are_emailed(
    client, review, fiona, carol, mia, otto, food_bank, django_capture_on_commit_callbacks
):
    client.force_login(fiona)
    url = reverse("ratings:check_in_create", args=[review.alliance.slug, review.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"components": ["purpose", "power"], "closes_at": "2030-01-31T17:00", "message": "Hi"},
        )
    check_in = CheckIn.objects.get()
    assert response.status_code == 302
    assert response.url == page_url(check_in)
    assert sorted(check_in.rounds.values_list("component_key", flat=True)) == ["power", "purpose"]
    # Carol and Mia answer; Fiona (outside facilitator) and Otto (observer) do not.
    assert sorted(m.to[0] for m in mail.outbox) == ["carol@example.org", "mia@example.org"]
    assert page_url(check_in) in mail.outbox[0].body
    assert "anonymous" in mail.outbox[0].body


def test_check_in_needs_components_and_a_future_closing_time(client, review, fiona):
    client.force_login(fiona)
    url = reverse("ratings:check_in_create", args=[review.alliance.slug, review.pk])
    response = client.post(url, {"closes_at": "2001-01-01T10:00", "message": "Kept"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {
        "components": ["Choose at least one component."],
        "closes_at": ["Choose a time in the future."],
    }
    assert form["message"].value() == "Kept"
    assert not CheckIn.objects.exists()


def test_a_member_cannot_open_a_check_in(client, review, mia):
    client.force_login(mia)
    url = reverse("ratings:check_in_create", args=[review.alliance.slug, review.pk])
    assert client.get(url).status_code == 403


# Answering


def post_answers(client, check_in, **fields):
    url = reverse("ratings:check_in_answer", args=[check_in.review.alliance.slug, check_in.pk])
    return client.post(url, {"rules": check_in.review.rules, **fields})


def test_a_member_answers_from_the_check_in_page(client, review, mia):
    check_in = check_in_on(review, ["purpose", "interdependence"])
    client.force_login(mia)
    page = client.get(page_url(check_in))
    assert page.status_code == 200
    assert "Do we really believe that we are interdependent?" in page.content.decode()
    question_fields = [n for n in page.context["form"].fields if "-q" in n]
    response = post_answers(
        client,
        check_in,
        **{"purpose-rating": "4", "interdependence-rating": "2", question_fields[0]: "Mostly"},
    )
    assert response.status_code == 302
    after = client.get(page_url(check_in)).content.decode()
    assert "Your answers were received." in after
    assert "They cannot be changed, and nobody can trace them back to you." in after
    # Sealed while the check-in is open (see test_anonymity_storage), written out at close.
    close_check_in(check_in=check_in)
    assert sorted(Rating.objects.values_list("value", flat=True)) == [2, 4]
    assert list(Reflection.objects.values_list("text", flat=True)) == ["Mostly"]


def test_an_empty_submission_is_refused_beside_each_rating(client, review, mia):
    check_in = check_in_on(review, ["purpose", "power"])
    client.force_login(mia)
    response = post_answers(client, check_in)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "purpose-rating": ["Choose a rating from 1 to 5."],
        "power-rating": ["Choose a rating from 1 to 5."],
    }
    assert not Participation.objects.exists()


@pytest.mark.parametrize("value", ["0", "6", "five", "-1"])
def test_a_rating_outside_one_to_five_is_refused(client, review, mia, value):
    check_in = check_in_on(review)
    client.force_login(mia)
    response = post_answers(client, check_in, **{"purpose-rating": value})
    assert response.context["form"].errors == {"purpose-rating": ["A rating goes from 1 to 5."]}
    assert not Rating.objects.exists()


def test_the_service_refuses_a_rating_outside_one_to_five(review, mia):
    round = check_in_on(review).rounds.get()
    with pytest.raises(AnswerError, match="from 1 to 5"):
        submit_shown(membership=membership_of(mia), answers=[ComponentAnswer(round, 7)])
    assert not Participation.objects.exists()


def test_a_written_answer_over_the_limit_is_refused_and_kept(client, review, mia):
    check_in = check_in_on(review)
    client.force_login(mia)
    name = next(n for n in client.get(page_url(check_in)).context["form"].fields if "-q" in n)
    long_text = "x" * 2001
    response = post_answers(client, check_in, **{"purpose-rating": "3", name: long_text})
    assert response.context["form"].errors[name] == [
        "Ensure this value has at most 2000 characters (it has 2001)."
    ]
    assert response.context["form"][name].value() == long_text
    assert not Rating.objects.exists()


def test_written_answers_are_kept_as_plain_text(client, review, mia):
    check_in = check_in_on(review)
    client.force_login(mia)
    name = next(n for n in client.get(page_url(check_in)).context["form"].fields if "-q" in n)
    post_answers(client, check_in, **{"purpose-rating": "3", name: "<script>alert(1)</script>"})
    close_check_in(check_in=check_in)
    assert Reflection.objects.get().text == "<script>alert(1)</script>"
    # Shown escaped on every page: see test_reflections_are_escaped_in_results.


def test_a_second_answer_is_refused_and_changes_nothing(client, review, mia):
    check_in = check_in_on(review)
    client.force_login(mia)
    post_answers(client, check_in, **{"purpose-rating": "4"})
    response = post_answers(client, check_in, **{"purpose-rating": "1"})
    assert response.status_code == 400
    assert "You have answered already. Each person answers once." in response.content.decode()
    close_check_in(check_in=check_in)
    assert list(Rating.objects.values_list("value", flat=True)) == [4]


def test_the_service_refuses_a_second_answer(review, mia):
    check_in = check_in_on(review)
    round = check_in.rounds.get()
    submit_shown(membership=membership_of(mia), answers=[ComponentAnswer(round, 4)])
    with pytest.raises(AnswerError, match="answered already"):
        submit_shown(membership=membership_of(mia), answers=[ComponentAnswer(round, 2)])
    close_check_in(check_in=check_in)
    assert Rating.objects.count() == 1


def test_an_answer_to_a_closed_check_in_is_refused(client, review, mia):
    check_in = check_in_on(review)
    close_check_in(check_in=check_in)
    client.force_login(mia)
    response = post_answers(client, check_in, **{"purpose-rating": "4"})
    assert response.status_code == 400
    assert "This check-in is closed" in response.content.decode()
    assert not Rating.objects.exists()


def test_a_check_in_closes_by_itself_at_its_time(client, review, mia):
    check_in = check_in_on(review)
    CheckIn.objects.filter(pk=check_in.pk).update(closes_at=timezone.now())
    round = check_in.rounds.get()
    with pytest.raises(AnswerError, match="closed"):
        submit_shown(membership=membership_of(mia), answers=[ComponentAnswer(round, 4)])


def test_an_observer_cannot_answer(client, review, otto):
    check_in = check_in_on(review)
    client.force_login(otto)
    assert client.get(page_url(check_in)).context["form"] is None
    response = post_answers(client, check_in, **{"purpose-rating": "4"})
    assert response.status_code == 403
    assert not Rating.objects.exists()


def test_an_outsider_cannot_see_or_answer(client, review, olga):
    check_in = check_in_on(review)
    client.force_login(olga)
    assert client.get(page_url(check_in)).status_code == 404
    assert post_answers(client, check_in, **{"purpose-rating": "4"}).status_code == 404
    assert not Rating.objects.exists()


def test_the_service_refuses_a_member_of_another_alliance(review, olga):
    round = check_in_on(review).rounds.get()
    with pytest.raises(AnswerError, match="not part of this alliance"):
        submit_shown(membership=membership_of(olga), answers=[ComponentAnswer(round, 3)])


# Results and the thresholds


def test_the_facilitator_sees_how_many_answered_but_no_spread_while_open(client, review, fiona):
    check_in = check_in_on(review)
    members = add_members(review.alliance, 4)
    for m in members:
        answer(m, check_in.rounds.get(), 5)
    client.force_login(fiona)
    page = client.get(page_url(check_in)).content.decode()
    assert "4 of 5 people answered." in page
    assert "The spread of ratings is shown once answers are closed." in page
    assert "Median rating" not in page


@pytest.mark.parametrize("answers, shown", [(2, False), (3, True)])
def test_ratings_show_from_the_threshold(client, review, fiona, answers, shown):
    check_in = check_in_on(review)
    for n, m in enumerate(add_members(review.alliance, answers)):
        answer(m, check_in.rounds.get(), [1, 4, 5][n])
    close_check_in(check_in=check_in)
    client.force_login(fiona)
    page = client.get(page_url(check_in)).content.decode()
    assert ("Median rating: <strong>4</strong>" in page) is shown
    assert ("1 more answer needed before ratings are shown." in page) is not shown


@pytest.mark.parametrize("written, shown", [(4, False), (5, True)])
def test_reflections_show_from_their_threshold(client, review, fiona, written, shown):
    check_in = check_in_on(review)
    for n, m in enumerate(add_members(review.alliance, 5)):
        texts = {"q1": f"Thought {n}"} if n < written else {}
        answer(m, check_in.rounds.get(), 3, **texts)
    close_check_in(check_in=check_in)
    client.force_login(fiona)
    page = client.get(page_url(check_in)).content.decode()
    assert ("Thought 0" in page) is shown
    assert ("1 more needed before they are shown." in page) is not shown
    assert f"{written} written answers." in page or shown


def test_result_counts_spread_and_median(review):
    check_in = check_in_on(review)
    for value, m in zip([2, 4, 4, 5], add_members(review.alliance, 4), strict=True):
        answer(m, check_in.rounds.get(), value)
    close_check_in(check_in=check_in)
    result = results.result(check_in.rounds.get())
    assert result.count == 4
    assert [(b.value, b.count, b.percent) for b in result.bars] == [
        (1, 0, 0),
        (2, 1, 25),
        (3, 0, 0),
        (4, 2, 50),
        (5, 1, 25),
    ]
    assert result.median == 4


def test_a_deleted_account_leaves_its_round_counted_and_a_late_answer_hidden(review):
    # A meeting's round, shown to the room with three answers, then reopened.
    round = Round.objects.create(review=review, component_key="purpose")
    first, second, third, late = add_members(review.alliance, 4)
    for membership in (first, second, third):
        answer(membership, round, 4)
    close_with_confidence(round, timezone.now())
    assert results.result(Round.objects.get(pk=round.pk)).shown
    reopen_with_confidence(round)

    first.user.delete()  # an account deleted by the staff meanwhile
    answer(late, Round.objects.get(pk=round.pk), 1)
    close_with_confidence(round, timezone.now())
    result = results.result(Round.objects.get(pk=round.pk))

    # Four answers, and the one given since the room saw three is not shown alone by a
    # spread that would differ from the last one only by it.
    assert (result.count, result.shown, result.more_needed) == (4, False, 2)


def test_in_a_two_member_alliance_the_spread_never_shows(review, alliance):
    Membership.objects.filter(alliance=alliance).delete()
    check_in = check_in_on(review)
    for m in add_members(alliance, 2):
        answer(m, check_in.rounds.get(), 5)
    close_check_in(check_in=check_in)
    result = results.result(check_in.rounds.get())
    assert (result.shown, result.median, result.bars, result.more_needed) == (False, None, (), 1)


def test_reflections_are_escaped_in_results(client, review, fiona):
    check_in = check_in_on(review)
    for m in add_members(review.alliance, 5):
        answer(m, check_in.rounds.get(), 3, q1="<b>bold</b>")
    close_check_in(check_in=check_in)
    client.force_login(fiona)
    page = client.get(page_url(check_in)).content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
    assert "<b>bold</b>" not in page


def test_change_since_the_previous_review(alliance, review, fiona):
    members = add_members(alliance, 3)
    earlier = start_review(
        alliance=alliance, name="2026", started_on=datetime.date(2026, 3, 1), author=fiona
    )
    for r, values in ((earlier, [2, 2, 3]), (review, [4, 4, 5])):
        check_in = check_in_on(r)
        for value, m in zip(values, members, strict=True):
            answer(m, check_in.rounds.get(), value)
        close_check_in(check_in=check_in)
    now = results.review_results(review)
    assert results.change_since(review, now) == {"purpose": 2}
    assert results.change_since(earlier, results.review_results(earlier)) == {}


# Named reviews


def test_named_answers_keep_their_author_and_say_so(client, review, mia):
    review.anonymous = False
    review.save()
    check_in = check_in_on(review)
    answer(membership_of(mia), check_in.rounds.get(), 4, q1="My view")
    client.force_login(mia)
    page = client.get(page_url(check_in)).content.decode()
    assert "Answers are named." in page
    assert "What you answered" in page  # opened from its seal while the check-in is open
    assert "My view" in page
    close_check_in(check_in=check_in)
    assert Rating.objects.get().author == mia
    assert "My view" in client.get(page_url(check_in)).content.decode()


# Many at once


@pytest.mark.django_db(transaction=True)
def test_fifty_members_answering_in_the_same_second_are_all_counted_once(review):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database that runs writers in parallel")
    members = add_members(review.alliance, 50)
    round = check_in_on(review).rounds.get()
    barrier = threading.Barrier(50)
    errors = []

    def answer_now(membership, value):
        try:
            barrier.wait()
            answer(membership, round, value, q1=f"Text {value}")
            # A second, simultaneous attempt by the same person must be refused.
            answer(membership, round, value)
        except AnswerError as error:
            errors.append(str(error))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=answer_now, args=(m, n % 5 + 1)) for n, m in enumerate(members)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == ["You have answered already. Each person answers once."] * 50
    assert Participation.objects.filter(round=round).count() == 50
    assert SealedAnswer.objects.filter(round=round).count() == 50
    close_check_in(check_in=round.check_in)  # answers are readable once the round settles
    assert Rating.objects.filter(round=round).count() == 50
    assert Reflection.objects.filter(round=round).count() == 50
    assert sorted(Rating.objects.values_list("value", flat=True)) == sorted(
        n % 5 + 1 for n in range(50)
    )


# The rules


def rules_url(review):
    return reverse("reviews:rules", args=[review.alliance.slug, review.pk])


def test_review_starts_with_chosen_rules(client, alliance, carol):
    client.force_login(carol)
    client.post(
        reverse("reviews:create", args=[alliance.slug]),
        {
            "name": "Named review",
            "started_on": "2027-01-05",
            "anonymous": "False",
            "rating_threshold": "4",
            "reflection_threshold": "6",
        },
    )
    review = alliance.reviews.get(name="Named review")
    assert (review.anonymous, review.rating_threshold, review.reflection_threshold) == (
        False,
        4,
        6,
    )
    page = client.get(review.get_absolute_url()).content.decode()
    assert "Answers are named." in page
    assert "Ratings are shown from 4 answers, written answers from 6 per question" in page


@pytest.mark.parametrize("field", ["rating_threshold", "reflection_threshold"])
def test_a_threshold_below_three_is_refused(client, review, carol, field):
    client.force_login(carol)
    data = {"anonymous": "True", "rating_threshold": "3", "reflection_threshold": "5", field: "2"}
    response = client.post(rules_url(review), data)
    assert response.context["form"].errors == {
        field: ["At least 3: fewer answers can give a person away."]
    }
    assert response.context["form"][field].value() == "2"
    review.refresh_from_db()
    assert (review.rating_threshold, review.reflection_threshold) == (3, 5)


def test_rules_lock_after_the_first_answer(client, review, carol, mia):
    client.force_login(carol)
    data = {"anonymous": "False", "rating_threshold": "4", "reflection_threshold": "5"}
    answer(membership_of(mia), check_in_on(review).rounds.get(), 3)
    assert review.rules_locked
    response = client.post(rules_url(review), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "These rules are fixed: they have been shown to the members with a form."
    ]
    review.refresh_from_db()
    assert (review.anonymous, review.rating_threshold) == (True, 3)
    assert "These rules are fixed" in client.get(rules_url(review)).content.decode()


def test_rules_can_change_before_any_check_in_or_meeting(client, review, carol):
    client.force_login(carol)
    data = {"anonymous": "False", "rating_threshold": "4", "reflection_threshold": "7"}
    assert client.post(rules_url(review), data).status_code == 302
    review.refresh_from_db()
    assert (review.anonymous, review.rating_threshold, review.reflection_threshold) == (
        False,
        4,
        7,
    )


@pytest.mark.parametrize("page", ["detail", "component", "check_in"])
def test_every_screen_of_the_review_says_which_rules_apply(client, review, mia, page):
    check_in = check_in_on(review)
    client.force_login(mia)
    url = {
        "detail": review.get_absolute_url(),
        "component": reverse("reviews:component", args=[review.alliance.slug, review.pk, "power"]),
        "check_in": page_url(check_in),
    }[page]
    text = client.get(url).content.decode()
    assert "Answers are anonymous." in text
    assert "Ratings are shown from 3 answers, written answers from 5 per question" in text


def test_the_triangle_shows_each_components_median_and_answers(client, review, fiona):
    check_in = check_in_on(review, ["purpose", "power"])
    for m in add_members(review.alliance, 3):
        submit_shown(
            membership=m,
            answers=[
                ComponentAnswer(check_in.rounds.get(component_key="purpose"), 4),
                ComponentAnswer(check_in.rounds.get(component_key="power"), 2),
            ],
        )
    client.force_login(fiona)
    open_page = client.get(review.get_absolute_url()).content.decode()
    assert 'aria-label="1. Shared purpose: in discussion 3 answers"' in open_page
    close_check_in(check_in=check_in)
    page = client.get(review.get_absolute_url()).content.decode()
    assert 'aria-label="1. Shared purpose: in discussion median 4, 3 answers"' in page
    assert 'aria-label="2. Shared power: not started median 2, 3 answers"' in page
    assert 'aria-label="3. Shared view of interdependence: not started"' in page


def test_the_progress_part_alone_is_served_to_htmx(client, review, fiona):
    check_in = check_in_on(review)
    client.force_login(fiona)
    response = client.get(page_url(check_in), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="progress"')
    assert 'hx-trigger="every 10s"' in body
    assert "<html" not in body
    close_check_in(check_in=check_in)
    closed = client.get(page_url(check_in), headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in closed
    assert "Results" in closed


@pytest.mark.parametrize("moment", ["9999-12-31T23:59", "9999-12-31T20:00"])
def test_a_check_in_closing_at_the_calendars_end_is_refused_beside_its_field(
    client, review, fiona, settings, moment
):
    settings.TIME_ZONE = "America/New_York"
    client.force_login(fiona)
    url = reverse("ratings:check_in_create", args=[review.alliance.slug, review.pk])

    response = client.post(url, {"components": ["purpose"], "closes_at": moment, "message": "Kept"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "closes_at": ["Enter a date and time, for example 2027-03-01 17:00."]
    }
    assert response.context["form"]["message"].value() == "Kept"
    assert not CheckIn.objects.exists()
