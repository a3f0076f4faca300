"""Shared indicators of progress in real browsers (issue 7): Mia (for the Community Kitchen,
on a desktop) defines an indicator with two breakdowns, imports its values from a CSV file
(a preview first, with the bad rows and their line numbers; nothing saved until she
confirms), and reads its chart and its status; Fiona, the facilitator, tells the story
behind the curve in the review's "Shared indicators of progress" component and makes what
the alliance will do a commitment. Both pages also fit a 375 px phone screen."""

import datetime
import re

import pytest
from django.utils.formats import date_format
from playwright.sync_api import expect

from alliances.models import Membership, Role
from alliances.services import create_alliance
from history.services import create_with_history
from indicators.models import Breakdown, Indicator, Story, Value
from registers.models import Goal
from reviews.models import Commitment, ComponentRecord
from reviews.services import open_component, start_review
from tests.browser.checks import assert_fits_the_screen, axe_check
from tests.browser.people import Member
from tests.factories import add_member, make_partner, make_user

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
# Dates relative to today, so that the target date is always ahead and the status is
# decided by the line through the values (not by a target date that has passed).
BASELINE = TODAY - 200 * DAY
TARGET = TODAY + 365 * DAY
MONTHS = [BASELINE + n * 30 * DAY for n in (1, 2, 3, 4)]

NAME = "Children at summer meal sites"
DEFINITION = "Children under 18 who ate at least one meal at a site, counted each month."
MEALS = "Every child in the county can reach a free summer meal"
REASON = "The county's figures are due before we get to this component."

HELPING = "The school district opened four more sites."
HINDERING = "Families far from a bus route cannot reach a site."
ACTIONS = "Ask the transit authority for a summer route to the two rural sites."


def iso(day: datetime.date) -> str:
    return day.isoformat()


# The file Mia imports, separated by semicolons as a spreadsheet in many languages saves it
# (so "95,5" is read as 95.5). Line 1 is the header.
CSV_LINES = [
    "date;value;breakdown;note",
    f"{iso(MONTHS[0])};130;;First summer count",  # 2
    f"{iso(MONTHS[0])};60;North;",  # 3
    f"{iso(MONTHS[0])};70;South;",  # 4
    f"{iso(MONTHS[1])};160;;",  # 5
    f"{iso(MONTHS[1])};n/a;North;The sheet was blank",  # 6: not a number
    f"{iso(MONTHS[1])};85;East;",  # 7: not a breakdown
    f"{iso(MONTHS[2])};190;;",  # 8
    f"{iso(MONTHS[2])};95,5;South;",  # 9: a decimal comma
    f"{iso(MONTHS[3])};220;;",  # 10
    f"{iso(MONTHS[3])};221;;Counted twice",  # 11: the same date as line 10
    f"{iso(BASELINE - 10 * DAY)};50;North;A pilot site",  # 12: before the baseline
]
GOOD_LINES = ["2", "3", "4", "5", "8", "9", "10", "12"]


@pytest.fixture
def harvest(settings, transactional_db):
    """Harvest Alliance: Carol coordinates for the Food Bank, Mia is a member for the
    Community Kitchen, Fiona facilitates. One goal. A review has started, and Fiona has
    opened its "Shared indicators of progress" component out of order, with a reason."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    carol = make_user("Carol Coordinator", "carol@example.org")
    alliance = create_alliance(
        name="Harvest Alliance",
        community="Families in Harvest County",
        purpose="End hunger in Harvest County.",
        creator=carol,
    )
    kitchen = make_partner(alliance, "Community Kitchen")
    food_bank = make_partner(alliance, "Food Bank")
    Membership.objects.filter(alliance=alliance, user=carol).update(partner=food_bank)
    add_member(alliance, make_user("Mia Member", "mia@example.org"), Role.MEMBER, kitchen)
    fiona = make_user("Fiona Facilitator", "fiona@example.org")
    add_member(alliance, fiona, Role.FACILITATOR)
    goal = Goal(
        alliance=alliance,
        statement=MEALS,
        measure="children eating at a summer meal site",
        target_value=400,
        target_unit="children",
        target_date=TARGET,
        created_by=carol,
    )
    create_with_history(goal, alliance=alliance, author=carol)
    review = start_review(
        alliance=alliance, name="Summer review", started_on=TODAY - 7 * DAY, author=fiona
    )
    record = ComponentRecord.objects.select_related("review__alliance").get(
        review=review, component_key="indicators"
    )
    open_component(record=record, author=fiona, reason=REASON)
    return {"alliance": alliance, "review": review, "goal": goal, "kitchen": kitchen}


@pytest.fixture
def people(new_context, live_server, harvest):
    """Mia and Fiona, each on a desktop. Fails the test if a page had a JavaScript error
    (any context made with `phone` below reports into the same list)."""
    errors = []
    mia = Member(new_context, "desktop", "mia@example.org", errors)
    fiona = Member(new_context, "desktop", "fiona@example.org", errors)
    yield mia, fiona, errors
    assert not errors, f"JavaScript errors on the pages: {errors}"


def field(page, label):
    """The field (its wrapper, with its errors) whose control is labelled `label`."""
    return page.locator(".field", has=page.get_by_label(label))


def define_the_indicator(mia, live_server) -> Indicator:
    page = mia.page
    mia.sign_in_to(f"{live_server.url}/a/harvest-alliance/")
    mia.follow(
        page.get_by_role("navigation", name="Alliance").get_by_role("link", name="Indicators")
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Shared indicators of progress")
    axe_check(page)
    mia.follow(page.get_by_role("link", name="Define an indicator"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Define an indicator")

    page.get_by_label("Name").fill(NAME)
    page.get_by_label("What it counts and how").fill(DEFINITION)
    page.get_by_label("Unit").fill("children")
    page.get_by_role("group", name="Which way is better").get_by_label("higher is better").check()
    page.get_by_role("group", name="Goals it shows progress on").get_by_label(MEALS).check()
    page.get_by_label("Baseline value").fill("100")
    page.get_by_label("Baseline date").fill(iso(BASELINE))
    page.get_by_label("Target value").fill("400")
    # A slip: the target date before the baseline date.
    page.get_by_label("Target date").fill(iso(BASELINE - 30 * DAY))
    page.get_by_label("Breakdowns, one per line").fill("North\nSouth")
    mia.follow(page.get_by_role("button", name="Save the indicator"))

    expect(page.get_by_role("alert")).to_contain_text("Please correct what is marked below")
    expect(field(page, "Target date").locator(".field__errors")).to_have_text(
        "The target date must come after the baseline date."
    )
    expect(page.locator(".field--error")).to_have_count(1)
    # Nothing typed is lost.
    expect(page.get_by_label("Name")).to_have_value(NAME)
    expect(page.get_by_label("What it counts and how")).to_have_value(DEFINITION)
    expect(page.get_by_label("Baseline date")).to_have_value(iso(BASELINE))
    expect(page.get_by_label("Target value")).to_have_value("400")
    expect(page.get_by_label("Breakdowns, one per line")).to_have_value("North\nSouth")
    expect(page.get_by_label(MEALS)).to_be_checked()
    expect(page.get_by_label("higher is better")).to_be_checked()
    axe_check(page)
    assert not Indicator.objects.exists()

    page.get_by_label("Target date").fill(iso(TARGET))
    mia.follow(page.get_by_role("button", name="Save the indicator"))
    expect(page.get_by_role("status")).to_contain_text("The indicator is added.")
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    parts = page.locator("section", has=page.get_by_role("heading", name="Breakdowns")).locator(
        "tbody tr"
    )
    expect(parts.locator("th")).to_have_text(["North", "South"])
    expect(parts.locator("td").nth(0)).to_have_text("no value yet")
    expect(page.locator(".indicator-status .status")).to_have_text("Not enough data")

    indicator = Indicator.objects.get()
    assert indicator.name == NAME and indicator.direction == Indicator.Direction.UP
    assert list(indicator.goals.values_list("statement", flat=True)) == [MEALS]
    assert list(indicator.breakdowns.values_list("name", flat=True)) == ["North", "South"]
    assert (indicator.baseline_date, indicator.target_date) == (BASELINE, TARGET)
    return indicator


def import_the_values(mia, indicator, tmp_path) -> None:
    page = mia.page
    mia.follow(page.get_by_role("link", name="Import values from a CSV file"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Import values from a file: {NAME}")
    expect(page.get_by_text("The breakdown (breakdown) is one of: North, South.")).to_be_visible()
    axe_check(page)
    csv_file = tmp_path / "summer meals.csv"
    csv_file.write_text("\n".join(CSV_LINES) + "\n", encoding="utf-8")
    page.get_by_label("CSV file").set_input_files(csv_file)
    mia.follow(page.get_by_role("button", name="Read the file and show me"))

    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Check the values before importing: {NAME}"
    )
    expect(page.get_by_text("with columns separated by semicolons")).to_be_visible()
    expect(page.locator("#import-summary")).to_have_text(
        "8 rows can be imported; 3 rows have problems."
    )
    bad = page.get_by_role("region", name="Rows with problems").locator("tbody tr")
    expect(bad.locator("th")).to_have_text(["6", "7", "11"])
    expect(bad.nth(0)).to_contain_text("Value: “n/a” is not a number, e.g. 1250 or 12.5.")
    expect(bad.nth(1)).to_contain_text(
        "Breakdown: “East” is not a breakdown of this indicator (it has: North, South)."
    )
    expect(bad.nth(2)).to_contain_text(
        f"Date: There is already a value on {iso(MONTHS[3])}; correct that one instead. "
        "The same date is on line 10 of this file."
    )
    good = page.get_by_role("region", name="Rows that can be imported").locator("tbody tr")
    expect(good.locator("th")).to_have_text(GOOD_LINES)
    expect(good.nth(0).locator("td")).to_have_text(
        [iso(MONTHS[0]), "130", "the whole", "First summer count", "nothing"]
    )
    expect(good.nth(5).locator("td").nth(1)).to_have_text("95.5")  # the decimal comma
    expect(good.nth(7)).to_contain_text(f"Before the baseline date ({iso(BASELINE)}).")
    axe_check(page)
    # Nothing is saved before Mia confirms.
    assert not Value.objects.filter(indicator=indicator).exists()

    mia.follow(page.get_by_role("button", name="Import 8 values"))
    expect(page.get_by_role("status")).to_contain_text("8 values imported.")
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    saved = Value.objects.filter(indicator=indicator)
    assert saved.count() == 8
    assert {v.origin for v in saved} == {Value.Origin.IMPORT}
    south = Breakdown.objects.get(indicator=indicator, name="South")
    assert [format(v.value.normalize(), "f") for v in saved.filter(breakdown=south)] == [
        "70",
        "95.5",
    ]
    assert [int(v.value) for v in saved.filter(breakdown=None)] == [130, 160, 190, 220]


def read_the_indicator_page(mia) -> None:
    page = mia.page
    # The values table, newest first.
    values = page.locator("section", has=page.get_by_role("heading", name="The values"))
    expect(values.locator("caption")).to_have_text("8 values, newest first (page 1 of 1).")
    rows = values.locator("tbody tr")
    expect(rows).to_have_count(8)
    expect(rows.nth(0).locator("th")).to_have_text(date_format(MONTHS[3]))
    expect(rows.nth(0).locator("td").nth(0)).to_have_text("the whole")
    expect(rows.nth(0).locator("td").nth(1)).to_have_text("220")
    expect(rows.nth(0).locator("td").nth(3)).to_contain_text("Mia Member")
    expect(rows.nth(0).locator("td").nth(3)).to_contain_text("imported from a file")
    expect(values.locator("tbody tr", has_text="95.5")).to_contain_text("South")
    pilot = values.locator("tbody tr", has_text="A pilot site")
    expect(pilot).to_contain_text("North")
    expect(pilot.locator(".flag")).to_have_text("⚠ before the baseline")

    # The chart: an image with a title and a description, its baseline and target labelled,
    # a line for the whole and one for each breakdown.
    chart = page.locator("figure.chart svg[role='img']")
    expect(chart).to_be_visible()
    expect(chart.locator("> title")).to_have_text(f"The trend of “{NAME}”")
    expect(chart.locator("> desc")).to_contain_text(
        f"Baseline 100 on {iso(BASELINE)}. Target 400 by {iso(TARGET)}."
    )
    expect(page.get_by_role("img", name=re.compile(f"^The trend of “{NAME}”"))).to_be_visible()
    expect(chart.locator(".chart__baseline text")).to_have_text(f"Baseline 100 ({iso(BASELINE)})")
    expect(chart.locator(".chart__target text")).to_have_text(f"Target 400 by {iso(TARGET)}")
    expect(chart.locator(".chart__line polyline")).to_have_count(3)
    expect(page.locator(".chart__legend li")).to_have_text(
        ["The whole", "North", "South", "Baseline", "Target"]
    )

    # The status and its reason: the line through the four values of the whole (up 30 a
    # month, 1 a day) reaches 220 + 445 = 665 by the target date, past the target of 400.
    status = page.get_by_role("region", name="Where it stands")
    expect(status.locator(".status")).to_have_text("On track")
    expect(status.locator(".status")).to_have_class(re.compile(r"\bstatus--on_track\b"))
    expect(status).to_contain_text(
        f"A straight line through the last 4 values reaches 665 by {iso(TARGET)}; "
        "the target is 400."
    )
    expect(status).to_contain_text(f"Latest value: 220 children on {date_format(MONTHS[3])}.")
    expect(status.locator("ul.changes li")).to_have_text(
        [
            "Up 120 since the baseline — the better way",
            "Up 30 since the previous value — the better way",
        ]
    )
    about = page.get_by_role("region", name="About this indicator")
    expect(about).to_contain_text(f"100 children on {date_format(BASELINE)}")
    expect(about).to_contain_text(f"400 children by {date_format(TARGET)}")
    expect(about).to_contain_text(MEALS)
    parts = page.locator("section", has=page.get_by_role("heading", name="Breakdowns")).locator(
        "tbody tr"
    )
    expect(parts.nth(0).locator("td")).to_have_text(
        [f"60 children ({date_format(MONTHS[0])})", re.compile("^Up 10 since the previous"), "2"]
    )
    expect(parts.nth(1).locator("td")).to_have_text(
        [
            f"95.5 children ({date_format(MONTHS[2])})",
            re.compile("^Up 25.5 since the previous"),
            "2",
        ]
    )
    axe_check(page)


def test_an_indicator_from_definition_to_the_story_behind_its_curve(
    people, new_context, live_server, harvest, tmp_path
):
    mia, fiona, errors = people
    review = harvest["review"]

    # 1. Mia defines the indicator; a slip is shown beside its field, and nothing is lost.
    indicator = define_the_indicator(mia, live_server)
    indicator_url = f"{live_server.url}/a/harvest-alliance/indicators/{indicator.pk}/"
    expect(mia.page).to_have_url(indicator_url)

    # 2. She imports its values from a CSV file: a preview, then her confirmation.
    import_the_values(mia, indicator, tmp_path)

    # 3. The indicator's page: the values, the chart, the status and the changes.
    read_the_indicator_page(mia)

    # ... and on a phone, it fits the screen.
    phone = Member(new_context, "phone", "mia@example.org", errors)
    phone.sign_in_to(indicator_url)
    expect(phone.page.locator(".indicator-status .status")).to_have_text("On track")
    expect(phone.page.locator("figure.chart svg[role='img']")).to_be_visible()
    assert_fits_the_screen(phone.page)
    axe_check(phone.page)

    # 4. Fiona opens the review's component: the indicator is there, with its status.
    component_url = f"{live_server.url}/a/harvest-alliance/reviews/{review.pk}/indicators/"
    page = fiona.page
    fiona.sign_in_to(component_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("6. Shared indicators of progress")
    expect(page.locator(".notice", has_text="Opened out of order.")).to_contain_text(REASON)
    item = page.locator("li.indicator-story", has_text=NAME)
    expect(item.locator(".status")).to_have_text("On track")
    expect(item).to_contain_text(f"Target: 400 children by {date_format(TARGET)}")
    expect(item).to_contain_text("Not told yet in this review.")
    expect(item.get_by_role("link", name=re.compile("^Make what we will do"))).to_have_count(0)
    expect(page.get_by_role("region", name="Commitments")).to_contain_text("No commitment yet.")
    axe_check(page)

    # She tells the story behind the curve.
    fiona.follow(item.get_by_role("link", name=f"Tell the story behind “{NAME}”"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"The story behind the curve: {NAME}")
    axe_check(page)
    page.get_by_label("What is helping").fill(HELPING)
    page.get_by_label("What is making it hard to move forward").fill(HINDERING)
    page.get_by_label("What we will do to improve the results").fill(ACTIONS)
    fiona.follow(page.get_by_role("button", name="Save the story"))
    expect(page.get_by_role("status")).to_contain_text("The story behind the curve is saved.")
    expect(page).to_have_url(component_url)
    item = page.locator("li.indicator-story", has_text=NAME)
    story = item.locator("dl.record")
    expect(story.locator("dt")).to_have_text(
        [
            "What is helping",
            "What is making it hard to move forward",
            "What we will do to improve the results",
        ]
    )
    expect(story.locator("dd")).to_have_text([HELPING, HINDERING, ACTIONS])
    expect(item.get_by_role("link", name=f"Edit the story behind “{NAME}”")).to_be_visible()
    axe_check(page)

    # What the alliance will do becomes a commitment, its words prefilled.
    fiona.follow(item.get_by_role("link", name=f"Make what we will do a commitment (“{NAME}”)"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a commitment")
    expect(page.get_by_label("What will be done")).to_have_value(ACTIONS)
    axe_check(page)
    page.get_by_label("Partner organization").select_option(label="Community Kitchen")
    page.get_by_label("Person responsible").select_option(label="Mia Member")
    due = TODAY + 30 * DAY
    page.get_by_label("Due by").fill(iso(due))
    fiona.follow(page.get_by_role("button", name="Save the commitment"))
    expect(page.get_by_role("status")).to_contain_text("The commitment is saved.")
    expect(page).to_have_url(component_url)
    commitments = page.get_by_role("region", name="Commitments").locator("tbody tr")
    expect(commitments).to_have_count(1)
    expect(commitments.locator("td")).to_have_text(
        [ACTIONS, "Community Kitchen", "Mia Member", date_format(due), "Not yet due or in progress"]
    )
    axe_check(page)

    # The component's page fits a phone screen too.
    phone = Member(new_context, "phone", "fiona@example.org", errors)
    phone.sign_in_to(component_url)
    expect(phone.page.locator("li.indicator-story dl.record dd").last).to_have_text(ACTIONS)
    assert_fits_the_screen(phone.page)
    axe_check(phone.page)

    # 5. What was saved.
    saved = Story.objects.get(indicator=indicator, review=review)
    assert (saved.helping, saved.hindering, saved.actions) == (HELPING, HINDERING, ACTIONS)
    commitment = Commitment.objects.get(review=review)
    assert commitment.component_key == "indicators"
    assert (commitment.description, commitment.due_on) == (ACTIONS, due)
    assert commitment.partner == harvest["kitchen"]
    assert commitment.owner.email == "mia@example.org"
