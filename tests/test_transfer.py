"""The whole alliance as one document (docs/alliance-document.md): exported, then imported
into an installation where it is not, it is the same alliance, row for row; a document with
anything wrong is refused with every problem listed, and changes nothing; only what the
thresholds allow of private answers is ever in it."""

import base64
import io
import json
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from alliances.models import Alliance, Membership
from history.models import Revision
from indicators.models import Indicator
from meetings.models import Meeting
from ratings import results
from ratings.models import Participation, Rating, Reflection, Round, SealedAnswer
from records.transfer import TABLES, VERSION, export_alliance
from records.transfer_import import import_alliance
from registers.models import Agreement, Dependency
from reviews.models import Question
from tests import filled_alliance, pages
from tests.factories import PASSWORD

pytestmark = pytest.mark.usefixtures("media_root", "fast_passwords")

# Apps whose models belong to an alliance, and the models the document leaves out (secrets,
# presence, and what belongs to an installation rather than an alliance).
ALLIANCE_APPS = (
    "alliances",
    "reviews",
    "ratings",
    "meetings",
    "registers",
    "indicators",
    "history",
)
LEFT_OUT = {"alliances.invitation", "meetings.connection", "indicators.apitoken"}
# Answers of an open round, sealed with this installation's secret: never in a document.
LEFT_OUT |= {"ratings.sealedanswer"}
# A person's calendar feed: theirs, not the alliance's, and a secret.
LEFT_OUT |= {"meetings.calendarfeed"}
# Models whose rows the document carries in another shape than a list of their own.
CARRIED_ELSEWHERE = {"ratings.participation", "ratings.rating", "ratings.reflection"}


@pytest.fixture
def filled(alliance, review, people, kitchen, food_bank, commitment):
    return filled_alliance.fill(alliance, review, people, kitchen, food_bank)


def through_json(document: dict) -> dict:
    """The document as a file holds it."""
    return json.loads(json.dumps(document))


def delete_alliance(alliance) -> None:
    # A written answer protects its question: the answers go first.
    Reflection.objects.filter(round__review__alliance=alliance).delete()
    alliance.delete()


# Comparing an installation's rows, whatever their ids


def _file(value) -> bytes:
    if not value:
        return b""
    with value.open("rb") as stored:
        return stored.read()


def _describe(obj, depth: int = 2):
    """A row as its values, with each row it points at described in turn (not its id)."""
    if obj is None:
        return None
    if isinstance(obj, User):
        return obj.email
    if isinstance(obj, ContentType):
        return obj.natural_key()
    if depth == 0:
        return obj._meta.label
    values = []
    for f in obj._meta.concrete_fields:
        if f.primary_key or _left_out(obj, f.name):
            continue
        if f.is_relation:
            values.append((f.name, _describe(getattr(obj, f.name), depth - 1)))
        elif isinstance(f, models.FileField):
            values.append((f.name, _file(getattr(obj, f.name))))
        else:
            values.append((f.name, f.value_from_object(obj)))
    if isinstance(obj, Revision):
        model = obj.content_type.model_class()
        about = model.objects.filter(pk=obj.object_id).first()
        values.append(("object", _describe(about, depth - 1)))
    if isinstance(obj, Reflection) and not _text_shown(obj):
        values = [(name, "(not shown)" if name == "text" else v) for name, v in values]
    return tuple(values)


def _left_out(obj, name: str) -> bool:
    """What the document says it does not carry."""
    if isinstance(obj, Round) and name == "settled":
        return True  # this installation's own state of its sealed answers
    if isinstance(obj, Rating) and name == "author":
        return True  # nothing ever shows who gave a rating
    if isinstance(obj, Participation) and name == "user":
        return obj.round.review.anonymous  # who answered an anonymous review
    if isinstance(obj, Revision) and name == "object_id":
        return True  # compared as the row it is about
    # The projector's secret, and the calendar's version of the meeting (its UID names this
    # installation).
    return isinstance(obj, Meeting) and name in {
        "projector_token_hash",
        "calendar_sequence",
        "calendar_changed_at",
    }


def _text_shown(reflection) -> bool:
    review = reflection.round.review
    written = Reflection.objects.filter(round=reflection.round, question=reflection.question)
    return written.count() >= review.reflection_threshold


def _shown_ratings(model):
    """Ratings below the threshold are not in the document: only the count is."""
    if model is not Rating:
        return model.objects.all()
    shown = [
        r.pk
        for r in Round.objects.select_related("review")
        if Participation.objects.filter(round=r).count() >= r.review.rating_threshold
    ]
    return Rating.objects.filter(round__in=shown)


def installation() -> dict:
    """Every row of every model of an alliance, described without ids, in a stable order."""
    rows = {}
    for model in apps.get_models():
        if model._meta.app_label not in ALLIANCE_APPS or model._meta.label_lower in LEFT_OUT:
            continue
        if model is Question:
            queryset = Question.objects.exclude(review=None)  # the framework's stay as they are
        else:
            queryset = _shown_ratings(model)
        rows[model._meta.label] = sorted((_describe(obj) for obj in queryset), key=repr)
    rows["indicator goals"] = sorted(
        (i.name, g.statement) for i in Indicator.objects.all() for g in i.goals.all()
    )
    return rows


def shown() -> list:
    """What `ratings.results` shows of every round: the pages must not tell a difference."""
    questions = list(Question.objects.all())
    seen = []
    for round in Round.objects.select_related("review", "check_in", "goal"):
        result = results.result(
            round, [q for q in questions if q.component_key == round.component_key]
        )
        reflections = [
            (g.question.text, g.count, sorted(g.texts)) for g in result.reflections if g.count
        ]
        seen.append(
            (
                round.review.name,
                round.component_key,
                round.goal.statement if round.goal else None,
                result.count,
                result.closed,
                result.bars,
                result.median,
                reflections,
            )
        )
    return sorted(seen, key=repr)


# The round trip


def test_every_model_of_an_alliance_is_in_the_document_or_said_to_be_left_out():
    in_document = {t.model._meta.label_lower for t in TABLES} | {"alliances.alliance"}
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label in ALLIANCE_APPS:
            assert label in in_document | LEFT_OUT | CARRIED_ELSEWHERE, label


def test_every_foreign_key_of_a_list_points_at_a_list(db):
    for each in TABLES:
        for f in each.fields:
            if f.is_relation:
                assert f.name in each.refs, f"{each.key}.{f.name}"


def test_the_documentation_describes_every_list_and_field(db):
    text = (settings.BASE_DIR / "docs" / "alliance-document.md").read_text()
    sections = dict(
        (part.split("`")[1], part) for part in text.split("\n### ")[1:] if part.startswith("`")
    )
    extras = {
        "agreements": ["file"],
        "indicators": ["goals"],
        "rounds": ["closed", "answers", "participants", "ratings", "reflections"],
        "revisions": ["model", "object"],
    }
    for each in TABLES:
        documented = sections[each.key]
        for name in ["ref", *(f.name for f in each.fields), *extras.get(each.key, [])]:
            assert f"| `{name}` |" in documented, f"{each.key}.{name}"


def test_export_then_import_gives_the_same_alliance(filled):
    before, results_before = installation(), shown()
    document = through_json(export_alliance(filled.alliance))
    delete_alliance(filled.alliance)

    result = import_alliance(document)

    assert result.problems == []
    assert result.alliance.slug == "harvest-alliance"
    assert installation() == before
    assert shown() == results_before


def test_the_round_trip_fills_every_list(filled):
    document = export_alliance(filled.alliance)
    for each in TABLES:
        assert document[each.key], each.key


def test_people_not_on_this_installation_are_created_without_a_usable_password(filled):
    document = through_json(export_alliance(filled.alliance))
    delete_alliance(filled.alliance)
    User.objects.filter(email="otto@example.org").delete()

    alliance = import_alliance(document).alliance

    otto = User.objects.get(email="otto@example.org")
    assert otto.name == "Otto Observer"
    assert not otto.has_usable_password()
    assert Membership.objects.get(alliance=alliance, user=otto).role == "observer"
    # People already here are matched by their email, whatever its case.
    assert User.objects.filter(email="carol@example.org").get().check_password(PASSWORD)


def test_people_are_matched_by_email_whatever_its_case(filled):
    document = through_json(export_alliance(filled.alliance))
    delete_alliance(filled.alliance)
    for person in document["people"]:
        person["email"] = person["email"].upper()
    users = User.objects.count()

    alliance = import_alliance(document).alliance

    assert User.objects.count() == users
    assert alliance.memberships.filter(user__email="carol@example.org", role="coordinator").exists()


def test_an_agreements_file_travels_in_the_document(filled):
    document = export_alliance(filled.alliance)
    (agreement,) = document["agreements"]
    assert agreement["file"]["content_type"] == "application/pdf"
    assert base64.b64decode(agreement["file"]["base64"]) == filled_alliance.PDF
    assert agreement["file_name"] == "Our MOU.pdf"

    delete_alliance(filled.alliance)
    import_alliance(through_json(document))

    imported = Agreement.objects.get()
    with imported.file.open("rb") as stored:
        assert stored.read() == filled_alliance.PDF
    assert imported.file.name.startswith(f"agreements/{imported.alliance_id}/")


def test_a_round_still_open_is_imported_open_without_its_answers(alliance, review, people):
    from tests.answering import answer, check_in_on
    from tests.factories import add_members

    members = add_members(alliance, 3)
    check_in = check_in_on(review, ["purpose"])
    for membership in members:
        answer(membership, check_in.rounds.get(), 4, q1="A thought shown only once closed")
    document = through_json(export_alliance(alliance))
    (round,) = document["rounds"]
    assert (round["closed"], round["answers"], round["ratings"]) == (False, 3, None)
    # Sealed while open: not even how many wrote is known before it closes.
    assert round["reflections"] == []
    assert "A thought shown only once closed" not in json.dumps(document)

    delete_alliance(alliance)
    import_alliance(document)

    imported = Round.objects.get()
    assert imported.is_open
    assert not Participation.objects.exists() and not Rating.objects.exists()
    assert not SealedAnswer.objects.exists()


# Nothing below the thresholds


def test_nothing_below_the_thresholds_is_in_the_document(filled):
    text = json.dumps(export_alliance(filled.alliance))

    for hidden in filled_alliance.HIDDEN_TEXTS:
        assert hidden not in text
    for shown_text in filled_alliance.SHOWN_TEXTS:
        assert shown_text in text


def test_a_round_below_the_threshold_gives_its_count_only(filled):
    document = export_alliance(filled.alliance)
    power = next(r for r in document["rounds"] if r["component_key"] == "power" and r["check_in"])
    assert power["answers"] == 2
    assert power["ratings"] is None
    assert power["participants"] is None


def test_an_anonymous_round_gives_sorted_ratings_and_names_nobody(filled):
    document = export_alliance(filled.alliance)
    purpose = next(
        r
        for r in document["rounds"]
        if r["component_key"] == "purpose" and r["review"] == str(filled.spring.pk)
    )
    assert purpose["ratings"] == [2, 3, 4, 4, 5]
    assert purpose["participants"] is None
    assert {k for k in purpose} >= {"answers", "ratings", "reflections"}
    first, own = sorted(purpose["reflections"], key=lambda g: -g["count"])
    assert first["count"] == 5
    assert sorted(t["text"] for t in first["texts"]) == filled_alliance.SHOWN_TEXTS
    assert {t["author"] for t in first["texts"]} == {None}
    assert (own["count"], own["texts"]) == (2, None)


def test_a_named_round_gives_who_answered_and_the_authors_of_written_answers(filled):
    document = export_alliance(filled.alliance)
    (autumn,) = [r for r in document["rounds"] if r["review"] == str(filled.autumn.pk)]
    refs = {p["ref"]: p["name"] for p in document["people"]}
    assert sorted(refs[ref] for ref in autumn["participants"]) == [
        "Member 0",
        "Member 1",
        "Member 2",
    ]
    (group,) = autumn["reflections"]
    assert sorted((t["text"], refs[t["author"]]) for t in group["texts"]) == [
        ("Named answer by Member 0", "Member 0"),
        ("Named answer by Member 1", "Member 1"),
        ("Named answer by Member 2", "Member 2"),
    ]


def test_the_document_holds_no_day_or_id_of_an_answer(filled):
    document = export_alliance(filled.alliance)
    for round in document["rounds"]:
        for group in round["reflections"]:
            for text in group["texts"] or []:
                assert set(text) == {"text", "author"}
        assert all(isinstance(value, int) for value in round["ratings"] or [])


def test_the_document_holds_no_secret(filled):
    from indicators.models import ApiToken

    token = ApiToken(alliance=filled.alliance, name="County hub")
    secret = token.issue()
    token.save()
    meeting = Meeting.objects.get()
    meeting.issue_projector_token()
    meeting.save()

    text = json.dumps(export_alliance(filled.alliance))

    assert secret not in text and token.digest not in text
    assert meeting.projector_token_hash not in text
    assert "password" not in text


# Refused documents


def row_counts() -> dict:
    return {m._meta.label: m.objects.count() for m in apps.get_models()}


@pytest.fixture
def document(filled):
    """Harvest's document, for an installation where Harvest is not (yet)."""
    document = through_json(export_alliance(filled.alliance))
    delete_alliance(filled.alliance)
    return document


def test_a_document_with_problems_is_refused_with_every_problem_and_changes_nothing(document):
    document["version"] = VERSION + 1
    del document["people"][1]["email"]
    document["goals"][0]["created_by"] = "no-such-person"
    document["partners"][0]["website"] = "not a web address"
    del document["commitments"][0]["description"]
    before = row_counts()

    result = import_alliance(document)

    assert result.alliance is None
    assert result.problems == [
        f"version: {VERSION + 1}: this Accord reads versions 1 to {VERSION} of the document.",
        "people[1].email: missing",
        "partners[0].website: Enter a valid URL.",
        "goals[0].created_by: refers to nothing (no row of “people” has the ref “no-such-person”)",
        "commitments[0].description: missing",
    ]
    assert row_counts() == before


def test_a_version_1_document_gets_the_defaults_of_what_version_2_added(document):
    """Written before languages: the alliance's room speaks the site's language, and its
    meetings' projectors the alliance's."""
    document["version"] = 1
    del document["alliance"]["language"]
    for meeting in document["meetings"]:
        del meeting["projector_languages"]

    result = import_alliance(document)

    assert result.problems == []
    assert result.alliance.language == settings.LANGUAGE_CODE
    assert [
        m.projector_languages for m in Meeting.objects.filter(review__alliance=result.alliance)
    ] == [[]]


def test_a_version_2_document_gets_the_defaults_of_what_version_3_added(document):
    """Written before ties had a strength and sides that confirm them: not said, and not
    confirmed."""
    document["version"] = 2
    for dependency in document["dependencies"]:
        for name in ("strength", "dependent_confirmed", "provider_confirmed"):
            del dependency[name]

    result = import_alliance(document)

    assert result.problems == []
    imported = Dependency.objects.filter(alliance=result.alliance)
    assert imported.exists()
    assert {(d.strength, d.dependent_confirmed, d.provider_confirmed) for d in imported} == {
        ("", False, False)
    }


def test_a_version_2_document_must_have_what_version_2_added(document):
    del document["alliance"]["language"]
    del document["meetings"][0]["projector_languages"]

    assert import_alliance(document).problems == [
        "alliance.language: missing",
        "meetings[0].projector_languages: missing",
    ]


@pytest.mark.parametrize("languages", ["en", [5], ["en", "es", "fr"], {"en": 1}])
def test_a_meetings_projector_languages_are_a_short_list_of_codes(document, languages):
    document["meetings"][0]["projector_languages"] = languages

    assert import_alliance(document).problems == [
        "meetings[0].projector_languages: should be a list of at most two language codes"
    ]


def test_a_document_with_a_wrong_version_only_is_refused(document):
    document["version"] = VERSION + 1
    before = row_counts()

    assert import_alliance(document).problems == [
        f"version: {VERSION + 1}: this Accord reads versions 1 to {VERSION} of the document."
    ]
    assert row_counts() == before


def test_a_file_that_is_not_an_alliance_is_refused_at_once(db):
    assert import_alliance({"format": "accord-review", "version": 1}).problems == [
        "This file is not an alliance exported by Accord: its “format” should be “accord-alliance”."
    ]
    assert import_alliance([1, 2]).problems == import_alliance({}).problems


def test_a_missing_list_and_a_reference_to_nothing_are_each_said(document):
    del document["pledges"]
    document["memberships"][0]["partner"] = "999999"
    document["rounds"][0]["check_in"] = "999999"
    assert document["revisions"][0]["model"] == "alliances.alliance"
    document["revisions"][0]["object"] = "999999"
    document["revisions"][1]["model"] = "nowhere.thing"

    problems = import_alliance(document).problems

    assert "pledges: missing" in problems
    assert (
        "memberships[0].partner: refers to nothing (no row of “partners” has the ref “999999”)"
        in problems
    )
    assert (
        "rounds[0].check_in: refers to nothing (no row of “check_ins” has the ref “999999”)"
        in problems
    )
    assert (
        "revisions[0].object: refers to nothing (no row of “alliance” has the ref “999999”)"
        in problems
    )
    assert "revisions[1].model: this Accord has no “nowhere.thing”" in problems


def test_a_slug_already_used_here_is_refused(filled):
    document = through_json(export_alliance(filled.alliance))
    before = row_counts()

    assert import_alliance(document).problems == [
        "alliance.slug: an alliance here already has the address “harvest-alliance”: it may "
        "have been imported already"
    ]
    assert row_counts() == before


def test_refs_must_be_unique_in_a_list(document):
    document["partners"][1]["ref"] = document["partners"][0]["ref"]
    problems = import_alliance(document).problems
    assert (
        f"partners[1].ref: “{document['partners'][0]['ref']}” is also the ref of partners[0]"
        in problems
    )


def test_rows_the_database_would_refuse_are_said_before_anything_is_written(document):
    pledge = document["pledges"][0]
    pledge["due_on"] = "2027-01-01"  # before it was pledged
    dependency = document["dependencies"][0]
    dependency["provider"] = dependency["dependent"]
    document["alignments"].append(dict(document["alignments"][0], ref="copy"))
    before = row_counts()

    problems = import_alliance(document).problems

    assert problems == [
        "alignments[1]: the same goal, partner as alignments[0]",
        "dependencies[0]: a partner cannot depend on itself",
        "pledges[0]: it is due before it was pledged",
    ]
    assert row_counts() == before


def test_a_file_of_a_refused_kind_is_refused(document):
    document["agreements"][0]["file"] = {
        "name": "plan.pdf",
        "content_type": "application/pdf",
        "base64": base64.b64encode(b"MZ\x90\x00 a program").decode(),
    }
    document["agreements"][0]["file_name"] = "plan.pdf"
    problems = import_alliance(document).problems
    assert problems == [
        "agreements[0].file: Only PDF, office documents and images can be uploaded; this file "
        "is named “plan.pdf” but it is a Windows program."
    ]


def test_a_file_too_big_is_refused(document, settings):
    settings.UPLOAD_MAX_MB = 0
    problems = import_alliance(document).problems
    assert problems == ["agreements[0].file: This file is 0.1 MB; the limit is 0 MB."]


def test_answers_below_the_threshold_cannot_be_imported(document):
    power = next(r for r in document["rounds"] if r["answers"] == 2)
    power["ratings"] = [1, 5]
    purpose = next(r for r in document["rounds"] if r["ratings"] == [2, 3, 4, 4, 5])
    hidden = next(g for g in purpose["reflections"] if g["count"] == 2)
    hidden["texts"] = [{"text": "Planted", "author": None}] * 2
    index = document["rounds"].index(power)

    problems = import_alliance(document).problems

    assert (
        f"rounds[{index}].ratings: fewer than 3 people answered: their ratings cannot be shown"
        in problems
    )
    assert any("fewer than 5 written answers: they cannot be shown" in p for p in problems)


def test_a_value_of_the_wrong_type_is_said_where_it_is(document):
    # Not kept as "True", "12345" or "False", nor 90.5 minutes cut to 90 in silence.
    document["goals"][0]["statement"] = True
    document["partners"][0]["name"] = 12345
    document["meetings"][0]["duration_minutes"] = 90.5
    document["pledges"][0]["amount"] = False
    before = row_counts()

    problems = import_alliance(document).problems

    assert problems == [
        "partners[0].name: should be text, in quotes",
        "goals[0].statement: should be text, in quotes",
        "pledges[0].amount: should be text, in quotes",
        "meetings[0].duration_minutes: should be a whole number",
    ]
    assert row_counts() == before


def test_a_null_character_is_said_where_it_is_before_anything_is_written(document):
    # PostgreSQL stores no NUL in a text or a JSON value: said like any other problem, at its
    # place, not as the database's error after the writing began.
    document["alliance"]["name"] = "Harvest\u0000"
    document["goals"][0]["statement"] = "Feed\u0000 every child"
    document["revisions"][0]["changes"] = {"statement": {"old": "", "new": "\u0000"}}
    purpose = next(r for r in document["rounds"] if r["ratings"] == [2, 3, 4, 4, 5])
    shown = next(g for g in purpose["reflections"] if g["texts"])
    shown["texts"][0]["text"] = "Fed\u0000"
    index = document["rounds"].index(purpose)
    group = purpose["reflections"].index(shown)
    before = row_counts()

    problems = import_alliance(document).problems

    null = "Null characters are not allowed."
    assert problems == [
        f"alliance.name: {null}",
        f"goals[0].statement: {null}",
        f"rounds[{index}].reflections[{group}].texts[0]: {null}",
        f"revisions[0].changes: {null}",
    ]
    assert row_counts() == before


def test_an_anonymous_review_cannot_name_who_answered(document):
    purpose = next(r for r in document["rounds"] if r["ratings"] == [2, 3, 4, 4, 5])
    purpose["participants"] = [document["people"][0]["ref"]] * 5
    index = document["rounds"].index(purpose)
    assert import_alliance(document).problems == [
        f"rounds[{index}].participants: the document of an anonymous review never says who answered"
    ]


# The pages and the commands


def export_url(alliance):
    return reverse("alliances:export", args=[alliance.slug])


IMPORT_URL = reverse("alliances:import")


def test_a_coordinator_downloads_the_alliance(client, filled, people):
    client.force_login(people["carol"])
    response = client.get(export_url(filled.alliance))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="harvest-alliance-')
    assert response["Cache-Control"] == "private, no-store"
    document = json.loads(response.content)
    assert document["format"] == "accord-alliance" and document["version"] == 3


@pytest.mark.parametrize("who,status", [("fiona", 403), ("mia", 403), ("otto", 403), ("olga", 404)])
def test_only_a_coordinator_downloads_the_alliance(client, filled, people, who, status):
    client.force_login(people[who])
    assert client.get(export_url(filled.alliance)).status_code == status


def upload(document) -> io.BytesIO:
    file = io.BytesIO(json.dumps(document).encode())
    file.name = "harvest.json"
    return file


def test_a_coordinator_in_the_document_imports_it(client, document, people):
    # The file names people who have accounts here: only the site's staff may import it.
    User.objects.filter(pk=people["carol"].pk).update(is_staff=True)
    client.force_login(people["carol"])
    response = client.post(IMPORT_URL, {"file": upload(document)})
    alliance = Alliance.objects.get(slug="harvest-alliance")
    assert response.status_code == 302
    assert response["Location"] == reverse("alliances:detail", args=[alliance.slug])


def test_someone_who_is_not_a_coordinator_in_it_cannot_import_it(client, document, people):
    client.force_login(people["mia"])
    before = row_counts()
    response = client.post(IMPORT_URL, {"file": upload(document)})
    assert response.status_code == 200
    assert (
        "You are not a coordinator of this alliance in the file: only one of its coordinators "
        "can import it." in response.content.decode()
    )
    assert row_counts() == before


def test_the_import_page_lists_every_problem(client, document, people):
    del document["people"][1]["email"]
    document["goals"][0]["created_by"] = "nobody"
    client.force_login(people["carol"])
    response = client.post(IMPORT_URL, {"file": upload(document)})
    page = response.content.decode()
    assert "people[1].email: missing" in page
    assert "goals[0].created_by: refers to nothing" in page
    assert "Nothing was imported" in page


def test_the_import_page_refuses_a_file_that_is_not_json(client, people):
    client.force_login(people["carol"])
    file = io.BytesIO(b"\xff\xfe not json")
    file.name = "harvest.json"
    response = client.post(IMPORT_URL, {"file": file})
    assert "This file is not JSON" in response.content.decode()


def test_the_import_page_refuses_a_file_too_big(client, people, settings):
    settings.IMPORT_MAX_MB = 0
    client.force_login(people["carol"])
    response = client.post(IMPORT_URL, {"file": upload({"format": "accord-alliance"})})
    assert "the limit is 0 MB" in response.content.decode()


def test_the_import_page_is_for_signed_in_people(client, db):
    response = client.get(IMPORT_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_commands_export_and_import_an_alliance(filled, tmp_path):
    path = tmp_path / "harvest.json"
    call_command("export_alliance", filled.alliance.slug, output=str(path))
    delete_alliance(filled.alliance)
    out = io.StringIO()

    call_command("import_alliance", str(path), stdout=out)

    assert "Harvest Alliance" in out.getvalue()
    assert Alliance.objects.filter(slug="harvest-alliance").exists()


def test_the_import_command_lists_every_problem(filled, tmp_path):
    path = tmp_path / "harvest.json"
    document = through_json(export_alliance(filled.alliance))
    path.write_text(json.dumps(document))

    with pytest.raises(CommandError) as refused:
        call_command("import_alliance", str(path))

    assert "alliance.slug: an alliance here already has the address" in str(refused.value)


def test_a_file_naming_other_accounts_of_this_site_is_for_the_staff(client, people):
    document = filled_alliance.small_document("harvest-youth", list(people.values()))
    client.force_login(people["carol"])
    before = row_counts()

    response = client.post(IMPORT_URL, {"file": upload(document)})

    page = pages.text(response)
    assert (
        "4 people in this file already have an account on this site: only the site's "
        "administrators can make existing accounts members of an imported alliance." in page
    )
    # Which accounts exist is not said.
    assert people["mia"].email not in page
    assert row_counts() == before
    User.objects.filter(pk=people["carol"].pk).update(is_staff=True)
    assert client.post(IMPORT_URL, {"file": upload(document)}).status_code == 302


@pytest.mark.parametrize("who", ["carol", "fiona", "mia", "otto", "olga"])
def test_anyone_signed_in_imports_a_file_that_names_them_a_coordinator(client, people, who):
    newcomer = SimpleNamespace(email="nadia@elsewhere.example", name="Nadia Newcomer")
    document = filled_alliance.small_document("harvest-youth", [people[who], newcomer])
    client.force_login(people[who])

    response = client.post(IMPORT_URL, {"file": upload(document)})

    assert response.status_code == 302
    assert response["Location"] == "/a/harvest-youth/"
    alliance = Alliance.objects.get(slug="harvest-youth")
    assert alliance.memberships.filter(user=people[who], role="coordinator").exists()


def test_the_import_page_shows_its_form(client, people):
    client.force_login(people["olga"])
    response = client.get(IMPORT_URL)
    assert response.status_code == 200
    assert 'type="file"' in response.content.decode()


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_the_import_page_refuses_other_methods(client, people, method):
    client.force_login(people["olga"])
    assert client.generic(method, IMPORT_URL).status_code == 405


def test_the_demo_alliance_goes_through_export_and_import(db):
    from records.management.commands.seed_demo import build_demo

    alliance = build_demo()
    document = through_json(export_alliance(alliance))
    counts = row_counts()
    delete_alliance(alliance)

    result = import_alliance(document)

    assert result.problems == []
    # Of private answers, what the document shows: nothing of a round still open, a
    # count only below the thresholds (docs/alliance-document.md).
    closed = [r for r in document["rounds"] if r["closed"]]
    assert len(closed) < len(document["rounds"])
    answers = {
        "ratings.Participation": sum(r["answers"] for r in closed),
        "ratings.Rating": sum(len(r["ratings"] or []) for r in closed),
        "ratings.Reflection": sum(g["count"] for r in closed for g in r["reflections"]),
    }
    # The demo's open check-in has sealed answers: they stay behind (its round is empty).
    assert row_counts() == counts | answers | {"ratings.SealedAnswer": 0}


# Hostile files: each is refused beside the file field, at once, and changes nothing
# (docs/alliance-document.md, "Limits").


def raw_upload(data: bytes) -> io.BytesIO:
    file = io.BytesIO(data)
    file.name = "harvest.json"
    return file


def refused_at_once(client, person, data: bytes, django_assert_max_num_queries) -> list[str]:
    """The file field's errors for `data`, checked that nothing was looked up in the
    database (no row of the file was checked) and that nothing was created."""
    client.force_login(person)
    before = row_counts()
    # The session and the person: nothing of the file reaches the database.
    with django_assert_max_num_queries(3):
        response = client.post(IMPORT_URL, {"file": raw_upload(data)})
    assert response.status_code == 200
    assert row_counts() == before
    return pages.form_fields(response)["file"].errors


def test_the_import_page_refuses_deeply_nested_json(client, people, django_assert_max_num_queries):
    # Python's parser would give up with a RecursionError.
    data = b"[" * 100_000 + b"]" * 100_000

    errors = refused_at_once(client, people["carol"], data, django_assert_max_num_queries)

    assert errors == [
        "This file nests lists and objects more than 32 levels deep: it is not a file "
        "exported by Accord."
    ]


def test_the_import_page_refuses_nesting_deeper_than_the_document_ever_is(
    client, people, django_assert_max_num_queries
):
    document = filled_alliance.small_document("harvest-youth", [people["carol"]])
    nested = deep = []
    for _level in range(40):  # within what Python's parser takes, beyond the limit
        deep.append([])
        deep = deep[0]
    document["goals"] = [{"ref": "1", "nested": nested}]

    errors = refused_at_once(
        client, people["carol"], json.dumps(document).encode(), django_assert_max_num_queries
    )

    assert errors == [
        "This file nests lists and objects more than 32 levels deep: it is not a file "
        "exported by Accord."
    ]


def test_brackets_inside_texts_are_not_nesting(document):
    from records.transfer_import import read_document

    document["goals"][0]["statement"] = "[" * 100 + '{"quoted \\" [' + "}" * 50

    assert read_document(io.BytesIO(json.dumps(document).encode())) == document


def test_the_import_page_refuses_300000_people_before_checking_any(
    client, people, django_assert_max_num_queries
):
    # On SQLite, looking up that many addresses in one query fails ("too many SQL
    # variables"); checking each would take many seconds.
    document = filled_alliance.small_document("harvest-youth", [people["carol"]])
    document["people"] += [
        {"ref": f"x{n}", "email": f"person{n}@example.org", "name": "P"} for n in range(300_000)
    ]

    errors = refused_at_once(
        client, people["carol"], json.dumps(document).encode(), django_assert_max_num_queries
    )

    assert errors == [
        "This file names 300,001 people; this Accord imports at most 10,000 people in one alliance."
    ]


def test_the_import_page_refuses_more_rows_than_an_alliance_holds(
    client, people, django_assert_max_num_queries
):
    document = filled_alliance.small_document("harvest-youth", [people["carol"]])
    document["goals"] = [{"ref": str(n)} for n in range(100_000)]

    errors = refused_at_once(
        client, people["carol"], json.dumps(document).encode(), django_assert_max_num_queries
    )

    assert errors == [
        "This file holds more than 100,000 rows (counting each answer of a round); this "
        "Accord imports at most 100,000 rows in one alliance."
    ]


def test_the_answers_of_a_round_count_as_rows(db, people):
    # 32,000 anonymous answers below a threshold of 32,767 would each become a row.
    document = filled_alliance.small_document("harvest-youth", [people["carol"]])
    document["rounds"] = [{"ref": str(n), "answers": 32_000} for n in range(4)]

    assert import_alliance(document).problems == [
        "This file holds more than 100,000 rows (counting each answer of a round); this "
        "Accord imports at most 100,000 rows in one alliance."
    ]


def test_the_import_page_refuses_millions_of_values_before_parsing(
    client, people, django_assert_max_num_queries
):
    # 3.5 million empty objects: parsing them would take over a gigabyte.
    data = b"[" + b",".join([b"{}"] * 1_750_000) + b"]"

    errors = refused_at_once(client, people["carol"], data, django_assert_max_num_queries)

    assert errors == [
        "This file holds more than 3,000,000 values: an alliance this Accord imports holds "
        "fewer. It is not a file exported by Accord, or it is too large."
    ]


def test_the_import_page_refuses_a_file_just_over_the_limit_unread(
    client, people, settings, django_assert_max_num_queries
):
    settings.IMPORT_MAX_MB = 1
    # Not JSON at all: the size is said before anything is read.
    data = b"\x00" * (1024 * 1024 + 1)

    errors = refused_at_once(client, people["carol"], data, django_assert_max_num_queries)

    assert errors == ["This file is 1.1 MB; the limit is 1 MB."]


def test_a_file_at_the_limit_is_read(client, document, people, settings):
    settings.IMPORT_MAX_MB = 1
    data = json.dumps(document).encode()
    data += b" " * (1024 * 1024 - len(data))
    User.objects.filter(pk=people["carol"].pk).update(is_staff=True)
    client.force_login(people["carol"])

    response = client.post(IMPORT_URL, {"file": raw_upload(data)})

    assert response.status_code == 302


def test_checking_a_document_costs_queries_by_kind_not_by_row(document, django_assert_num_queries):
    # Questions of the framework and kinds of revised rows are looked up once each.
    question = document["questions"][0] | {"review": None, "text": "Not a question here"}
    revision = document["revisions"][0]

    def made_up(count: int) -> dict:
        return document | {
            "questions": document["questions"]
            + [question | {"ref": f"q{n}"} for n in range(count)],
            "revisions": document["revisions"]
            + [revision | {"ref": f"r{n}", "model": f"registers.made_up{n}"} for n in range(count)],
        }

    with CaptureQueriesContext(connection) as one:
        import_alliance(made_up(1))
    with django_assert_num_queries(len(one)):
        problems = import_alliance(made_up(2000)).problems

    assert sum("does not know this question" in problem for problem in problems) == 2000
    assert sum("this Accord has no “registers.made_up" in problem for problem in problems) == 2000


def test_the_import_page_lists_the_first_problems_and_counts_them_all(client, people):
    document = filled_alliance.small_document("harvest-youth", [people["carol"]])
    document["goals"] = [{"ref": str(n)} for n in range(300)]
    client.force_login(people["carol"])

    response = client.post(IMPORT_URL, {"file": upload(document)})

    page = pages.text(response)
    problems = import_alliance(document).problems
    assert f"Nothing was imported: the file has {len(problems)} problems." in page
    assert f"These are the first 200 problems of {len(problems)}" in page
    assert problems[199] in page and problems[200] not in page


def test_the_import_command_refuses_a_hostile_file_with_its_reason(db, tmp_path):
    path = tmp_path / "deep.json"
    path.write_bytes(b"[" * 100_000)

    with pytest.raises(CommandError) as refused:
        call_command("import_alliance", str(path))

    assert "nests lists and objects more than 32 levels deep" in str(refused.value)


def test_the_import_page_refuses_a_text_no_database_can_store(
    client, people, django_assert_max_num_queries
):
    # A lone UTF-16 surrogate, escaped: json.loads takes it, saving it would fail.
    document = filled_alliance.small_document("harvest-youth", [people["carol"]])
    document["alliance"]["purpose"] = "\ud800"
    data = json.dumps(document).encode()

    errors = refused_at_once(client, people["carol"], data, django_assert_max_num_queries)

    assert errors == ["This file is not JSON: it is not a file exported by Accord."]


def test_an_emoji_escaped_as_a_surrogate_pair_is_read(people):
    from records.transfer_import import read_document

    document = filled_alliance.small_document("harvest-youth", [people["carol"]])
    document["alliance"]["purpose"] = "Meals for every child 🍎"

    assert read_document(io.BytesIO(json.dumps(document).encode())) == document
