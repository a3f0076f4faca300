"""A published indicator: its snapshot, its SVG chart, its card and its part of a shared or
public page (indicators/embed.py)."""

import datetime
import json

import pytest

from indicators import embed
from tests.factories import (
    add_values,
    make_breakdown,
    make_indicator,
    make_review,
    make_story,
)

TODAY = datetime.date(2026, 12, 6)


@pytest.fixture
def families(alliance, carol):
    """Families served, with a baseline, a target, three values of the whole, two counties
    and a story told in each of two reviews."""
    indicator = make_indicator(
        alliance,
        name="Families served",
        definition="Households given a food box at least once in the month.",
        source="The food bank's intake records",
        unit="families",
        baseline_value=120,
        baseline_date=datetime.date(2025, 1, 1),
        target_value=300,
        target_date=datetime.date(2027, 12, 31),
        breakdown_label="county",
    )
    north = make_breakdown(indicator, "North", position=0)
    south = make_breakdown(indicator, "South", position=1)
    add_values(
        indicator,
        (datetime.date(2025, 1, 6), 130),
        (datetime.date(2025, 6, 2), 180.5),
        (datetime.date(2026, 1, 5), 240),
    )
    add_values(indicator, (datetime.date(2025, 1, 6), 40), breakdown=north)
    add_values(indicator, (datetime.date(2025, 1, 6), 90), breakdown=south)
    spring = make_review(alliance, carol, name="Spring 2026", started_on=datetime.date(2026, 3, 1))
    autumn = make_review(alliance, carol, name="Autumn 2025", started_on=datetime.date(2025, 9, 1))
    make_story(indicator, spring, helping="Two more pantries.", actions="Open on Saturdays.")
    make_story(indicator, autumn, hindering="The van broke down.")
    return indicator


def test_snapshot_is_the_indicator_as_published(families):
    frozen = embed.snapshot(families, breakdowns=True, stories=True, today=TODAY)
    assert frozen == {
        "id": families.pk,
        "name": "Families served",
        "definition": "Households given a food box at least once in the month.",
        "source": "The food bank's intake records",
        "unit": "families",
        "direction": "up",
        "baseline": {"date": "2025-01-01", "value": 120.0},
        "target": {"date": "2027-12-31", "value": 300.0},
        "status": "on track",
        "status_key": "on_track",
        "values": [["2025-01-06", 130.0], ["2025-06-02", 180.5], ["2026-01-05", 240.0]],
        "breakdown_label": "county",
        "breakdowns": [
            {"name": "North", "values": [["2025-01-06", 40.0]]},
            {"name": "South", "values": [["2025-01-06", 90.0]]},
        ],
        "stories": [
            {
                "review": "Autumn 2025",
                "helping": "",
                "hindering": "The van broke down.",
                "actions": "",
            },
            {
                "review": "Spring 2026",
                "helping": "Two more pantries.",
                "hindering": "",
                "actions": "Open on Saturdays.",
            },
        ],
        "as_of": "2026-12-06",
    }
    assert json.loads(json.dumps(frozen)) == frozen


def test_snapshot_leaves_out_breakdowns_and_stories_unless_published(families):
    frozen = embed.snapshot(families, breakdowns=False, stories=False, today=TODAY)
    assert frozen["breakdowns"] == []
    assert frozen["stories"] == []
    assert frozen["breakdown_label"] == "county"
    assert frozen["values"] == [["2025-01-06", 130.0], ["2025-06-02", 180.5], ["2026-01-05", 240.0]]


def test_snapshot_says_nothing_of_who_reported(families, carol):
    add_values(families, (datetime.date(2026, 2, 2), 250))
    families.values.update(reported_by=carol, note="Counted by Carol at the depot")
    text = json.dumps(embed.snapshot(families, breakdowns=True, stories=True, today=TODAY))
    assert "Carol" not in text
    assert carol.email not in text
    assert "depot" not in text


def test_snapshot_status_is_in_english_whatever_the_language(families):
    from django.utils import translation

    with translation.override("es"):
        frozen = embed.snapshot(families, breakdowns=False, stories=False, today=TODAY)
    assert (frozen["status"], frozen["status_key"]) == ("on track", "on_track")


def test_snapshot_without_target_or_values(alliance):
    bare = make_indicator(alliance, name="Volunteers")
    frozen = embed.snapshot(bare, breakdowns=True, stories=True, today=TODAY)
    assert frozen["baseline"] is None
    assert frozen["target"] is None
    assert frozen["values"] == []
    assert (frozen["status"], frozen["status_key"]) == ("not enough data", "no_data")


@pytest.mark.parametrize("count", [10, 500])
@pytest.mark.parametrize(
    ("breakdowns", "stories", "queries"),
    [(False, False, 1), (True, False, 2), (False, True, 2), (True, True, 3)],
)
def test_snapshot_query_count_is_fixed(
    families, count, breakdowns, stories, queries, django_assert_num_queries
):
    start = datetime.date(2010, 1, 1)
    parts = list(families.breakdowns.all())
    add_values(families, *[(start + datetime.timedelta(days=n), n) for n in range(count)])
    for part in parts:
        add_values(
            families,
            *[(start + datetime.timedelta(days=n), n) for n in range(count)],
            breakdown=part,
        )
    with django_assert_num_queries(queries):
        frozen = embed.snapshot(families, breakdowns=breakdowns, stories=stories, today=TODAY)
    assert len(frozen["values"]) == count + 3
    assert len(frozen["breakdowns"]) == (2 if breakdowns else 0)
