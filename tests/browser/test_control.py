"""The shared control page in real browsers: Mia (for the Community Kitchen, on a desktop)
adds an agreement with its PDF, downloads it, pledges a resource and marks it delivered;
Noor (for the Mobile Pantry, on a phone) has the page open and sees each change, and the
alliance's shares, appear without reloading."""

import datetime
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from alliances.models import Membership, Role
from alliances.services import create_alliance
from history.services import create_with_history
from registers.models import Agreement, Pledge, Resource
from tests.browser.checks import axe_check
from tests.browser.people import FOLLOWS_MS, Member
from tests.factories import add_member, make_partner, make_user

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
MOU = "Memorandum of understanding with the county"
DRIVERS = "Volunteer drivers"


@pytest.fixture
def harvest(settings, tmp_path, transactional_db):
    """Harvest Alliance: Carol coordinates for the Food Bank, Mia is a member for the
    Community Kitchen, Noor for the Mobile Pantry. The Food Bank pledged volunteer drivers,
    due ten days ago and not delivered yet."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
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
    add_member(alliance, make_user("Mia Member", "mia@example.org"), Role.MEMBER, kitchen)
    add_member(alliance, make_user("Noor Member", "noor@example.org"), Role.MEMBER, pantry)
    drivers = Resource(alliance=alliance, description=DRIVERS, kind=Resource.Kind.STAFF)
    create_with_history(drivers, alliance=alliance, author=carol)
    pledge = Pledge(
        alliance=alliance,
        partner=food_bank,
        resource=drivers,
        amount="Two drivers on Saturdays",
        pledged_on=TODAY - 40 * DAY,
        due_on=TODAY - 10 * DAY,
        created_by=carol,
    )
    create_with_history(pledge, alliance=alliance, author=carol)
    return {"alliance": alliance}


@pytest.fixture
def people(new_context, live_server, harvest):
    errors = []
    mia = Member(new_context, "desktop", "mia@example.org", errors)
    noor = Member(new_context, "phone", "noor@example.org", errors)
    yield mia, noor
    assert not errors, f"JavaScript errors on the pages: {errors}"


def shares(page):
    return page.locator(".pledges__summary p")


def test_a_member_shares_an_agreement_and_a_delivered_pledge(people, live_server, harvest):
    mia, noor = people
    control_url = f"{live_server.url}/a/harvest-alliance/control/"
    for member in (mia, noor):
        member.sign_in_to(control_url)
        expect(member.page.get_by_role("heading", level=1)).to_have_text(
            "Shared control: agreements and pledges"
        )
        expect(shares(member.page)).to_have_text(
            [
                "Delivered completely: 0 of 1 pledge due (0%).",
                "Delivered on time, in full or in part: 0 of 1 pledge due (0%).",
                "1 pledge is outstanding: not delivered yet, or only in part. "
                "1 is past its due date and not delivered yet.",
            ]
        )
    axe_check(mia.page)
    axe_check(noor.page)

    # Mia adds the memorandum. A web page is refused beside the field; the PDF is taken.
    noor.mark_the_page()
    page = mia.page
    mia.follow(page.get_by_role("link", name="Add an agreement"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an agreement")
    page.get_by_label("Title").fill(MOU)
    page.get_by_label("Kind").select_option(label="memorandum of understanding or contract")
    page.get_by_label("Partner that keeps it").select_option(label="Community Kitchen")
    page.get_by_label("Next review by").fill((TODAY + 300 * DAY).isoformat())
    page.get_by_label("File").set_input_files(
        {"name": "mou.html", "mimeType": "text/html", "buffer": b"<!doctype html><p>hi</p>"}
    )
    mia.follow(page.get_by_role("button", name="Save the agreement"))
    expect(page.get_by_role("alert")).to_contain_text("Please correct what is marked below")
    expect(page.locator(".field--error")).to_contain_text(
        "Only PDF, office documents and images can be uploaded; this file is a web page."
    )
    expect(page.get_by_label("Title")).to_have_value(MOU)  # nothing typed is lost
    axe_check(page)
    page.get_by_label("File").set_input_files(
        {"name": "MOU signed.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    mia.follow(page.get_by_role("button", name="Save the agreement"))
    expect(page.get_by_role("status")).to_contain_text("The agreement is added.")
    item = page.locator("li.agreement", has_text=MOU)
    expect(item).to_contain_text("Kept by: Community Kitchen")

    # She downloads the file she shared.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download MOU signed.pdf").click()
    assert download.value.suggested_filename == "MOU signed.pdf"
    assert Path(download.value.path()).read_bytes() == PDF

    # Noor sees the agreement appear, without reloading.
    noor.poll()
    expect(noor.page.locator("li.agreement", has_text=MOU)).to_be_visible(timeout=FOLLOWS_MS)
    expect(noor.page.get_by_role("link", name="Download MOU signed.pdf")).to_be_visible()
    noor.assert_not_reloaded()

    # Mia pledges a resource new to the register: cold storage, due five days ago.
    noor.mark_the_page()
    mia.follow(page.get_by_role("link", name="Add a pledge"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a pledge")
    expect(page.get_by_label("Partner that pledges")).to_have_value(
        str(Membership.objects.get(user__email="mia@example.org").partner_id)
    )
    page.get_by_label("Or a resource not in the register yet").fill("Cold storage")
    page.get_by_label("Kind of the new resource").select_option(label="space or equipment")
    page.get_by_label("Amount or description").fill("One walk-in freezer")
    page.get_by_label("Pledged on").fill((TODAY - 20 * DAY).isoformat())
    page.get_by_label("Due by").fill((TODAY - 25 * DAY).isoformat())
    mia.follow(page.get_by_role("button", name="Save the pledge"))
    due_error = page.locator(".field--error", has=page.get_by_label("Due by"))
    expect(due_error).to_contain_text("The due date cannot be before the day it was pledged")
    expect(page.get_by_label("Amount or description")).to_have_value("One walk-in freezer")
    axe_check(page)
    page.get_by_label("Due by").fill((TODAY - 5 * DAY).isoformat())
    mia.follow(page.get_by_role("button", name="Save the pledge"))
    expect(page.get_by_role("status")).to_contain_text("The pledge is added.")
    expect(shares(page).first).to_have_text("Delivered completely: 0 of 2 pledges due (0%).")

    # She marks it delivered completely, a day before it was due.
    row = page.locator("table.pledges tbody tr", has_text="One walk-in freezer")
    mia.follow(row.get_by_role("link", name=re.compile("^Edit or mark delivery")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit a pledge")
    page.get_by_label("Delivery").select_option(label="delivered completely")
    page.get_by_label("Delivered on").fill((TODAY - 6 * DAY).isoformat())
    mia.follow(page.get_by_role("button", name="Save the pledge"))
    expect(page.get_by_role("status")).to_contain_text("The pledge is saved.")
    after = [
        "Delivered completely: 1 of 2 pledges due (50%).",
        "Delivered on time, in full or in part: 1 of 2 pledges due (50%).",
        "1 pledge is outstanding: not delivered yet, or only in part. "
        "1 is past its due date and not delivered yet.",
    ]
    expect(shares(page)).to_have_text(after)
    expect(row.locator("td").nth(4)).to_have_text("on time")
    axe_check(page)

    # Noor sees the shares change, without reloading.
    noor.poll()
    expect(shares(noor.page)).to_have_text(after, timeout=FOLLOWS_MS)
    expect(
        noor.page.locator("table.pledges tbody tr", has_text="One walk-in freezer")
    ).to_contain_text("delivered completely")
    noor.assert_not_reloaded()
    axe_check(noor.page)

    agreement = Agreement.objects.get()
    assert (agreement.title, agreement.file_name) == (MOU, "MOU signed.pdf")
    assert Pledge.objects.get(amount="One walk-in freezer").resource.description == "Cold storage"
