"""Moving an alliance, in a real browser: Carol, Harvest's coordinator, downloads the whole
alliance from its page; on the installation it moves to (here, the same one once Harvest is
gone; she also runs it), she first uploads a file with mistakes, reads every problem, then
the right file, and lands on Harvest's page with everything in it. On a desktop and on a
375 px phone."""

import json
import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from alliances.models import Alliance
from ratings.models import Reflection
from records.transfer import VERSION
from tests.browser.checks import axe_check
from tests.browser.people import follow, sign_in_to

pytestmark = pytest.mark.usefixtures("media_root")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_carol_moves_harvest_with_its_file(page, viewport, live_server, people, review, commitment):
    alliance = Alliance.objects.get(slug="harvest-alliance")
    home = f"{live_server.url}/a/{alliance.slug}/"
    # The file names Harvest's people, who have accounts here: only the site's staff may
    # import it (tests/test_transfer.py covers the refusal for anyone else). Carol runs the
    # installation Harvest moves to.
    User.objects.filter(email="carol@example.org").update(is_staff=True)
    sign_in_to(page, home, "carol@example.org", viewport)

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Export the whole alliance")).click()
    assert download.value.suggested_filename.startswith("harvest-alliance-")
    document = json.loads(download.value.path().read_text())
    assert document["format"] == "accord-alliance"

    # The alliance leaves this installation (as if this were the one it moves to).
    Reflection.objects.filter(round__review__alliance=alliance).delete()
    alliance.delete()

    page.goto(f"{live_server.url}/alliances/")
    follow(page, page.get_by_role("link", name="Import an alliance exported from Accord"), viewport)
    expect(page.get_by_role("heading", level=1)).to_have_text("Import an alliance")
    axe_check(page)

    broken = dict(document, version=VERSION + 1)
    broken["commitments"] = [dict(document["commitments"][0], owner="nobody")]
    page.get_by_label("The alliance's file").set_input_files(
        {
            "name": "harvest.json",
            "mimeType": "application/json",
            "buffer": json.dumps(broken).encode(),
        }
    )
    follow(page, page.get_by_role("button", name="Check the file and import it"), viewport)
    problems = page.get_by_role("alert")
    expect(problems).to_contain_text("Nothing was imported: the file has 2 problems.")
    expect(page.locator(".import-problems__list li")).to_have_text(
        [
            f"version: {VERSION + 1}: this Accord reads versions 1 to {VERSION} of the document.",
            "commitments[0].owner: refers to nothing (no row of “people” has the ref “nobody”)",
        ]
    )
    axe_check(page)

    page.get_by_label("The alliance's file").set_input_files(str(download.value.path()))
    follow(page, page.get_by_role("button", name="Check the file and import it"), viewport)
    expect(page).to_have_url(home)
    expect(page.get_by_role("status")).to_contain_text(
        "Harvest Alliance is imported: everything it held is here."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Harvest Alliance")
    axe_check(page)
