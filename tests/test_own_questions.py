"""The alliance's own questions (issue 19): a facilitator adds, rewords (a new version) and
retires them; they are asked after the framework's in check-ins and meetings, shown under
the review's thresholds, exported, asked again in a later review and compared with it."""

import json

import pytest
from django.urls import reverse

from ratings import services as ratings
from ratings.models import Reflection
from ratings.services import QuestionsLocked
from reviews.models import Question
from reviews.questions import asked, library
from tests.answering import check_in_on, meeting_at_reflect, submit_shown
from tests.factories import add_members, make_review
from tests.pages import form_fields, messages, text
from tests.reporting import rate

pytestmark = pytest.mark.usefixtures("fast_passwords")

RURAL = "Are the rural partners heard as much as the county ones?"


def questions_url(review):
    return reverse("ratings:questions", args=[review.alliance.slug, review.pk])


@pytest.fixture
def rural(review, fiona):
    return ratings.add_question(review=review, component_key="power", text=RURAL, author=fiona)


def test_a_facilitator_adds_a_question_asked_after_the_frameworks(client, review, fiona):
    client.force_login(fiona)

    response = client.post(
        reverse("ratings:question_add", args=[review.alliance.slug, review.pk]),
        {"component_key": "power", "text": f"  {RURAL}  "},
    )

    assert response.status_code == 302
    question = Question.objects.get(review=review)
    assert (question.origin, question.component_key, question.text, question.version) == (
        "alliance",
        "power",
        RURAL,
        1,
    )
    assert question.created_by == fiona
    power = asked(review, ["power"])["power"]
    assert [q.origin for q in power] == ["framework"] * (len(power) - 1) + ["alliance"]
    assert power[-1] == question
    page = text(client.get(questions_url(review)))
    assert f"{RURAL} (the alliance's own question)" in page


def test_rewording_makes_a_new_version_of_the_same_chain(client, review, fiona, rural):
    client.force_login(fiona)

    response = client.post(
        reverse("ratings:question_edit", args=[review.alliance.slug, rural.pk]),
        {"text": "Are the rural partners heard as much as the others?"},
    )

    assert response.status_code == 302
    rural.refresh_from_db()
    assert rural.retired_at is not None
    new = Question.objects.get(review=review, retired_at=None)
    assert (new.version, new.chain, new.position) == (2, rural.chain, rural.position)
    assert asked(review, ["power"])["power"][-1] == new


def test_a_wording_changed_meanwhile_keeps_what_was_typed_beside_the_newer_one(
    client, review, carol, fiona, rural
):
    edit = reverse("ratings:question_edit", args=[review.alliance.slug, rural.pk])
    client.force_login(fiona)
    client.get(edit)
    # Carol rewords it while Fiona's page is open.
    newer = ratings.reword_question(question=rural, text="Are rural partners heard?", author=carol)

    response = client.post(edit, {"text": "Do the rural partners get a say?"})

    assert response.status_code == 400
    fields = form_fields(response)
    assert fields["text"].value == "Do the rural partners get a say?"
    assert "This wording was changed or retired meanwhile." in text(response)
    assert "Now: “Are rural partners heard?”" in text(response)
    # Sent again, from the page it came back on, it rewords the newer wording.
    action = reverse("ratings:question_edit", args=[review.alliance.slug, newer.pk])
    assert f'action="{action}"' in response.content.decode()
    assert client.post(action, {"text": "Do the rural partners get a say?"}).status_code == 302
    assert [q.text for q in asked(review, ["power"])["power"] if q.review_id] == [
        "Do the rural partners get a say?"
    ]


def test_a_question_retired_meanwhile_keeps_what_was_typed(client, review, carol, fiona, rural):
    client.force_login(fiona)
    ratings.retire_question(question=rural, author=carol)

    response = client.post(
        reverse("ratings:question_edit", args=[review.alliance.slug, rural.pk]),
        {"text": "Do the rural partners get a say?"},
    )

    assert response.status_code == 400
    assert form_fields(response)["text"].value == "Do the rural partners get a say?"
    assert "This wording was changed or retired meanwhile." in text(response)
    assert not asked(review, ["power"])["power"][-1].review_id


def test_a_retired_question_is_no_longer_asked_but_its_answers_stay(client, review, fiona, rural):
    client.force_login(fiona)

    response = client.post(
        reverse("ratings:question_retire", args=[review.alliance.slug, rural.pk])
    )

    assert response.status_code == 302
    assert rural not in asked(review, ["power"])["power"]
    assert Question.objects.filter(pk=rural.pk).exists()


def test_stopping_a_wording_changed_meanwhile_says_so_and_keeps_the_newer_one(
    client, review, carol, fiona, rural
):
    newer = ratings.reword_question(question=rural, text="Are rural partners heard?", author=carol)
    client.force_login(fiona)  # from the page drawn before Carol's change

    response = client.post(
        reverse("ratings:question_retire", args=[review.alliance.slug, rural.pk]), follow=True
    )

    assert messages(response) == ["This wording was changed or retired meanwhile."]
    assert asked(review, ["power"])["power"][-1] == newer


def test_a_question_stopped_twice_is_stopped(client, review, fiona, rural):
    client.force_login(fiona)
    retire = reverse("ratings:question_retire", args=[review.alliance.slug, rural.pk])
    client.post(retire, follow=True)

    response = client.post(retire, follow=True)

    assert messages(response) == ["The question is no longer asked."]
    assert rural not in asked(review, ["power"])["power"]


def test_questions_stay_as_they_are_while_people_answer_about_the_component(
    client, review, fiona, rural
):
    check_in_on(review, ["power"])
    client.force_login(fiona)

    response = client.post(
        reverse("ratings:question_add", args=[review.alliance.slug, review.pk]),
        {"component_key": "power", "text": "Do we share the hard decisions?"},
    )

    assert response.status_code == 400
    assert "Change its questions once that round closes." in text(response)
    assert form_fields(response)["text"].value == "Do we share the hard decisions?"
    with pytest.raises(QuestionsLocked):
        ratings.retire_question(question=rural, author=fiona)
    # Another component is free.
    ratings.add_question(review=review, component_key="trust", text="Do we say so?", author=fiona)


def test_a_member_answers_it_in_a_check_in_and_it_shows_under_the_threshold(
    client, alliance, review, fiona, mia, rural
):
    check_in = check_in_on(review, ["power"])
    client.force_login(mia)
    page = client.get(reverse("ratings:check_in", args=[alliance.slug, check_in.pk]))
    assert RURAL in text(page)
    field = f"power-q{rural.pk}"
    assert field in form_fields(page)

    members = add_members(alliance, 4)
    round = check_in.rounds.get(component_key="power")
    for n, membership in enumerate(members):
        submit_shown(
            membership=membership,
            answers=[
                ratings.ComponentAnswer(
                    round=round, rating=3, reflections={rural: f"Not always, says {n}."}
                )
            ],
        )
    ratings.close_check_in(check_in=check_in)
    round.refresh_from_db()

    # Four answers, below the review's threshold of five written answers: counted, not shown.
    component = text(
        client.get(reverse("reviews:component", args=[alliance.slug, review.pk, "power"]))
    )
    assert RURAL in component
    assert "Not always, says 0." not in component
    assert Reflection.objects.filter(question=rural).count() == 4


def test_it_is_asked_in_a_meetings_reflect_phase(client, review, fiona, mia, rural):
    meeting = meeting_at_reflect(review, fiona, "power")
    client.force_login(mia)

    response = client.get(reverse("meetings:mine", args=[review.alliance.slug, meeting.pk]))

    assert RURAL in response.content.decode()
    assert f'name="power-q{rural.pk}"' in response.content.decode()


def test_the_review_export_lists_it(client, review, carol, rural):
    client.force_login(carol)

    response = client.get(reverse("reviews:export_json", args=[review.alliance.slug, review.pk]))

    document = json.loads(response.content)
    assert RURAL in [q["text"] for q in document["questions"]]


def test_asked_again_in_the_next_review_and_compared(client, alliance, review, carol, fiona, rural):
    raters = add_members(alliance, 5)
    check_in = check_in_on(review, ["power"])
    round = check_in.rounds.get(component_key="power")
    for membership in raters[:2]:
        submit_shown(
            membership=membership,
            answers=[ratings.ComponentAnswer(round=round, rating=4, reflections={rural: "Yes."})],
        )
    ratings.close_check_in(check_in=check_in)
    autumn = make_review(alliance, carol, "Autumn 2027 review")
    assert library(autumn) == [rural]
    client.force_login(fiona)

    response = client.post(
        reverse("ratings:question_reuse", args=[alliance.slug, autumn.pk, rural.pk])
    )

    assert response.status_code == 302
    again = Question.objects.get(review=autumn)
    assert (again.chain, again.text, again.component_key) == (rural.chain, RURAL, "power")
    assert library(autumn) == []
    rate(autumn, raters[:3], ["power"], [3, 3, 3])  # no written answer to it this time
    page = client.get(
        reverse("reviews:compare", args=[alliance.slug]), {"before": review.pk, "after": autumn.pk}
    )
    said = text(page)
    assert "The alliance's own questions, asked in both" in said
    assert f"2. {RURAL} 2 answers 0 answers" in said


def test_a_question_asked_again_twice_is_asked_once(client, alliance, review, carol, fiona, rural):
    autumn = make_review(alliance, carol, "Autumn 2027 review")
    reuse = reverse("ratings:question_reuse", args=[alliance.slug, autumn.pk, rural.pk])
    client.force_login(fiona)
    assert client.post(reuse).status_code == 302

    # The button pressed twice (a double click, a page left open in another tab).
    response = client.post(reuse, follow=True)

    assert "This question is already asked in this review." in text(response)
    assert Question.objects.filter(review=autumn, retired_at=None).count() == 1
    # Nor is a review's own question asked in it a second time.
    client.post(reverse("ratings:question_reuse", args=[alliance.slug, review.pk, rural.pk]))
    assert Question.objects.filter(review=review).count() == 1


@pytest.mark.parametrize("size", [1, 10])
def test_the_questions_page_query_count_is_fixed(
    client, alliance, review, carol, fiona, size, django_assert_num_queries
):
    for n in range(size):
        earlier = make_review(alliance, carol, f"Review {n}")
        ratings.add_question(review=earlier, component_key="power", text=f"Q {n}?", author=fiona)
        ratings.add_question(review=review, component_key="trust", text=f"T {n}?", author=fiona)
    client.force_login(fiona)

    # session, user, membership, alliance switcher, live meetings; the review; the questions
    # asked; the library (the review's chains, the alliance's questions)
    with django_assert_num_queries(9):
        assert client.get(questions_url(review)).status_code == 200


def test_its_answers_show_once_enough_people_wrote(client, alliance, review, fiona, mia, rural):
    check_in = check_in_on(review, ["power"])
    round = check_in.rounds.get(component_key="power")
    for n, membership in enumerate(add_members(alliance, 5)):
        submit_shown(
            membership=membership,
            answers=[
                ratings.ComponentAnswer(round=round, rating=4, reflections={rural: f"Heard {n}."})
            ],
        )
    ratings.close_check_in(check_in=check_in)
    client.force_login(mia)

    page = text(client.get(reverse("reviews:component", args=[alliance.slug, review.pk, "power"])))

    assert RURAL in page
    for n in range(5):  # five written answers: the review's threshold is reached
        assert f"Heard {n}." in page
