"""A review as open data: one JSON document, or a zip of CSV files, for any member. Private
answers are in them only as the review's pages show them: nothing below the thresholds,
nothing of a round still open, no author in an anonymous review."""

import csv
import datetime
import io
import json
import zipfile

import pytest
from django.urls import reverse

from reviews.models import ComponentRecord
from reviews.services import record_component
from tests import filled_alliance
from tests.answering import answer, check_in_on
from tests.factories import add_members
from tests.growth import rate

pytestmark = pytest.mark.usefixtures("media_root", "fast_passwords")

CSV_FILES = {
    "README.txt",
    "review.csv",
    "people.csv",
    "partners.csv",
    "goals.csv",
    "indicators.csv",
    "questions.csv",
    "records.csv",
    "check_ins.csv",
    "rounds.csv",
    "ratings.csv",
    "written_answers.csv",
    "reflections.csv",
    "commitments.csv",
    "meetings.csv",
    "stories.csv",
    "impact_answers.csv",
}


@pytest.fixture
def filled(alliance, review, people, kitchen, food_bank, commitment):
    return filled_alliance.fill(alliance, review, people, kitchen, food_bank)


def json_url(review):
    return reverse("reviews:export_json", args=[review.alliance.slug, review.pk])


def zip_url(review):
    return reverse("reviews:export_csv", args=[review.alliance.slug, review.pk])


def exported(client, review) -> dict:
    response = client.get(json_url(review))
    assert response.status_code == 200
    return json.loads(response.content)


def unzipped(client, review) -> dict[str, str]:
    response = client.get(zip_url(review))
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name).decode("utf-8-sig") for name in archive.namelist()}


def table(files: dict, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(files[name])))


# Downloads


def test_a_review_downloads_as_json(client, filled, people):
    client.force_login(people["otto"])  # an observer may take it
    response = client.get(json_url(filled.spring))
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="spring-2027-review.json"'
    assert response["Cache-Control"] == "private, no-store"
    document = json.loads(response.content)
    assert (document["format"], document["version"]) == ("accord-review", 1)
    assert document["review"]["name"] == "Spring 2027 review"
    assert document["alliance"] == {
        "name": "Harvest Alliance",
        "slug": "harvest-alliance",
        "community": "Families in Harvest County",
    }
    assert [r["component_key"] for r in document["records"]] == [
        "purpose",
        "power",
        "interdependence",
        "trust",
        "control",
        "indicators",
    ]


def test_a_review_downloads_as_a_zip_of_csv_files(client, filled, people):
    client.force_login(people["otto"])
    response = client.get(zip_url(filled.spring))
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="spring-2027-review.zip"'
    assert response["Cache-Control"] == "private, no-store"
    files = unzipped(client, filled.spring)
    assert set(files) == CSV_FILES
    assert "ratings.csv" in files["README.txt"]
    assert "Spring 2027 review, a review of Harvest Alliance" in files["README.txt"]


def test_the_csv_files_parse_back_to_the_json_document(client, filled, people):
    client.force_login(people["mia"])
    document, files = exported(client, filled.spring), unzipped(client, filled.spring)

    (review,) = table(files, "review.csv")
    assert review["name"] == "Spring 2027 review"
    assert review["anonymous"] == "true"
    records = table(files, "records.csv")
    assert [(r["ref"], r["state"]) for r in records] == [
        (r["ref"], r["state"]) for r in document["records"]
    ]
    assert "snapshot" not in records[0]
    (commitment,) = table(files, "commitments.csv")
    assert commitment["description"] == "Share the pantry schedule with every partner"
    people_by_ref = {p["ref"]: p["name"] for p in table(files, "people.csv")}
    assert people_by_ref[commitment["owner"]] == "Mia Member"
    assert table(files, "people.csv")[0].keys() == {"ref", "name"}
    (meeting,) = table(files, "meetings.csv")
    assert (meeting["place"], meeting["agenda"], meeting["attendance"]) == (
        "Town hall",
        "power",
        "2",
    )
    ratings = table(files, "ratings.csv")
    assert sorted(int(r["value"]) for r in ratings) == sorted(
        v for r in document["rounds"] for v in r["ratings"] or []
    )
    texts = [r["text"] for r in table(files, "reflections.csv")]
    assert sorted(texts) == filled_alliance.SHOWN_TEXTS


def test_the_files_are_the_same_in_every_language_with_iso_dates_and_decimal_points(
    client, filled, people
):
    """A spreadsheet or a script reads them: dates stay year-month-day and numbers keep a
    decimal point, whatever language the person downloading reads Accord in."""
    person = people["mia"]
    client.force_login(person)
    english_json, english = exported(client, filled.spring), unzipped(client, filled.spring)
    person.language = "es"
    person.save()

    spanish_json, spanish = exported(client, filled.spring), unzipped(client, filled.spring)

    def lines(files):  # written answers come in a new shuffled order on each download
        return {name: sorted(text.splitlines()) for name, text in files.items() if ".csv" in name}

    assert lines(spanish) == lines(english)
    assert spanish_json["review"] == english_json["review"]
    assert spanish_json["commitments"] == english_json["commitments"]
    (review,) = table(spanish, "review.csv")
    assert review["started_on"] == "2027-03-01"
    assert all("," not in row["value"] for row in table(spanish, "ratings.csv"))


def test_the_document_names_people_without_their_email(client, filled, people):
    client.force_login(people["mia"])
    response = client.get(json_url(filled.spring))
    assert b"@example.org" not in response.content.replace(b"mia@example.org", b"")
    document = json.loads(response.content)
    assert all(set(p) == {"ref", "name"} for p in document["people"])


# Nothing below the thresholds


def everything(client, review) -> str:
    """Both exports of the review, as one text to search."""
    return json.dumps(exported(client, review)) + "".join(unzipped(client, review).values())


def test_a_finished_review_shows_what_its_pages_show(client, filled, people):
    for key in ("power", "interdependence", "trust", "control", "indicators"):
        record_component(
            record=ComponentRecord.objects.get(review=filled.spring, component_key=key),
            author=people["fiona"],
        )
    client.force_login(people["mia"])
    document = exported(client, filled.spring)

    assert {r["state"] for r in document["records"]} == {"recorded"}
    assert all(r["snapshot"] for r in document["records"] if r["component_key"] != "purpose")
    purpose = next(
        r for r in document["rounds"] if r["component_key"] == "purpose" and r["check_in"]
    )
    assert (purpose["answers"], purpose["ratings"], purpose["median"]) == (5, [2, 3, 4, 4, 5], 4)
    text = everything(client, filled.spring)
    for hidden in filled_alliance.HIDDEN_TEXTS:
        assert hidden not in text


def test_a_round_below_the_threshold_gives_only_its_count(client, filled, people):
    client.force_login(people["mia"])
    document = exported(client, filled.spring)
    power = next(r for r in document["rounds"] if r["component_key"] == "power" and r["check_in"])
    assert (power["closed"], power["answers"], power["ratings"], power["median"]) == (
        True,
        2,
        None,
        None,
    )
    files = unzipped(client, filled.spring)
    assert not [r for r in table(files, "ratings.csv") if r["round"] == power["ref"]]
    (row,) = [r for r in table(files, "rounds.csv") if r["ref"] == power["ref"]]
    assert (row["answers"], row["median"]) == ("2", "")


def test_written_answers_below_the_threshold_give_only_their_count(client, filled, people):
    client.force_login(people["mia"])
    files = unzipped(client, filled.spring)
    counts = {(r["count"], r["shown"]) for r in table(files, "written_answers.csv")}
    assert counts == {("5", "true"), ("2", "false")}
    assert not any(
        hidden in everything(client, filled.spring) for hidden in filled_alliance.HIDDEN_TEXTS
    )


def test_a_review_in_progress_shows_nothing_of_an_open_round(client, alliance, review, people):
    members = add_members(alliance, 6)
    check_in = check_in_on(review, ["purpose"])
    for n, membership in enumerate(members):
        answer(membership, check_in.rounds.get(), 1 + n % 5, q1=f"Still private {n}")
    client.force_login(people["mia"])

    document = exported(client, review)

    (round,) = document["rounds"]
    assert (round["closed"], round["answers"], round["ratings"], round["median"]) == (
        False,
        6,
        None,
        None,
    )
    # Sealed while open: not even how many wrote is known before it closes.
    assert round["reflections"] == []
    assert "Still private" not in everything(client, review)
    assert table(unzipped(client, review), "ratings.csv") == []


def test_a_named_review_gives_the_authors_of_written_answers(client, filled, people):
    client.force_login(people["mia"])
    files = unzipped(client, filled.autumn)
    names = {p["ref"]: p["name"] for p in table(files, "people.csv")}
    assert sorted((r["text"], names[r["author"]]) for r in table(files, "reflections.csv")) == [
        (text, f"Member {n}") for n, text in enumerate(filled_alliance.NAMED_TEXTS)
    ]


def test_an_anonymous_review_names_no_author(client, filled, people):
    client.force_login(people["mia"])
    files = unzipped(client, filled.spring)
    assert {r["author"] for r in table(files, "reflections.csv")} == {""}
    document = exported(client, filled.spring)
    assert all(r["participants"] is None for r in document["rounds"])


def test_the_exports_hold_only_this_review(client, filled, people):
    client.force_login(people["mia"])
    text = everything(client, filled.spring)
    for named in filled_alliance.NAMED_TEXTS:
        assert named not in text


# Access and cost


@pytest.mark.parametrize("url", [json_url, zip_url])
def test_an_outsider_gets_404(client, filled, people, url):
    client.force_login(people["olga"])
    assert client.get(url(filled.spring)).status_code == 404


@pytest.mark.parametrize("url", [json_url, zip_url])
def test_a_visitor_is_sent_to_sign_in(client, filled, url):
    response = client.get(url(filled.spring))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("url", [json_url, zip_url])
def test_only_get_is_allowed(client, filled, people, url):
    client.force_login(people["mia"])
    assert client.post(url(filled.spring)).status_code == 405


def grow(review, people, kitchen, times: int) -> None:
    """More commitments and meetings: what a review gathers besides rounds."""
    from history.services import create_with_history
    from meetings import services as meetings
    from reviews.models import Commitment

    for n in range(times):
        commitment = Commitment(
            alliance=review.alliance,
            review=review,
            component_key="power",
            description=f"Commitment {n}",
            partner=kitchen,
            owner=people["mia"],
            due_on=datetime.date(2027, 6, 30),
        )
        create_with_history(commitment, alliance=review.alliance, author=people["mia"])
        meetings.plan_meeting(
            review=review,
            agenda=["power"],
            author=people["fiona"],
            starts_at=datetime.datetime(2027, 6, 1 + n, 17, tzinfo=datetime.UTC),
            facilitator=people["fiona"],
        )


# session, user, membership; review; the review's own questions; its rounds; the
# framework's questions; the rounds' counts and values (2); who answered the rounds of a
# named review (none here); the rounds' written answers, however many rounds: their counts
# and the texts shown (2; `ratings.results.results_of`); records; check-ins; commitments;
# meetings; stories; impact answers; the people, partners, goals and indicators named (4).
EXPORT_QUERIES = 21


@pytest.mark.parametrize("url", [json_url, zip_url])
def test_the_query_count_does_not_grow_with_commitments_or_meetings(
    client, filled, people, kitchen, django_assert_num_queries, url
):
    client.force_login(people["mia"])
    with django_assert_num_queries(EXPORT_QUERIES):
        client.get(url(filled.spring))
    grow(filled.spring, people, kitchen, 5)
    with django_assert_num_queries(EXPORT_QUERIES):
        client.get(url(filled.spring))


@pytest.mark.parametrize("url", [json_url, zip_url])
def test_the_query_count_does_not_grow_with_rated_rounds(
    client, filled, people, django_assert_num_queries, url
):
    client.force_login(people["mia"])
    for n in range(3):  # three more check-ins, each answered and closed
        rate(filled.spring, add_members(filled.spring.alliance, 3, start=300 + 10 * n))
    with django_assert_num_queries(EXPORT_QUERIES):
        assert client.get(url(filled.spring)).status_code == 200
