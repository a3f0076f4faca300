"""A published indicator: its snapshot, its SVG chart, its card and its part of a shared or
public page (indicators/embed.py)."""

import datetime
import json
import re
from xml.etree import ElementTree

import pytest
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

from indicators import chart, embed
from tests import pages
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


# The SVG

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "</text><script>alert(1)</script>\"'&"
LINK = "https://accord.example/p/harvest/"


def _parse(svg_text: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg_text.encode())


def _texts(root) -> str:
    return " ".join(" ".join(root.itertext()).split())


@pytest.fixture
def frozen(families):
    return embed.snapshot(families, breakdowns=True, stories=True, today=TODAY)


def test_svg_is_a_standalone_document_with_its_title_and_description(frozen):
    root = _parse(embed.svg(frozen, alliance_name="Harvest Alliance", link=LINK, language="en"))

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == "The trend of “Families served”"
    assert desc.text == (
        "From 130 (2025-01-06) to 240 (2026-01-05). Baseline 120 on 2025-01-01. "
        "Target 300 by 2027-12-31. Latest value: 240 families on Jan. 5, 2026. "
        "Status: on track. Published by Harvest Alliance with Accord."
    )


def test_svg_says_in_words_what_it_draws(frozen):
    root = _parse(embed.svg(frozen, alliance_name="Harvest Alliance", link=LINK, language="en"))
    shown = _texts(root)

    assert "Families served" in shown
    assert "Status: on track." in shown
    assert "Baseline 120 (2025-01-01)" in shown
    assert "Target 300 by 2027-12-31" in shown
    assert "Harvest Alliance" in shown
    assert "As of Dec. 6, 2026 · Accord" in shown
    # The whole and each county: a legend names each dash pattern.
    dashes = [p.get("stroke-dasharray") for p in root.iter(f"{SVG}polyline")]
    assert dashes == [None, "8 4", "2 4"]
    assert {"The whole", "North", "South"} <= set(root.itertext())


def test_svg_links_back_to_the_alliance(frozen):
    root = _parse(embed.svg(frozen, alliance_name="Harvest Alliance", link=LINK, language="en"))
    (anchor,) = root.iter(f"{SVG}a")
    assert anchor.get("href") == LINK
    assert anchor.text == "Harvest Alliance"


def test_svg_links_only_to_a_web_address(frozen):
    root = _parse(
        embed.svg(frozen, alliance_name="Harvest", link="javascript:alert(1)", language="en")
    )
    assert list(root.iter(f"{SVG}a")) == []
    assert "Harvest" in _texts(root)


def test_svg_needs_nothing_but_itself(frozen):
    text = embed.svg(frozen, alliance_name="Harvest", link=LINK, language="en")
    root = _parse(text)
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert tags <= {
        "svg",
        "title",
        "desc",
        "rect",
        "text",
        "g",
        "line",
        "polyline",
        "path",
        "a",
    } | {"circle"}
    assert not any(element.get("style") for element in root.iter())
    hrefs = [value for element in root.iter() for key, value in element.items() if "href" in key]
    assert hrefs == [LINK]
    assert "@import" not in text
    assert "url(" not in text


def test_svg_escapes_what_people_typed(families, alliance):
    families.name = families.unit = families.breakdown_label = HOSTILE
    families.save()
    families.breakdowns.filter(name="North").update(name=HOSTILE)
    frozen = embed.snapshot(families, breakdowns=True, stories=True, today=TODAY)

    text = embed.svg(frozen, alliance_name=HOSTILE, link=LINK, language="en")

    root = _parse(text)  # well-formed XML
    assert "<script" not in text
    assert not [e for e in root.iter() if e.tag.removeprefix(SVG) == "script"]
    assert root.find(f"{SVG}title").text == f"The trend of “{HOSTILE}”"
    assert HOSTILE in root.find(f"{SVG}desc").text
    assert HOSTILE in list(root.itertext())


def test_svg_drops_characters_xml_forbids(frozen):
    frozen = {**frozen, "name": "Families\x01 served\x0b"}
    root = _parse(embed.svg(frozen, alliance_name="Harvest\x00", link=LINK, language="en"))
    assert root.find(f"{SVG}title").text == "The trend of “Families served”"


@pytest.mark.parametrize(("parts", "budget"), [(0, 8_000), (5, 15_000)])
def test_svg_stays_light_whatever_the_number_of_values(alliance, parts, budget):
    indicator = make_indicator(
        alliance,
        name="Meals served in the summer program across the three counties",
        unit="meals",
        baseline_value=1000,
        baseline_date=datetime.date(2020, 1, 1),
        target_value=5000,
        target_date=datetime.date(2030, 12, 31),
    )
    start = datetime.date(2020, 1, 6)
    days = [start + datetime.timedelta(days=7 * n) for n in range(500)]
    add_values(indicator, *[(day, 1000 + n * 7.25 + n % 13) for n, day in enumerate(days)])
    for k in range(parts):
        part = make_breakdown(indicator, f"County number {k}", position=k)
        add_values(
            indicator, *[(day, 100 * k + n % 29) for n, day in enumerate(days)], breakdown=part
        )
    frozen = embed.snapshot(indicator, breakdowns=True, stories=False, today=TODAY)

    text = embed.svg(frozen, alliance_name="Harvest Alliance", link=LINK, language="en")

    assert len(text.encode()) < budget
    for line in _parse(text).iter(f"{SVG}polyline"):
        assert len(line.get("points").split()) <= embed.EMBED_POINTS


def test_svg_without_values_says_so(alliance):
    bare = embed.snapshot(
        make_indicator(alliance, name="Volunteers"), breakdowns=False, stories=False
    )
    root = _parse(embed.svg(bare, alliance_name="Harvest", link=LINK, language="en"))
    assert "No value yet." in _texts(root)
    assert "Status: not enough data." in root.find(f"{SVG}desc").text


def test_svg_is_in_the_language_asked(frozen):
    frozen = {**frozen, "values": [*frozen["values"], ["2026-02-02", 250.5]]}
    before = translation.get_language()
    english = embed.svg(frozen, alliance_name="Harvest", link=LINK, language="en")
    spanish = embed.svg(frozen, alliance_name="Harvest", link=LINK, language="es")

    root = _parse(spanish)
    assert root.get("lang") == "es"
    assert root.find(f"{SVG}title").text == "La tendencia de «Families served»"
    # Numbers and dates in the reader's way, coordinates never (a decimal comma breaks them).
    assert "Latest value: 250.5 families" in english
    assert "250,5" in spanish
    assert "2 de febrero de 2026" in spanish
    assert not re.search(r'(x|y|x1|x2|y1|y2|cx|cy)="-?\d+,\d', spanish)
    assert translation.get_language() == before


# The card and the published part of a page


def _card(frozen, **context):
    return render_to_string(
        "indicators/embed_card.html",
        {
            "indicator": frozen,
            "alliance_name": "Harvest Alliance",
            "link": LINK,
            "svg_url": "/p/harvest/indicators/12.svg",
            **context,
        },
    )


def test_card_shows_the_chart_the_latest_value_and_the_link_back(frozen):
    html = _card(frozen)
    said = pages.text(HttpResponse(html))

    assert '<img class="card__chart"' in html
    assert 'src="/p/harvest/indicators/12.svg"' in html
    assert 'alt="From 130 (2025-01-06) to 240 (2026-01-05).' in html
    assert "Latest value: 240 families on Jan. 5, 2026." in said
    assert "Status: on track ." in said  # "on track" is in bold
    assert "Target: 300 families by Dec. 31, 2027." in said
    assert "Published by Harvest Alliance with Accord, as of Dec. 6, 2026." in said
    assert pages.links(HttpResponse(html)) == ["/static/accord/embed.css", LINK]


def test_card_has_the_values_as_a_table(frozen):
    html = _card(frozen)
    rows = re.findall(r'<th scope="row">([^<]*)</th>\s*<td class="number">([^<]*)</td>', html)
    assert rows == [("Jan. 5, 2026", "240"), ("June 2, 2025", "180.5"), ("Jan. 6, 2025", "130")]
    assert "3 values, newest first." in pages.text(HttpResponse(html))


def test_card_table_keeps_the_latest_values(families):
    start = datetime.date(2026, 2, 2)
    add_values(families, *[(start + datetime.timedelta(days=7 * n), 300 + n) for n in range(20)])
    frozen = embed.snapshot(families, breakdowns=False, stories=False, today=TODAY)

    html = _card(frozen)

    rows = re.findall(r'<th scope="row">([^<]*)</th>', html)
    assert len(rows) == embed.CARD_ROWS
    assert rows[0] == "June 15, 2026"
    assert f"The latest {embed.CARD_ROWS} of 23 values, newest first." in pages.text(
        HttpResponse(html)
    )


def test_card_carries_no_script_or_inline_style(families):
    families.name = HOSTILE
    families.save()
    frozen = embed.snapshot(families, breakdowns=True, stories=True, today=TODAY)

    html = _card(frozen, alliance_name=HOSTILE, link="javascript:alert(1)")

    assert "<script" not in html
    assert "<style" not in html
    assert " style=" not in html
    assert "javascript:" not in html
    assert "&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html


def _published(frozen) -> str:
    return render_to_string("indicators/_published.html", {"indicator": frozen})


def test_published_part_shows_chart_values_breakdowns_and_stories(frozen):
    html = _published(frozen)
    said = pages.text(HttpResponse(html))

    assert '<svg class="chart__svg"' in html
    assert "On track Latest value: 240 families on Jan. 5, 2026." in said
    assert "3 values, as a table" in said
    assert "county North: 1 value" in said
    assert "county South: 1 value" in said
    assert "The story behind the curve, told in Autumn 2025" in said
    assert "The van broke down." in said
    assert "The story behind the curve, told in Spring 2026" in said
    assert said.index("Autumn 2025") < said.index("Spring 2026")
    rows = re.findall(r'<th scope="row">([^<]*)</th>\s*<td class="number">([^<]*)</td>', html)
    assert rows[:3] == [("Jan. 5, 2026", "240"), ("June 2, 2025", "180.5"), ("Jan. 6, 2025", "130")]
    assert rows[3:] == [("Jan. 6, 2025", "40"), ("Jan. 6, 2025", "90")]


def test_published_part_leaves_out_what_was_not_published(families):
    frozen = embed.snapshot(families, breakdowns=False, stories=False, today=TODAY)
    said = pages.text(HttpResponse(_published(frozen)))
    assert "North" not in said
    assert "story behind the curve" not in said


def test_published_part_escapes_what_people_typed(families, alliance, carol):
    families.name = families.definition = HOSTILE
    families.save()
    families.breakdowns.filter(name="North").update(name=HOSTILE)
    families.stories.update(helping=HOSTILE)
    frozen = embed.snapshot(families, breakdowns=True, stories=True, today=TODAY)

    html = _published(frozen)

    assert "<script>" not in html
    assert "&lt;/text&gt;&lt;script&gt;" in html


def test_page_charts_keep_coordinates_unlocalized(frozen):
    with translation.override("es"):
        html = _published(frozen)
    assert "180,5" in html  # in the table
    assert not re.search(r'(x|y|x1|x2|y1|y2|cx|cy)="-?\d+,\d', html)


# Caching


def test_etag_is_strong_and_follows_every_input(frozen):
    tag = embed.etag(frozen, language="en", alliance_name="Harvest", link=LINK)

    assert re.fullmatch(r'"[0-9a-f]{40}"', tag)
    assert tag == embed.etag(
        json.loads(json.dumps(frozen)), language="en", alliance_name="Harvest", link=LINK
    )
    others = {
        embed.etag(frozen, language="es", alliance_name="Harvest", link=LINK),
        embed.etag(frozen, language="en", alliance_name="Harvest Alliance", link=LINK),
        embed.etag(frozen, language="en", alliance_name="Harvest", link=LINK + "x"),
        embed.etag(
            {**frozen, "values": frozen["values"][:-1]},
            language="en",
            alliance_name="Harvest",
            link=LINK,
        ),
    }
    assert tag not in others
    assert len(others) == 4


def test_sparkline_keeps_coordinates_unlocalized():
    spark = chart.sparkline([(datetime.date(2026, 1, 1), 1.5), (datetime.date(2026, 1, 9), 2.25)])
    with translation.override("es"):
        html = render_to_string("indicators/_sparkline.svg.html", {"spark": spark})
    ElementTree.fromstring(html)
    assert not re.search(r'(cx|cy)="-?\d+,\d', html)


def test_published_part_names_each_values_table_and_escapes_names(alliance, carol):
    indicator = make_indicator(alliance, name="Meals <em>served</em>", breakdown_label="site")
    site = make_breakdown(indicator, "<b>North</b>", position=0)
    add_values(indicator, (datetime.date(2025, 1, 6), 10))
    add_values(indicator, (datetime.date(2025, 1, 6), 4), breakdown=site)
    frozen = embed.snapshot(indicator, breakdowns=True, stories=False, today=TODAY)

    html = render_to_string("indicators/_published.html", {"indicator": frozen})

    regions = re.findall(r'role="region"\s+aria-labelledby="([^"]+)"', html)
    captions = re.findall(r'<caption id="([^"]+)">([^<]*)</caption>', html)
    number = frozen["id"]
    assert regions == [f"published-{number}-values", f"published-{number}-part-1"]
    assert captions == [
        (
            f"published-{number}-values",
            "The values of “Meals &lt;em&gt;served&lt;/em&gt;”, newest first.",
        ),
        (f"published-{number}-part-1", "The values of &lt;b&gt;North&lt;/b&gt;, newest first."),
    ]
    assert "<b>North" not in html and "<em>served" not in html
