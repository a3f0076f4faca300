"""CSV files open in a spreadsheet as text, never as formulas ("CSV injection")."""

import csv
import io
import zipfile

import pytest
from django.urls import reverse

from accord import spreadsheet
from registers.models import Goal
from reviews.models import Commitment


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (
            '=HYPERLINK("https://evil.example","Click")',
            '\'=HYPERLINK("https://evil.example","Click")',
        ),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("-5", "-5"),
        ("-12.5", "-12.5"),
        ("Summer meals", "Summer meals"),
        ("", ""),
        (42, 42),
        (None, None),
    ],
)
def test_a_cell_that_a_spreadsheet_would_run_is_written_as_text(value, written):
    assert spreadsheet.cell(value) == written


def test_the_goals_csv_writes_a_formula_as_text(client, alliance, mia):
    Goal.objects.create(alliance=alliance, statement="=1+1")
    client.force_login(mia)
    response = client.get(reverse("registers:goals_csv", args=[alliance.slug]))
    assert response.content.decode().splitlines()[1].startswith("'=1+1,")


def test_a_review_export_writes_a_formula_as_text(client, commitment, mia):
    Commitment.objects.filter(pk=commitment.pk).update(description="=cmd|' /C calc'!A0")
    review = commitment.review
    client.force_login(mia)
    response = client.get(reverse("reviews:export_csv", args=[review.alliance.slug, review.pk]))
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        text = archive.read("commitments.csv").decode("utf-8-sig")
    (row,) = csv.DictReader(io.StringIO(text))
    assert row["description"] == "'=cmd|' /C calc'!A0"
