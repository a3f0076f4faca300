"""The review report as a PDF (issue 8): a valid, tagged PDF with a cover, contents with
page numbers and one section per component, then the commitments, the ideas and the
meetings; its text (read back with pypdf) holds each component's record, and nothing below
the review's threshold (K). WeasyPrint reads only our own static files while it makes it."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader
from weasyprint import HTML

from records.views.report import StaticFilesOnly
from tests.factories import add_members, add_values, make_indicator
from tests.growth import grow
from tests.reporting import (
    KEYS,
    REPORT_QUERIES,
    SCALE_LABELS,
    TODAY,
    fill,
    finished_review,
    rate,
    texts,
    write_record,
)

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture
def raters(alliance):
    return add_members(alliance, 3)


@pytest.fixture
def finished(review, fiona, mia, raters):
    """As in tests/test_report.py (tests/reporting.py): every component recorded and rated
    (median 4)."""
    return finished_review(review, fiona, mia, raters)


SECTIONS = [
    "1. Shared purpose",
    "2. Shared power",
    "3. Shared view of interdependence",
    "4. Mutual respect and trust",
    "5. Shared control",
    "6. Shared indicators of progress",
    "Commitments and where they stand",
    "Ideas to improve the alliance",
    "Meetings",
]


def pdf_url(review) -> str:
    return reverse("reviews:report_pdf", args=[review.alliance.slug, review.pk])


def download(client, review, user):
    client.force_login(user)
    response = client.get(pdf_url(review))
    assert response.status_code == 200
    return response, PdfReader(io.BytesIO(response.content))


def words(reader: PdfReader) -> str:
    """The text of every page as one line of words."""
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def page_words(reader: PdfReader, number: int) -> str:
    return " ".join(reader.pages[number - 1].extract_text().split())


def links(reader: PdfReader) -> list[str]:
    """The addresses the PDF's links open (outside the document)."""
    found = []
    for page in reader.pages:
        for annotation in page.get("/Annots", []):
            action = annotation.get_object().get("/A", {})
            if "/URI" in action:
                found.append(str(action["/URI"]))
    return found


def outline(reader: PdfReader) -> list[tuple[str, int]]:
    """The PDF's top-level bookmarks, each with the number of the page it opens."""
    return [
        (item.title, reader.get_destination_page_number(item) + 1)
        for item in reader.outline
        if not isinstance(item, list)
    ]


def test_pdf_of_a_finished_review_is_a_document_with_a_section_per_component(
    client, finished, otto
):
    response, reader = download(client, finished, otto)

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="harvest-alliance-spring-2027-review.pdf"'
    )
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"%PDF-1.7")
    bookmarks = outline(reader)
    assert [title for title, _page in bookmarks] == ["Spring 2027 review", *SECTIONS]
    # The cover is page 1, the contents page 2; each section starts on a page of its own.
    pages = [page for _title, page in bookmarks]
    assert pages[:2] == [1, 3]
    assert pages == sorted(set(pages))
    text = words(reader)
    for key in KEYS:
        for written in texts(key).values():
            assert written in text
    assert text.count("Median rating: 4 out of 5.") == 6
    assert "Finished. All 6 components are recorded." in text
    assert "Draft: review in progress" not in text


def test_pdf_is_in_its_readers_language_with_dates_in_their_locale(client, finished, mia):
    mia.language = "es"
    mia.save()

    response, reader = download(client, finished, mia)

    text = words(reader)
    assert "Iniciada el 1 de marzo de 2027." in text
    assert "Compromisos y en qué punto están" in text
    assert text.count("Calificación mediana: 4 de 5.") == 6
    assert "Terminada." in text
    for section in ("1. Propósito compartido", "6. Indicadores de progreso compartidos"):
        assert section in text
    assert "Median rating" not in text and "Shared purpose" not in text
    # What people wrote stays as they wrote it.
    for written in texts("purpose").values():
        assert written in text


def test_pdf_has_contents_with_page_numbers_and_numbered_pages(client, finished, mia):
    _response, reader = download(client, finished, mia)

    contents = page_words(reader, 2)
    for title, page in outline(reader)[1:]:
        assert re.search(rf"{re.escape(title)}[^0-9]*\.+ ?{page}\b", contents), (title, page)
    total = len(reader.pages)
    assert f"1 / {total}" not in page_words(reader, 1)  # the cover has no page number
    for number in range(2, total + 1):
        assert f"Spring 2027 review {number} / {total}" in page_words(reader, number)


def test_pdf_links_each_meeting_to_its_summary_on_the_site(client, finished, mia, settings):
    _response, reader = download(client, finished, mia)

    meeting = finished.meetings.get()
    summary = reverse("meetings:summary", args=[finished.alliance.slug, meeting.pk])
    assert settings.SITE_URL + summary in links(reader)
    assert "Fiona Facilitator, Mia Member" in words(reader)


def test_pdf_is_tagged_for_accessibility(client, finished, mia):
    _response, reader = download(client, finished, mia)

    catalog = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "en"
    assert reader.metadata.title == "Report of Spring 2027 review · Harvest Alliance"


def test_pdf_draws_its_charts_as_vectors(client, review, mia):
    indicator = make_indicator(
        review.alliance,
        name="Meals served",
        baseline_value=100,
        baseline_date=TODAY - datetime.timedelta(days=90),
        target_value=200,
        target_date=TODAY + datetime.timedelta(days=90),
    )
    add_values(indicator, *[(TODAY - datetime.timedelta(days=d), 200 - d) for d in (60, 30, 1)])
    _response, reader = download(client, review, mia)

    text = words(reader)
    assert "The whole Baseline Target" in text  # the chart's legend
    assert "Target 200 by" in text  # drawn in the chart itself
    for page in reader.pages:
        objects = page["/Resources"].get("/XObject", {})
        assert all(objects[name].get_object()["/Subtype"] != "/Image" for name in objects)


def test_pdf_of_a_review_in_progress_is_marked_a_draft(client, review, mia):
    write_record(review.records.get(component_key="purpose"), **texts("purpose"))
    _response, reader = download(client, review, mia)

    assert [title for title, _page in outline(reader)] == ["Spring 2027 review", *SECTIONS]
    text = words(reader)
    assert "Draft: review in progress" in page_words(reader, 1)
    assert "Draft: review in progress" in page_words(reader, len(reader.pages))
    assert "0 of 6 components are recorded." in text
    assert texts("purpose")["agreements"] in text
    assert text.count("Nobody has rated this component in this review.") == 6


def test_pdf_below_the_threshold_shows_only_how_many_answered(client, review, mia, raters):
    rate(review, raters[:2], ["purpose"], [5, 4], reflections={"q1": "Only we know this."})
    _response, reader = download(client, review, mia)

    text = words(reader)
    assert "2 people answered. 1 more answer needed before ratings are shown." in text
    assert "2 answers" in page_words(reader, 1)  # the triangle on the cover
    assert "Median rating" not in text
    assert not re.search(r"median [0-9]", text)
    assert "4.5" not in text
    for label in SCALE_LABELS:
        assert label not in text
    assert "Only we know this." not in text


@pytest.fixture
def made(monkeypatch):
    """How many PDFs WeasyPrint made (it still makes each: this only counts them)."""
    calls = []
    write_pdf = HTML.write_pdf

    def counted(self, *args, **kwargs):
        calls.append(1)
        return write_pdf(self, *args, **kwargs)

    monkeypatch.setattr(HTML, "write_pdf", counted)
    return calls


def test_pdf_of_the_same_report_is_kept_and_a_change_makes_a_new_one(
    client, review, mia, otto, made
):
    first, _reader = download(client, review, mia)
    # Otto reads the same report, on the same day: the PDF made for Mia is served at once.
    again, _reader = download(client, review, otto)
    assert again.content == first.content
    assert len(made) == 1

    # The facilitator writes what the partners found: the report says more, so a new PDF.
    write_record(review.records.get(component_key="purpose"), **texts("purpose"))
    _response, reader = download(client, review, mia)
    assert len(made) == 2
    assert texts("purpose")["agreements"] in words(reader)

    # In another language the document differs too.
    mia.language = "es"
    mia.save()
    download(client, review, mia)
    assert len(made) == 3


@pytest.mark.parametrize("size", [1, 10], ids=["small", "ten-times"])
def test_pdf_query_count_is_fixed(client, review, fiona, size, django_assert_num_queries):
    grow(review.alliance, fiona, size)
    fill(review, fiona, size)
    client.force_login(fiona)
    # The page's queries, but for the alliance switcher and the live meetings: the PDF has
    # no site header and no banner.
    with django_assert_num_queries(REPORT_QUERIES - 2):
        assert client.get(pdf_url(review)).status_code == 200


def test_pdf_is_for_members_only(client, review, olga):
    assert client.get(pdf_url(review)).status_code == 302  # to sign in
    client.force_login(olga)
    assert client.get(pdf_url(review)).status_code == 404


def test_pdf_wrong_method_is_refused(client, review, carol):
    client.force_login(carol)
    assert client.post(pdf_url(review)).status_code == 405


def test_pdf_file_name_falls_back_to_the_review_number(client, review, mia):
    review.name = "«»"
    review.save()
    response, _reader = download(client, review, mia)

    assert response["Content-Disposition"] == (
        f'attachment; filename="harvest-alliance-{review.pk}.pdf"'
    )


BASE = "http://testserver/"


def test_pdf_reads_our_own_static_files():
    response = StaticFilesOnly(BASE).fetch(BASE + "static/accord/report.css")

    assert response.content_type == "text/css"
    assert b"@page" in response.read()


@pytest.mark.parametrize(
    "address",
    [
        "file:///etc/passwd",
        "http://testserver/static/../../etc/passwd",
        "http://testserver/static/%2e%2e/%2e%2e/etc/passwd",
        "http://testserver/static/accord/../../../etc/passwd",
        "http://testserver/static//etc/passwd",
        "http://testserver/static/accord/missing.css",
        "http://testserver/static/accord/report.css?v=1",
        "http://testserver/media/agreements/mou.pdf",
        "http://evil.example/static/accord/report.css",
        "https://testserver/static/accord/report.css",
        "data:text/css,body{color:red}",
    ],
)
def test_pdf_reads_nothing_else(address):
    with pytest.raises(ValueError, match="Only our own static files"):
        StaticFilesOnly(BASE).fetch(address)
