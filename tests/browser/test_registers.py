"""Two members edit the alliance's registers at the same time, in real browsers: Mia (for
the Community Kitchen) on a desktop, Noor (for the Mobile Pantry) on a phone. Each has the
register's page open and sees the other's change appear in it without reloading (the page's
live region polls every 5 s; the tests move each page's clock on instead of waiting). When
both edit the same resource from the same version, the second to save sees both versions
side by side, and the first one's text stands.
"""

import datetime
import re
import time

import pytest
from playwright.sync_api import expect

from alliances.models import Membership, Role
from alliances.services import create_alliance
from history.services import create_with_history
from registers.models import Alignment, Contribution, Goal, Resource
from tests.browser.checks import axe_check
from tests.browser.people import FOLLOWS_MS, Member
from tests.factories import add_member, make_partner, make_user

MEALS = "Every child in the county can reach a free summer meal"
GARDENS = "Every school has a vegetable garden"
COLD = "Cold storage for fresh food"
DRIVERS = "Volunteer drivers"
RECIPES = "Recipes for cooking in large batches"
# The partners in the order the app shows them (by name), and the kinds of resources.
PARTNERS = ["Community Kitchen", "Food Bank", "Mobile Pantry"]
KINDS = ["Knowledge", "Skills", "Relationships", "Staff", "Funding", "Space or equipment", "Other"]
HALF_WARNING = "Food Bank brings more than half of everything the alliance's work needs."


@pytest.fixture
def harvest(settings, transactional_db):
    """Harvest Alliance and its three partners. Carol coordinates for the Food Bank; Mia
    is a member for the Community Kitchen, Noor for the Mobile Pantry. Two goals: the Food
    Bank already calls the first its own and does not call the second its own. Two
    resources: the Food Bank brings cold storage; nobody brings volunteer drivers yet."""
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
    pantry = make_partner(alliance, "Mobile Pantry")
    Membership.objects.filter(alliance=alliance, user=carol).update(partner=food_bank)
    mia = make_user("Mia Member", "mia@example.org")
    add_member(alliance, mia, Role.MEMBER, kitchen)
    noor = make_user("Noor Member", "noor@example.org")
    add_member(alliance, noor, Role.MEMBER, pantry)

    goals = []
    for statement in (MEALS, GARDENS):
        goal = Goal(
            alliance=alliance,
            statement=statement,
            measure="share of the county's schools",
            target_value=100,
            target_unit="%",
            target_date=datetime.date.today() + datetime.timedelta(days=365),
            created_by=carol,
        )
        create_with_history(goal, alliance=alliance, author=carol)
        goals.append(goal)
    for goal, stance in zip(goals, [Alignment.Stance.OURS, Alignment.Stance.NOT_OURS], strict=True):
        create_with_history(
            Alignment(goal=goal, partner=food_bank, stance=stance), alliance=alliance, author=carol
        )

    resources = {}
    for description, kind, brought_by in [
        (COLD, Resource.Kind.SPACE, [food_bank]),
        (DRIVERS, Resource.Kind.STAFF, []),
    ]:
        resource = Resource(alliance=alliance, description=description, kind=kind)
        create_with_history(resource, alliance=alliance, author=carol)
        Contribution.objects.bulk_create(
            Contribution(resource=resource, partner=p) for p in brought_by
        )
        resources[description] = resource
    return {"alliance": alliance, "goals": goals, "resources": resources}


@pytest.fixture
def people(new_context, live_server, harvest):
    """Mia on her desktop and Noor on his phone, both signed in. Fails the test if a page
    had a JavaScript error."""
    errors = []
    mia = Member(new_context, "desktop", "mia@example.org", errors)
    noor = Member(new_context, "phone", "noor@example.org", errors)
    yield mia, noor
    assert not errors, f"JavaScript errors on the pages: {errors}"


# The goals page: the alignment matrix and its summary.


def matrix_cell(page, goal, partner):
    """The cell of the alignment matrix for a goal (row) and a partner (column)."""
    row = page.locator("table.matrix tbody tr", has=page.get_by_role("rowheader", name=goal))
    return row.locator("td").nth(PARTNERS.index(partner))


def summary(page):
    return page.get_by_role("note", name="Where the partners agree").locator("p")


def change_link(page, partner, goal):
    return page.get_by_role("link", name=f"Change {partner} on “{goal}”", exact=True)


def answer_for_own_partner(member, partner, goal, stance, comment):
    """From the goals page: the member's own cell, its form, a stance and a comment, saved."""
    page = member.page
    member.follow(change_link(page, partner, goal))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Where {partner} stands")
    expect(page.get_by_text(f"Goal: “{goal}”")).to_be_visible()
    axe_check(page)
    page.get_by_label("Stance").select_option(label=stance)
    page.get_by_label("Comment").fill(comment)
    member.follow(page.get_by_role("button", name="Save"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Goals and alignment")


def test_two_members_see_each_others_alignment_appear(people, live_server, harvest):
    mia, noor = people
    goals_url = f"{live_server.url}/a/harvest-alliance/goals/"
    for member in (mia, noor):
        member.sign_in_to(goals_url)
        expect(member.page.get_by_role("heading", level=1)).to_have_text("Goals and alignment")
    axe_check(noor.page)
    axe_check(mia.page)

    # As it stands: the Food Bank calls the first goal its own and not the second; the
    # Kitchen and the Pantry have said nothing yet.
    before = [
        "0 of 2 goals are shared by every partner.",
        f"2 partners have not said where they stand on “{MEALS}”.",
        f"“{GARDENS}” is not shared by 1 partner.",
        f"2 partners have not said where they stand on “{GARDENS}”.",
    ]
    for member in (mia, noor):
        page = member.page
        expect(summary(page)).to_have_text(before)
        expect(matrix_cell(page, MEALS, "Food Bank")).to_contain_text("our goal too")
        expect(matrix_cell(page, GARDENS, "Food Bank")).to_contain_text("not our goal")
        expect(matrix_cell(page, MEALS, "Community Kitchen")).to_contain_text("not said yet")
        expect(matrix_cell(page, MEALS, "Mobile Pantry")).to_contain_text("not said yet")
    # Each member may change only their own partner's cells.
    for member, own in ((mia, "Community Kitchen"), (noor, "Mobile Pantry")):
        links = member.page.locator("table.matrix").get_by_role("link", name=re.compile("^Change"))
        expect(links).to_have_count(2)
        for goal in (MEALS, GARDENS):
            expect(change_link(member.page, own, goal)).to_have_count(1)

    # Mia answers for the Kitchen on the first goal while Noor has the page open.
    noor.mark_the_page()
    answer_for_own_partner(
        mia, "Community Kitchen", MEALS, "our goal too", "We cook the meals already."
    )
    kitchen_cell = matrix_cell(mia.page, MEALS, "Community Kitchen")
    expect(kitchen_cell).to_contain_text("our goal too")
    expect(kitchen_cell).to_contain_text("We cook the meals already.")

    # Noor sees it appear, without reloading.
    noor.poll()
    kitchen_cell = matrix_cell(noor.page, MEALS, "Community Kitchen")
    expect(kitchen_cell).to_contain_text("our goal too", timeout=FOLLOWS_MS)
    expect(kitchen_cell).to_contain_text("We cook the meals already.")
    expect(kitchen_cell).to_have_class(re.compile(r"\bcell--ours\b"))
    after_mia = [
        "0 of 2 goals are shared by every partner.",
        f"1 partner has not said where it stands on “{MEALS}”.",
        f"“{GARDENS}” is not shared by 1 partner.",
        f"2 partners have not said where they stand on “{GARDENS}”.",
    ]
    expect(summary(noor.page)).to_have_text(after_mia)
    expect(matrix_cell(noor.page, MEALS, "Mobile Pantry")).to_contain_text("not said yet")
    noor.assert_not_reloaded()
    # The swapped-in matrix still works: Noor's own links are there, and no one else's.
    expect(change_link(noor.page, "Mobile Pantry", MEALS)).to_have_count(1)
    expect(change_link(noor.page, "Community Kitchen", MEALS)).to_have_count(0)

    # Noor answers for the Pantry on the same goal: every partner now calls it its own.
    mia.mark_the_page()
    answer_for_own_partner(noor, "Mobile Pantry", MEALS, "our goal too", "Our vans can bring it.")
    expect(summary(noor.page)).to_have_text(
        [
            "1 of 2 goals are shared by every partner.",
            f"“{GARDENS}” is not shared by 1 partner.",
            f"2 partners have not said where they stand on “{GARDENS}”.",
        ]
    )

    # Mia sees it appear, without reloading.
    mia.poll()
    pantry_cell = matrix_cell(mia.page, MEALS, "Mobile Pantry")
    expect(pantry_cell).to_contain_text("our goal too", timeout=FOLLOWS_MS)
    expect(pantry_cell).to_contain_text("Our vans can bring it.")
    expect(summary(mia.page)).to_have_text(
        [
            "1 of 2 goals are shared by every partner.",
            f"“{GARDENS}” is not shared by 1 partner.",
            f"2 partners have not said where they stand on “{GARDENS}”.",
        ]
    )
    expect(matrix_cell(mia.page, MEALS, "Community Kitchen")).to_contain_text(
        "We cook the meals already."
    )
    mia.assert_not_reloaded()
    axe_check(mia.page)

    stances = dict(
        Alignment.objects.filter(goal=harvest["goals"][0]).values_list("partner__name", "stance")
    )
    assert stances == {"Community Kitchen": "ours", "Food Bank": "ours", "Mobile Pantry": "ours"}


# The resources page: the list, who brings what kind, the gaps and the shares.


def resource_item(page, description):
    return page.locator("ol.resources > li", has=page.get_by_text(description, exact=True))


def contribution_matrix(page):
    """The rows of the contribution matrix (partners by kinds), its header checked."""
    table = page.locator("table.matrix--counts")
    expect(table.locator("thead th")).to_have_text(["Partner", *KINDS])
    return table.locator("tbody tr")


def expect_matrix(page, counts):
    rows = contribution_matrix(page)
    expect(rows.locator("th")).to_have_text(PARTNERS)
    for n, partner in enumerate(PARTNERS):
        expect(rows.nth(n).locator("td")).to_have_text([str(c) for c in counts[partner]])


def expect_shares(page, shares):
    table = page.locator("table", has=page.get_by_role("columnheader", name="Share of all"))
    rows = table.locator("tbody tr")
    expect(rows.locator("th")).to_have_text(PARTNERS)
    for n, partner in enumerate(PARTNERS):
        count, percent = shares[partner]
        expect(rows.nth(n).locator("td")).to_have_text([str(count), f"{percent}%"])


def gaps(page):
    return page.locator("ul.gaps li")


def test_two_members_see_each_others_resources_appear(people, live_server, harvest):
    mia, noor = people
    resources_url = f"{live_server.url}/a/harvest-alliance/resources/"
    for member in (mia, noor):
        member.sign_in_to(resources_url)
        expect(member.page.get_by_role("heading", level=1)).to_have_text(
            "Resources and who brings them"
        )
    axe_check(noor.page)
    axe_check(mia.page)

    # As it stands: the Food Bank brings the one resource anybody brings.
    #                 Knowledge Skills Relationships Staff Funding Space Other
    before = {
        "Community Kitchen": [0, 0, 0, 0, 0, 0, 0],
        "Food Bank": [0, 0, 0, 0, 0, 1, 0],
        "Mobile Pantry": [0, 0, 0, 0, 0, 0, 0],
    }
    for member in (mia, noor):
        page = member.page
        expect(page.locator("ol.resources > li .resource__description strong")).to_have_text(
            [COLD, DRIVERS]
        )
        expect_matrix(page, before)
        expect(page.get_by_text("1 resource the work needs has no partner")).to_be_visible()
        expect(gaps(page)).to_have_text([DRIVERS])
        expect(page.get_by_text(HALF_WARNING)).to_be_visible()
        expect_shares(
            page, {"Community Kitchen": (0, 0), "Food Bank": (1, 100), "Mobile Pantry": (0, 0)}
        )

    # Mia adds a resource the Kitchen and the Pantry bring, while Noor has the page open.
    noor.mark_the_page()
    page = mia.page
    mia.follow(page.get_by_role("link", name="Add a resource"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a resource")
    axe_check(page)
    page.get_by_label("What is needed").fill(RECIPES)
    page.get_by_label("Kind").select_option(label="knowledge")
    page.get_by_label("The goal it serves").select_option(label=MEALS)
    brought = page.get_by_role("group", name="The partners who bring it")
    brought.get_by_label("Community Kitchen").check()
    brought.get_by_label("Mobile Pantry").check()
    page.get_by_label("Partner responsible").select_option(label="Community Kitchen")
    mia.follow(page.get_by_role("button", name="Save the resource"))
    expect(page.get_by_role("status")).to_contain_text("The resource is added.")
    expect(resource_item(page, RECIPES)).to_contain_text(
        "Brought by: Community Kitchen, Mobile Pantry"
    )

    # Noor sees it appear, with the matrix and the shares changed; the gap is still there.
    noor.poll()
    page = noor.page
    item = resource_item(page, RECIPES)
    expect(item).to_be_visible(timeout=FOLLOWS_MS)
    expect(item.locator(".state")).to_have_text("knowledge")
    expect(item).to_contain_text(f"Serves: {MEALS}")
    expect(item).to_contain_text("Brought by: Community Kitchen, Mobile Pantry")
    expect(item).to_contain_text("Responsible: Community Kitchen")
    after_mia = {
        "Community Kitchen": [1, 0, 0, 0, 0, 0, 0],
        "Food Bank": [0, 0, 0, 0, 0, 1, 0],
        "Mobile Pantry": [1, 0, 0, 0, 0, 0, 0],
    }
    expect_matrix(page, after_mia)
    expect(gaps(page)).to_have_text([DRIVERS])
    # Three contributions, one each: nobody brings more than half any more.
    expect(page.get_by_text(HALF_WARNING)).to_have_count(0)
    expect_shares(
        page, {"Community Kitchen": (1, 33), "Food Bank": (1, 33), "Mobile Pantry": (1, 33)}
    )
    noor.assert_not_reloaded()

    # Noor edits another resource: the Pantry brings volunteer drivers, which fills the gap.
    mia.mark_the_page()
    noor.follow(page.get_by_role("link", name=f"Edit the resource “{DRIVERS}”"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit a resource")
    expect(page.get_by_label("What is needed")).to_have_value(DRIVERS)
    brought = page.get_by_role("group", name="The partners who bring it")
    expect(brought.get_by_label("Mobile Pantry")).not_to_be_checked()
    brought.get_by_label("Mobile Pantry").check()
    page.get_by_label("Partner responsible").select_option(label="Mobile Pantry")
    noor.follow(page.get_by_role("button", name="Save the resource"))
    expect(page.get_by_role("status")).to_contain_text("The resource is saved.")

    # Mia sees it appear: no gap left, and the Pantry's staff in the matrix.
    mia.poll()
    page = mia.page
    no_gap = "No gap: every resource the work needs has at least one partner who brings it."
    expect(page.get_by_text(no_gap)).to_be_visible(timeout=FOLLOWS_MS)
    expect(gaps(page)).to_have_count(0)
    expect(resource_item(page, DRIVERS)).to_contain_text("Brought by: Mobile Pantry")
    expect(resource_item(page, DRIVERS)).to_contain_text("Responsible: Mobile Pantry")
    expect(resource_item(page, DRIVERS).locator(".flag")).to_have_count(0)
    expect_matrix(
        page,
        {
            "Community Kitchen": [1, 0, 0, 0, 0, 0, 0],
            "Food Bank": [0, 0, 0, 0, 0, 1, 0],
            "Mobile Pantry": [1, 0, 0, 1, 0, 0, 0],
        },
    )
    # Four contributions; the Pantry's two are half, not more than half.
    expect_shares(
        page, {"Community Kitchen": (1, 25), "Food Bank": (1, 25), "Mobile Pantry": (2, 50)}
    )
    expect(page.get_by_text(HALF_WARNING)).to_have_count(0)
    mia.assert_not_reloaded()
    axe_check(page)

    drivers = Resource.objects.get(description=DRIVERS)
    assert [c.partner.name for c in drivers.contributions.all()] == ["Mobile Pantry"]


def test_two_members_saving_one_resource_see_the_conflict(people, live_server, harvest):
    mia, noor = people
    cold = harvest["resources"][COLD]
    edit_url = f"{live_server.url}/a/harvest-alliance/resources/{cold.pk}/edit/"
    for member in (mia, noor):
        member.sign_in_to(edit_url)
        expect(member.page.get_by_role("heading", level=1)).to_have_text("Edit a resource")
        expect(member.page.get_by_label("What is needed")).to_have_value(COLD)

    # Mia saves first.
    mias = "Cold storage for fresh food: two walk-in freezers"
    mia.page.get_by_label("What is needed").fill(mias)
    mia.follow(mia.page.get_by_role("button", name="Save the resource"))
    expect(mia.page.get_by_role("status")).to_contain_text("The resource is saved.")
    expect(resource_item(mia.page, mias)).to_be_visible()

    # Noor saves a different description from the version he opened.
    noors = "Cold storage for fresh food and a refrigerated van"
    page = noor.page
    page.get_by_label("What is needed").fill(noors)
    noor.follow(page.get_by_role("button", name="Save the resource"))
    conflict = page.get_by_role("alert")
    expect(conflict).to_contain_text("Someone else saved this while you were editing")
    expect(conflict).to_contain_text("Mia Member saved a new version")
    table = conflict.locator("table.conflict__table")
    expect(table.locator("thead th")).to_have_text(
        ["Field", "Their version (saved)", "Your version (not saved yet)"]
    )
    row = table.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("th")).to_have_text("What is needed")
    expect(row.locator("td")).to_have_text([mias, noors])
    # Nothing of Noor's is lost: his text is still in the form, to merge and save again.
    expect(page.get_by_label("What is needed")).to_have_value(noors)
    axe_check(page)

    # Mia's text stands.
    cold.refresh_from_db()
    assert cold.description == mias
    assert cold.version == 2
    mia.page.reload()
    expect(resource_item(mia.page, mias)).to_be_visible()
    expect(resource_item(mia.page, noors)).to_have_count(0)


# A form is sent once.

SECOND_GOAL = "Every pantry shares one intake form"


def test_a_double_tap_on_save_makes_one_goal(people, live_server, harvest):
    """Noor's phone is slow: he taps "Save" twice while the first is on its way. One goal is
    made, and once the page is back the form works again."""
    _mia, noor = people
    page = noor.page
    noor.sign_in_to(f"{live_server.url}/a/harvest-alliance/goals/new/")
    page.get_by_label("The outcome, in concrete terms").fill(SECOND_GOAL)
    posts = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))

    def held(route):
        time.sleep(1)  # the network is slow: the first press is still on its way
        route.continue_()

    page.route("**/goals/new/", held)
    with page.expect_navigation():
        # Two taps 100 ms apart, the second while the first is on its way.
        page.get_by_role("button", name="Save the goal").evaluate(
            "button => { button.click(); setTimeout(() => button.click(), 100); }"
        )
    page.unroute("**/goals/new/")

    assert len(posts) == 1
    assert Goal.objects.filter(statement=SECOND_GOAL).count() == 1
    expect(page.get_by_role("heading", level=1)).to_have_text("Goals and alignment")
