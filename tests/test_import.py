"""Importing an indicator's values from a CSV file: the file is read and every row shown
first, each bad row with its line number and the reason; nothing is saved until the person
confirms, and then only the good rows, each with who reported it and a revision."""

import datetime
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from history.models import Revision
from indicators import values
from indicators.models import Breakdown, Indicator, Value
from tests import pages

pytestmark = pytest.mark.usefixtures("fast_passwords")

WRITE_REFUSAL = (
    "Observers can read but not change anything; a member, facilitator or coordinator can do this."
)
STALE = (
    "This preview is no longer available: it was imported already, replaced by a newer "
    "upload, or made by someone else. Upload the file again."
)


@pytest.fixture
def meals(alliance, carol):
    """Meals served, by county, measured since a baseline at the start of 2027."""
    indicator = Indicator.objects.create(
        alliance=alliance,
        name="Meals served",
        unit="meals",
        breakdown_label="county",
        baseline_value=Decimal("100"),
        baseline_date=datetime.date(2027, 1, 1),
        created_by=carol,
    )
    Breakdown.objects.create(indicator=indicator, name="North County", position=1)
    Breakdown.objects.create(indicator=indicator, name="South County", position=2)
    return indicator


def import_url(indicator):
    return reverse("indicators:import", args=[indicator.alliance.slug, indicator.pk])


def indicator_url(indicator):
    return f"/a/{indicator.alliance.slug}/indicators/{indicator.pk}/"


def csv_file(content, name="values.csv"):
    data = content.encode() if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="text/csv")


def upload(client, indicator, content, name="values.csv"):
    return client.post(import_url(indicator), {"file": csv_file(content, name)})


def preview_of(client, indicator, content, name="values.csv"):
    """Upload `content` and return the preview page and its import id."""
    response = upload(client, indicator, content, name)
    assert response.status_code == 302, pages.form_fields(response)["file"].errors
    match = re.fullmatch(
        rf"/a/{indicator.alliance.slug}/indicators/{indicator.pk}/import/([0-9a-f]{{32}})/",
        response.url,
    )
    assert match, response.url
    return client.get(response.url), match.group(1)


def confirm_url(indicator, import_id):
    return reverse(
        "indicators:import_confirm", args=[indicator.alliance.slug, indicator.pk, import_id]
    )


def file_errors(response):
    assert response.status_code == 200
    return pages.form_fields(response)["file"].errors


class _Tables(HTMLParser):
    """Each table of a page, by its caption: its rows as lists of cell texts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self._rows = None
        self._cell = None
        self._caption = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._rows = []
        elif tag == "caption":
            self._caption = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in {"td", "th"} and self._rows is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "caption":
            self._name = " ".join("".join(self._caption).split())
            self._caption = None
        elif tag in {"td", "th"} and self._cell is not None:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self.tables[self._name] = self._rows
            self._rows = None

    def handle_data(self, data):
        if self._caption is not None:
            self._caption.append(data)
        elif self._cell is not None:
            self._cell.append(data)


def table(response, caption_start):
    parser = _Tables()
    parser.feed(response.content.decode())
    for caption, rows in parser.tables.items():
        if caption.startswith(caption_start):
            return rows
    raise AssertionError(f"No table “{caption_start}…” in {list(parser.tables)}")


def bad_rows(response):
    return table(response, "Rows with problems")


def good_rows(response):
    return table(response, "Rows that can be imported")


GOOD = """date,value,breakdown,note
2027-01-31,120,,Counted at the pantry
2027-01-31,70,North County,
2027-01-31,50,south county,Two sites closed
"""


def test_a_good_file_is_shown_first_and_imported_only_when_confirmed(client, meals, mia):
    client.force_login(mia)

    page, import_id = preview_of(client, meals, GOOD)

    assert "3 rows can be imported; 0 rows have problems." in pages.text(page)
    assert "read as UTF-8, with columns separated by commas" in pages.text(page)
    assert good_rows(page) == [
        ["Line", "Date", "Value", "Breakdown", "Note", "Worth knowing"],
        ["2", "2027-01-31", "120", "the whole", "Counted at the pantry", "nothing"],
        ["3", "2027-01-31", "70", "North County", "", "nothing"],
        ["4", "2027-01-31", "50", "South County", "Two sites closed", "nothing"],
    ]
    assert not Value.objects.exists()

    response = client.post(confirm_url(meals, import_id))

    assert response.status_code == 302
    assert response.url == indicator_url(meals)
    assert pages.messages(client.get(import_url(meals))) == ["3 values imported."]
    imported = list(
        Value.objects.order_by("pk").values_list(
            "date", "value", "breakdown__name", "note", "origin", "reported_by"
        )
    )
    day = datetime.date(2027, 1, 31)
    assert imported == [
        (day, Decimal("120"), None, "Counted at the pantry", "import", mia.pk),
        (day, Decimal("70"), "North County", "", "import", mia.pk),
        (day, Decimal("50"), "South County", "Two sites closed", "import", mia.pk),
    ]
    revisions = Revision.objects.filter(
        content_type=ContentType.objects.get_for_model(Value),
        object_id__in=Value.objects.values("pk"),
    )
    assert sorted(revisions.values_list("action", "author")) == [("created", mia.pk)] * 3


def test_a_preview_is_imported_once(client, meals, mia):
    client.force_login(mia)
    _page, import_id = preview_of(client, meals, GOOD)
    client.post(confirm_url(meals, import_id))
    client.get(import_url(meals))  # shows "3 values imported."

    response = client.post(confirm_url(meals, import_id))

    assert response.url == import_url(meals)
    assert pages.messages(client.get(response.url)) == [STALE]
    assert Value.objects.count() == 3


BAD = """date,value,breakdown,note
2027-01-31,10,,
31/02/2027,11,,
2027-02-28,lots,,
2027-03-31,12,West County,
2027-04-30,13,,

2027-04-30,14,,Typed twice
2027-05-31,15,North County,
"""


@pytest.fixture
def january(meals, carol):
    """A value already saved on 31 January 2027, for the whole."""
    checked = values.Checker(meals).check({"date": "2027-01-31", "value": "9"})
    return values.add(meals, [checked.row], origin=Value.Origin.FORM, author=carol)[0]


def test_a_file_with_bad_rows_reports_each_with_its_line_and_reason(client, meals, mia, january):
    client.force_login(mia)

    page, import_id = preview_of(client, meals, BAD)

    assert "2 rows can be imported; 5 rows have problems." in pages.text(page)
    assert bad_rows(page) == [
        ["Line", "Date", "Value", "Breakdown", "Note", "What is wrong"],
        [
            "2",
            "2027-01-31",
            "10",
            "(empty)",
            "(empty)",
            "Date: There is already a value on 2027-01-31; correct that one instead.",
        ],
        [
            "3",
            "31/02/2027",
            "11",
            "(empty)",
            "(empty)",
            "Date: “31/02/2027” is not a date; write it as year-month-day, e.g. 2027-03-31.",
        ],
        [
            "4",
            "2027-02-28",
            "lots",
            "(empty)",
            "(empty)",
            "Value: “lots” is not a number, e.g. 1250 or 12.5.",
        ],
        [
            "5",
            "2027-03-31",
            "12",
            "West County",
            "(empty)",
            "Breakdown: “West County” is not a breakdown of this indicator "
            "(it has: North County, South County).",
        ],
        [
            "8",
            "2027-04-30",
            "14",
            "(empty)",
            "Typed twice",
            "Date: There is already a value on 2027-04-30; correct that one instead. "
            "The same date is on line 6 of this file.",
        ],
    ]
    assert [row[:3] for row in good_rows(page)[1:]] == [
        ["6", "2027-04-30", "13"],
        ["9", "2027-05-31", "15"],
    ]
    assert list(Value.objects.values_list("pk", flat=True)) == [january.pk]

    client.post(confirm_url(meals, import_id))

    assert pages.messages(client.get(import_url(meals))) == ["2 values imported."]
    assert list(Value.objects.order_by("date").values_list("date", "value", "breakdown__name")) == [
        (datetime.date(2027, 1, 31), Decimal("9"), None),
        (datetime.date(2027, 4, 30), Decimal("13"), None),
        (datetime.date(2027, 5, 31), Decimal("15"), "North County"),
    ]


def test_a_row_with_several_problems_names_each(client, meals, mia):
    client.force_login(mia)

    page, _id = preview_of(client, meals, "date,value\nsoon,\n")

    assert bad_rows(page)[1] == [
        "2",
        "soon",
        "(empty)",
        "Date: “soon” is not a date; write it as year-month-day, e.g. 2027-03-31. "
        "Value: A value is needed.",
    ]
    assert "No row can be imported" in pages.text(page)
    assert "Import 0 values" not in pages.text(page)


def test_a_value_before_the_baseline_is_imported_with_a_remark(client, meals, mia):
    client.force_login(mia)

    page, _id = preview_of(client, meals, "date,value\n2026-12-31,90\n")

    assert good_rows(page)[1] == [
        "2",
        "2026-12-31",
        "90",
        "Before the baseline date (2027-01-01).",
    ]


def test_a_value_added_since_the_preview_stops_the_import_until_confirmed_again(
    client, meals, mia, carol
):
    client.force_login(mia)
    _page, import_id = preview_of(client, meals, GOOD)
    checked = values.Checker(meals).check(
        {"date": "2027-01-31", "value": "71", "breakdown": "North County"}
    )
    values.add(meals, [checked.row], origin=Value.Origin.FORM, author=carol)

    response = client.post(confirm_url(meals, import_id))

    assert response.status_code == 302
    page = client.get(response.url)
    assert pages.messages(page) == [
        "Since the preview, 1 row can no longer be imported (see below). Nothing was "
        "imported: check the rows and confirm again."
    ]
    assert "2 rows can be imported; 1 row has problems." in pages.text(page)
    assert bad_rows(page)[1] == [
        "3",
        "2027-01-31",
        "70",
        "North County",
        "(empty)",
        "Date: There is already a value on 2027-01-31 for North County; correct that one instead.",
    ]
    assert Value.objects.count() == 1

    client.post(confirm_url(meals, import_id))

    assert pages.messages(client.get(import_url(meals))) == ["2 values imported."]
    assert sorted(Value.objects.values_list("value", "reported_by")) == [
        (Decimal("50"), mia.pk),
        (Decimal("71"), carol.pk),
        (Decimal("120"), mia.pk),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty: it should start with a line naming the columns."),
        (b"\r\n\r\n  \n", "The file is empty: it should start with a line naming the columns."),
        (
            b"date,value,note\r\n\r\n",
            "The file has a line naming the columns, but no values under it.",
        ),
        (
            b"day,amount,note\n2027-01-31,10,\n",
            "The first line must name the columns: date and value (breakdown and note are "
            "optional). This file's first line has “day”, “amount”, “note”.",
        ),
        (
            b"Date,Count\n2027-01-31,10\n",
            "The first line must name the columns: date and value (breakdown and note are "
            "optional). This file's first line has “Date”, “Count”.",
        ),
        (
            b"PK\x03\x04" + b"\x00" * 60,
            "This file is a ZIP archive, not a CSV file. In your spreadsheet, save the sheet "
            "as CSV and upload that file.",
        ),
    ],
    ids=["empty", "blank-lines", "header-only", "missing-columns", "missing-value", "xlsx"],
)
def test_a_file_that_cannot_be_read_is_refused_beside_the_field(
    client, meals, mia, content, message
):
    client.force_login(mia)

    response = upload(client, meals, content)

    assert file_errors(response) == [message]
    assert not Value.objects.exists()


def test_no_file_is_refused_beside_the_field(client, meals, mia):
    client.force_login(mia)

    response = client.post(import_url(meals), {})

    assert file_errors(response) == ["Choose a CSV file to upload."]


def test_a_file_over_the_limit_is_refused_with_its_size(client, meals, mia, settings):
    settings.UPLOAD_MAX_MB = 1
    client.force_login(mia)
    big = GOOD + "2027-02-28,1,,\n" * 90_000  # about 1.3 MB

    response = upload(client, meals, big)

    assert file_errors(response) == ["This file is 1.3 MB; the limit is 1 MB."]


# Hostile files: a clear refusal beside the field, never an error page.


def test_a_first_line_of_100000_headings_is_refused_naming_the_first_few(client, meals, mia):
    # Read with semicolons, the line is one cell longer than the csv module reads.
    client.force_login(mia)

    response = upload(client, meals, "amount," * 100_000 + "\n2027-01-31,10\n")

    assert file_errors(response) == [
        "The first line must name the columns: date and value (breakdown and note are "
        "optional). This file's first line has " + ", ".join(["“amount”"] * 10) + ", …."
    ]
    assert not Value.objects.exists()


def test_a_cell_longer_than_a_line_can_be_is_refused_with_its_line(client, meals, mia):
    client.force_login(mia)

    response = upload(client, meals, 'date,value\n2027-01-31,"' + "9" * 200_000 + '"\n')

    assert file_errors(response) == ["Line 2 could not be read as CSV: is this a CSV file?"]


def test_300000_rows_are_refused_at_the_limit_without_reading_them_all(client, meals, mia):
    client.force_login(mia)

    response = upload(client, meals, "date,value\n" + "2027-02-28,1\n" * 300_000)

    assert file_errors(response) == [
        "This file has more than 10,000 rows of values; split it into smaller files."
    ]
    assert not Value.objects.exists()


def test_headings_are_read_whatever_their_case_and_spaces(client, meals, mia):
    client.force_login(mia)

    page, _id = preview_of(client, meals, " Value ,DATE,Source\n12,2027-01-31,county hub\n")

    assert good_rows(page)[1] == ["2", "2027-01-31", "12", "nothing"]
    assert "These columns were not read: “Source”." in pages.text(page)


def test_utf8_with_a_byte_order_mark_is_read(client, meals, mia):
    client.force_login(mia)
    content = "date,value,note\r\n2027-01-31,10,Niños en año\r\n".encode("utf-8-sig")

    page, import_id = preview_of(client, meals, content)

    assert "read as UTF-8 with a byte order mark, with columns separated by commas" in (
        pages.text(page)
    )
    client.post(confirm_url(meals, import_id))
    assert Value.objects.get().note == "Niños en año"


def test_latin1_is_read_and_said(client, meals, mia):
    client.force_login(mia)
    content = "date,value,breakdown,note\n2027-01-31,10,North County,Niños en año\n"

    page, import_id = preview_of(client, meals, content.encode("latin-1"))

    text = pages.text(page)
    assert "read as Latin-1 (Windows-1252), with columns separated by commas" in text
    assert "If accented letters look wrong below, save the file as “CSV UTF-8”" in text
    client.post(confirm_url(meals, import_id))
    assert Value.objects.get().note == "Niños en año"


def test_semicolons_with_decimal_commas_are_read(client, meals, mia):
    client.force_login(mia)
    content = (
        "fecha_ignored;date;value;note\n;2027-01-31;12,5;Una nota, con coma\n;2027-02-28;-3;\n"
    )

    page, import_id = preview_of(client, meals, content.encode("cp1252"))

    text = pages.text(page)
    assert "with columns separated by semicolons" in text
    assert "A value with a decimal comma, such as 12,5, is read as 12.5." in text
    client.post(confirm_url(meals, import_id))
    assert list(Value.objects.order_by("date").values_list("value", "note")) == [
        (Decimal("12.5"), "Una nota, con coma"),
        (Decimal("-3"), ""),
    ]


def test_a_comma_in_a_value_of_a_comma_separated_file_is_not_a_decimal_point(client, meals, mia):
    client.force_login(mia)

    page, _id = preview_of(client, meals, 'date,value\n2027-01-31,"1,250"\n')

    assert bad_rows(page)[1][-1] == "Value: “1,250” is not a number, e.g. 1250 or 12.5."


def test_tabs_and_quoted_line_breaks_keep_line_numbers(client, meals, mia):
    client.force_login(mia)
    content = 'date\tvalue\tnote\n2027-01-31\t10\t"two\nlines"\n2027-02-30\t11\t\n'

    page, _id = preview_of(client, meals, content)

    assert "with columns separated by tabs" in pages.text(page)
    assert good_rows(page)[1][:4] == ["2", "2027-01-31", "10", "two lines"]
    assert bad_rows(page)[1][0] == "4"


def test_blank_lines_before_the_first_line_are_skipped_however_many(client, meals, mia):
    # More blank lines than the delimiter is guessed from (a sheet's empty top rows).
    client.force_login(mia)
    content = "\n" * 70_000 + "  \n" + "date;value\n2027-01-31;12,5\n"

    page, _id = preview_of(client, meals, content)

    assert "with columns separated by semicolons" in pages.text(page)
    assert good_rows(page)[1][:3] == ["70003", "2027-01-31", "12.5"]


def test_a_preview_shows_the_first_rows_and_imports_them_all(client, meals, mia, monkeypatch):
    from indicators.views import imports as import_views

    monkeypatch.setattr(import_views, "SHOWN", 2)
    client.force_login(mia)

    page, import_id = preview_of(client, meals, GOOD)

    assert "The first 2 of 3 rows are shown; all 3 will be imported." in pages.text(page)
    assert len(good_rows(page)) == 3
    client.post(confirm_url(meals, import_id))
    assert Value.objects.count() == 3


def test_a_preview_belongs_to_the_person_who_uploaded_it(client, meals, mia, carol):
    client.force_login(mia)
    _page, import_id = preview_of(client, meals, GOOD)
    other = Client()
    other.force_login(carol)

    preview = other.get(
        reverse("indicators:import_preview", args=[meals.alliance.slug, meals.pk, import_id])
    )
    confirm = other.post(confirm_url(meals, import_id))

    assert preview.url == confirm.url == import_url(meals)
    assert pages.messages(other.get(import_url(meals))) == [STALE, STALE]
    assert not Value.objects.exists()


def test_a_preview_belongs_to_its_indicator(client, meals, mia, alliance):
    other = Indicator.objects.create(alliance=alliance, name="Pantry visits")
    client.force_login(mia)
    _page, import_id = preview_of(client, meals, GOOD)

    response = client.post(confirm_url(other, import_id))

    assert response.url == import_url(other)
    assert not Value.objects.exists()


def test_an_unknown_import_id_is_said_plainly(client, meals, mia):
    client.force_login(mia)

    response = client.post(confirm_url(meals, "0" * 32), follow=True)

    assert pages.messages(response) == [STALE]


def test_the_template_names_the_columns_and_the_breakdowns(client, meals, mia):
    client.force_login(mia)

    response = client.get(
        reverse("indicators:import_template", args=[meals.alliance.slug, meals.pk])
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="meals-served-values.csv"'
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "date,value,breakdown,note"
    assert [line.split(",")[2] for line in lines[1:]] == ["North County", "South County"]
    # The template, filled in, is read back.
    filled = response.content.decode().replace(",,", ",1,", 2).replace(",,", ",2,")
    page, _id = preview_of(client, meals, filled.encode())
    assert "2 rows can be imported; 0 rows have problems." in pages.text(page)


def test_the_form_shows_an_example_and_links_the_template(client, meals, mia):
    client.force_login(mia)

    response = client.get(import_url(meals))

    text = pages.text(response)
    assert "date,value,breakdown,note 2027-01-31,120,North County,Counted at the pantry" in text
    assert "a decimal comma (12,5) is read too" in text
    assert reverse(
        "indicators:import_template", args=[meals.alliance.slug, meals.pk]
    ) in pages.links(response)


def test_an_observer_cannot_import(client, meals, otto):
    client.force_login(otto)

    response = upload(client, meals, GOOD)

    assert response.status_code == 403
    assert WRITE_REFUSAL in pages.text(response)
    assert not Value.objects.exists()


def test_an_outsider_cannot_even_see_the_import(client, meals, olga):
    client.force_login(olga)

    assert client.get(import_url(meals)).status_code == 404
    assert upload(client, meals, GOOD).status_code == 404


def test_an_indicator_of_another_alliance_is_not_found(client, meals, olga, carol):
    from alliances.models import Alliance

    riverside = Indicator.objects.create(
        alliance=Alliance.objects.get(slug="riverside-alliance"), name="Flats"
    )
    client.force_login(carol)

    url = reverse("indicators:import", args=[meals.alliance.slug, riverside.pk])

    assert client.get(url).status_code == 404


def test_an_indicator_without_breakdowns_has_a_template_without_them(client, alliance, mia):
    visits = Indicator.objects.create(alliance=alliance, name="Pantry visits")
    client.force_login(mia)

    form = client.get(import_url(visits))
    response = client.get(reverse("indicators:import_template", args=[alliance.slug, visits.pk]))

    assert "This indicator has no breakdowns: leave the breakdown column out." in pages.text(form)
    assert response.content.decode("utf-8-sig").splitlines()[0] == "date,value,note"
