"""Shared control: the alliance's agreements (with their files, served only to members) and
the partners' pledges of resources, with the component's question answered for the alliance
as a whole: are we sharing the resources needed in a complete and timely way?"""

import codecs
import datetime
import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alliances.models import Partner
from history.models import Revision
from meetings import services as meetings
from meetings.models import Meeting
from registers import figures
from registers.models import Agreement, Contribution, Pledge, Resource
from reviews.models import ComponentRecord
from tests import pages
from tests.factories import make_agreement, make_partner, make_pledge, make_resource

pytestmark = pytest.mark.usefixtures("media_root", "fast_passwords")

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)

# The first bytes of each kind of file, enough for the checks.
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40
GIF = b"GIF89a" + b"\x00" * 40
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 40
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 40
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def zipped(*members: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in members:
            archive.writestr(name, "<xml/>")
    return buffer.getvalue()


DOCX = zipped("[Content_Types].xml", "word/document.xml")
ODT = zipped("mimetype", "content.xml")


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def control_url(alliance):
    return reverse("registers:control", args=[alliance.slug])


def agreement_create_url(alliance):
    return reverse("registers:agreement_create", args=[alliance.slug])


def agreement_edit_url(agreement):
    return reverse("registers:agreement_edit", args=[agreement.alliance.slug, agreement.pk])


def file_url(agreement):
    return reverse("registers:agreement_file", args=[agreement.alliance.slug, agreement.pk])


def pledge_create_url(alliance):
    return reverse("registers:pledge_create", args=[alliance.slug])


def pledge_edit_url(pledge):
    return reverse("registers:pledge_edit", args=[pledge.alliance.slug, pledge.pk])


def agreement_data(agreement=None, **changes):
    data = {"title": "Data-sharing agreement", "kind": "mou", "status": "in_force"}
    if agreement:
        data = {
            "title": agreement.title,
            "kind": agreement.kind,
            "owner": agreement.owner_id or "",
            "status": agreement.status,
            "link": agreement.link,
            "adopted_on": agreement.adopted_on.isoformat() if agreement.adopted_on else "",
            "review_on": agreement.review_on.isoformat() if agreement.review_on else "",
            "base_version": agreement.version,
        }
    return {**data, **changes}


def pledge_data(pledge=None, **changes):
    if pledge:
        data = {
            "partner": pledge.partner_id,
            "resource": pledge.resource_id,
            "amount": pledge.amount,
            "pledged_on": pledge.pledged_on.isoformat(),
            "due_on": pledge.due_on.isoformat(),
            "delivery": pledge.delivery,
            "delivered_on": pledge.delivered_on.isoformat() if pledge.delivered_on else "",
            "note": pledge.note,
            "base_version": pledge.version,
        }
    else:
        data = {
            "amount": "$5,000 for fuel",
            "pledged_on": (TODAY - 10 * DAY).isoformat(),
            "due_on": (TODAY + 20 * DAY).isoformat(),
            "delivery": "pending",
        }
    return {**data, **changes}


def stored_files(media_root) -> list[Path]:
    return sorted(p for p in Path(media_root).rglob("*") if p.is_file())


def content(response) -> bytes:
    return b"".join(response.streaming_content)


# The figures, hand-computed. "Today" is fixed at 30 June 2027.

JUNE_30 = datetime.date(2027, 6, 30)


def june(day):
    return datetime.date(2027, 6, day)


def test_with_no_pledge_the_figures_say_so(alliance):
    register = figures.pledges(alliance, today=JUNE_30)
    assert register["summary"] == ["No pledge yet."]
    assert (register["total"], register["counted"], register["complete_percent"]) == (0, 0, None)
    assert register["on_time_percent"] is None
    assert register["outstanding_summary"] == ""


def test_when_nothing_is_due_yet_nothing_is_divided(alliance, kitchen, food_bank):
    make_pledge(alliance, kitchen, due_on=datetime.date(2027, 7, 15))
    make_pledge(alliance, food_bank, due_on=datetime.date(2027, 9, 1))
    register = figures.pledges(alliance, today=JUNE_30)
    assert (register["total"], register["counted"]) == (2, 0)
    assert (register["complete_percent"], register["on_time_percent"]) == (None, None)
    assert register["summary"] == [
        "Nothing is due yet: no pledge has reached its due date or been marked delivered, "
        "so there is nothing to count."
    ]
    assert register["outstanding_summary"] == (
        "2 pledges are outstanding: not delivered yet, or only in part. "
        "None is past its due date without delivery."
    )


def test_when_every_pledge_was_delivered_on_time_both_shares_are_whole(
    alliance, kitchen, food_bank
):
    make_pledge(alliance, kitchen, due_on=june(1), delivery="complete", delivered_on=june(1))
    make_pledge(alliance, food_bank, due_on=june(10), delivery="complete", delivered_on=june(2))
    # Delivered before its due date: marked, so it counts already.
    make_pledge(
        alliance,
        food_bank,
        due_on=datetime.date(2027, 8, 1),
        delivery="complete",
        delivered_on=june(29),
    )
    register = figures.pledges(alliance, today=JUNE_30)
    assert (register["counted"], register["complete"], register["on_time"]) == (3, 3, 3)
    assert (register["complete_percent"], register["on_time_percent"]) == (100, 100)
    assert register["summary"] == [
        "Delivered completely: 3 of 3 pledges due (100%).",
        "Delivered on time, in full or in part: 3 of 3 pledges due (100%).",
    ]
    assert register["outstanding_summary"] == "No pledge is outstanding."


def test_mixed_pledges_give_the_shares_counted_by_hand(alliance, kitchen, food_bank):
    def pledge(amount, due, **fields):
        make_pledge(alliance, kitchen, amount=amount, due_on=due, **fields)

    pledge("a", june(1), delivery="complete", delivered_on=datetime.date(2027, 5, 30))
    pledge("b", june(10), delivery="complete", delivered_on=june(10))  # on the day: on time
    pledge("c", june(15), delivery="partial", delivered_on=june(15))  # on time, outstanding
    pledge("d", june(20))  # due, nothing came: overdue
    pledge("e", june(25), delivery="not_delivered", note="The van broke down.")
    pledge("f", datetime.date(2027, 7, 31))  # not due yet: not counted
    pledge("g", datetime.date(2027, 8, 31), delivery="complete", delivered_on=june(29))
    pledge("h", june(30))  # due today: counted, not overdue yet
    pledge("i", june(12), delivery="partial", delivered_on=june(14))  # late and partial
    register = figures.pledges(alliance, today=JUNE_30)
    rows = {row["amount"]: row for row in register["pledges"]}
    assert sorted(a for a, row in rows.items() if row["counted"]) == list("abcdeghi")
    # Counted: a b c d e g h i = 8. Complete: a b g = 3 -> 37.5% -> 38%.
    # On time (in full or in part, by the due date): a b c g = 4 -> 50%.
    assert (register["counted"], register["complete"], register["on_time"]) == (8, 3, 4)
    assert (register["complete_percent"], register["on_time_percent"]) == (38, 50)
    # Outstanding: partly delivered (c, i) or not yet (d, f, h); overdue: d only.
    assert sorted(a for a, row in rows.items() if row["outstanding"]) == list("cdfhi")
    assert [a for a, row in rows.items() if row["overdue"]] == ["d"]
    assert (rows["b"]["on_time"], rows["i"]["on_time"], rows["e"]["on_time"]) == (
        True,
        False,
        None,
    )
    assert register["summary"] == [
        "Delivered completely: 3 of 8 pledges due (38%).",
        "Delivered on time, in full or in part: 4 of 8 pledges due (50%).",
    ]
    assert register["outstanding_summary"] == (
        "5 pledges are outstanding: not delivered yet, or only in part. "
        "1 is past its due date and not delivered yet."
    )


def test_a_partner_that_joined_mid_review_counts_like_the_others(
    client, alliance, review, mia, kitchen, food_bank
):
    # The review began on 1 March 2027; the Pantry joined on 15 May.
    pantry = make_partner(alliance, "Mobile Pantry", joined_on=datetime.date(2027, 5, 15))
    Partner.objects.filter(pk__in=[kitchen.pk, food_bank.pk]).update(
        joined_on=datetime.date(2026, 1, 1)
    )
    make_pledge(
        alliance,
        kitchen,
        amount="Cooks",
        due_on=datetime.date(2027, 4, 30),
        delivery="not_delivered",
        note="Our cook left.",
    )
    make_pledge(
        alliance,
        pantry,
        amount="A van on Saturdays",
        pledged_on=datetime.date(2027, 5, 20),
        due_on=june(1),
        delivery="complete",
        delivered_on=june(1),
    )
    register = figures.pledges(alliance, today=JUNE_30)
    # Both count: 1 of 2 complete, 1 of 2 on time.
    assert (register["counted"], register["complete_percent"], register["on_time_percent"]) == (
        2,
        50,
        50,
    )
    assert (register["since"], register["review_started"]) == ("March 1, 2027", "March 1, 2027")
    assert [(row["partner"], row["joined_on"]) for row in register["pledges"]] == [
        ("Community Kitchen", ""),
        ("Mobile Pantry", "May 15, 2027"),
    ]
    client.force_login(mia)
    text = pages.text(client.get(control_url(alliance)))
    assert "Mobile Pantry (joined on May 15, 2027)" in text
    assert (
        "A partner that joined after the current review began (March 1, 2027) counts like every "
        "other; “joined on” beside its name says when it joined." in text
    )
    assert "Community Kitchen (joined on" not in text


def test_agreement_figures_flag_overdue_reviews_and_list_retired_ones_apart(alliance, food_bank):
    make_agreement(alliance, "Work plan 2027", review_on=june(29), owner=food_bank)
    make_agreement(alliance, "Volunteer policy", "policy", review_on=JUNE_30)
    make_agreement(alliance, "Old procedure", "procedure", status="retired", review_on=june(1))
    register = figures.agreements(alliance, today=JUNE_30)
    assert [(r["title"], r["review_overdue"]) for r in register["current"]] == [
        ("Volunteer policy", False),
        ("Work plan 2027", True),
    ]
    assert [(r["title"], r["review_overdue"]) for r in register["retired"]] == [
        ("Old procedure", False)
    ]
    assert register["summary"] == "1 of 2 agreements in use are overdue for review."
    assert register["current"][1]["owner"] == "Food Bank"


# The page


def test_every_member_sees_every_agreement_and_the_overdue_review_in_words(
    client, alliance, otto, food_bank
):
    make_agreement(alliance, "Work plan 2027", owner=food_bank, review_on=TODAY - DAY)
    make_agreement(alliance, "Old procedure", "procedure", status="retired")
    client.force_login(otto)
    response = client.get(control_url(alliance))
    text = pages.text(response)
    assert "Work plan 2027 work plan in force ⚠ review overdue" in text
    assert "Kept by: Food Bank" in text
    assert "Retired agreements Old procedure procedure retired" in text
    assert "1 of 1 agreement in use is overdue for review." in text
    # An observer reads everything and changes nothing.
    html = response.content.decode()
    assert "Add an agreement" not in html
    assert "/edit/" not in html
    assert "History<span" in html


def test_the_page_states_the_rules_of_the_figures(client, alliance, mia):
    client.force_login(mia)
    text = pages.text(client.get(control_url(alliance)))
    assert "No pledge yet." in text
    assert (
        "A pledge counts once its due date has come, or once its delivery has been marked" in text
    )
    assert "Delivered completely: the pledges counted that came in full" in text


def test_the_nav_links_to_the_shared_control_page(client, alliance, mia):
    client.force_login(mia)
    html = client.get(control_url(alliance)).content.decode()
    assert f'<a href="{control_url(alliance)}" aria-current="page">Shared control</a>' in html


# Agreements: adding, editing, history, conflicts


def test_a_member_adds_an_agreement_with_a_pdf(client, alliance, mia, media_root, food_bank):
    client.force_login(mia)
    data = agreement_data(
        owner=food_bank.pk,
        adopted_on="2027-01-15",
        review_on="2028-01-15",
        link="https://drive.example.org/mou",
        upload=upload("MOU signed.pdf", PDF),
    )
    response = client.post(agreement_create_url(alliance), data)
    assert response.status_code == 302
    assert response["Location"] == control_url(alliance)
    agreement = Agreement.objects.get()
    assert (agreement.title, agreement.owner, agreement.file_name) == (
        "Data-sharing agreement",
        food_bank,
        "MOU signed.pdf",
    )
    stored = stored_files(media_root)
    assert len(stored) == 1
    assert stored[0].parent == Path(media_root) / "agreements" / str(alliance.pk)
    assert stored[0].suffix == ".pdf" and stored[0].stem != "MOU signed"
    assert stored[0].read_bytes() == PDF
    revision = Revision.objects.for_object(agreement).get()
    assert (revision.action, revision.author) == ("created", mia)
    assert revision.changes["file"] == {"label": "file", "old": "", "new": "MOU signed.pdf"}
    assert revision.changes["title"]["new"] == "Data-sharing agreement"
    assert pages.messages(client.get(control_url(alliance))) == ["The agreement is added."]


def test_the_agreement_form_uploads_as_multipart(client, alliance, mia):
    client.force_login(mia)
    html = client.get(agreement_create_url(alliance)).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file" name="upload"' in html
    # Help texts are escaped like any text (tests/test_markup_sweep.py): the apostrophe too.
    assert "up to 10 MB. Only the alliance&#x27;s members can open it." in html


def test_editing_an_agreement_records_what_changed(client, alliance, mia):
    agreement = make_agreement(alliance, review_on=datetime.date(2027, 12, 1))
    client.force_login(mia)
    data = agreement_data(agreement, review_on="2028-06-01", status="under_review")
    assert client.post(agreement_edit_url(agreement), data).status_code == 302
    agreement.refresh_from_db()
    assert (agreement.version, agreement.status) == (2, "under_review")
    revision = Revision.objects.for_object(agreement).filter(action="changed").get()
    assert revision.changes == {
        "status": {"label": "status", "old": "in force", "new": "under review"},
        "review_on": {"label": "next review by", "old": "2027-12-01", "new": "2028-06-01"},
    }


def test_replacing_a_file_deletes_the_old_one_after_the_save(
    client, alliance, mia, media_root, django_capture_on_commit_callbacks
):
    client.force_login(mia)
    client.post(agreement_create_url(alliance), agreement_data(upload=upload("v1.pdf", PDF)))
    agreement = Agreement.objects.get()
    first = stored_files(media_root)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            agreement_edit_url(agreement), agreement_data(agreement, upload=upload("v2.png", PNG))
        )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.file_name == "v2.png"
    assert [p.read_bytes() for p in stored_files(media_root)] == [PNG]
    assert first[0] not in stored_files(media_root)
    revision = Revision.objects.for_object(agreement).filter(action="changed").get()
    assert revision.changes == {"file": {"label": "file", "old": "v1.pdf", "new": "v2.png"}}


def test_removing_the_file_keeps_the_agreement(
    client, alliance, mia, media_root, django_capture_on_commit_callbacks
):
    client.force_login(mia)
    client.post(agreement_create_url(alliance), agreement_data(upload=upload("v1.pdf", PDF)))
    agreement = Agreement.objects.get()
    assert "Remove the attached file" in pages.text(client.get(agreement_edit_url(agreement)))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(agreement_edit_url(agreement), agreement_data(agreement, remove_file="on"))
    agreement.refresh_from_db()
    assert (bool(agreement.file), agreement.file_name) == (False, "")
    assert stored_files(media_root) == []
    assert client.get(file_url(agreement)).status_code == 404
    revision = Revision.objects.for_object(agreement).filter(action="changed").get()
    assert revision.changes == {"file": {"label": "file", "old": "v1.pdf", "new": ""}}


def test_a_review_date_before_adoption_is_refused_beside_the_field(client, alliance, mia):
    client.force_login(mia)
    data = agreement_data(adopted_on="2027-05-01", review_on="2027-04-01")
    response = client.post(agreement_create_url(alliance), data)
    assert response.status_code == 200
    message = "The next review cannot come before the agreement was adopted (2027-05-01)."
    fields = pages.form_fields(response)
    assert fields["review_on"].errors == [message]
    assert fields["title"].value == "Data-sharing agreement"
    assert fields["adopted_on"].value == "2027-05-01"
    assert not Agreement.objects.exists()


def test_with_another_error_the_form_asks_to_choose_the_file_again(
    client, alliance, mia, media_root
):
    client.force_login(mia)
    data = agreement_data(title="", upload=upload("plan.pdf", PDF))
    response = client.post(agreement_create_url(alliance), data)
    fields = pages.form_fields(response)
    assert fields["title"].errors == ["Give the agreement a title."]
    assert fields["upload"].errors == [
        "Choose the file again: nothing else you typed is lost, but a browser cannot keep a "
        "chosen file when the form comes back."
    ]
    assert fields["kind"].value == "mou"
    assert stored_files(media_root) == []


def test_two_editors_of_an_agreement_see_a_conflict(client, alliance, mia, carol):
    agreement = make_agreement(alliance, "Old title")
    other = Client()
    client.force_login(mia)
    other.force_login(carol)
    loaded = agreement_data(agreement)
    assert (
        client.post(agreement_edit_url(agreement), {**loaded, "title": "Mia's"}).status_code == 302
    )
    response = other.post(agreement_edit_url(agreement), {**loaded, "title": "Carol's"})
    assert response.status_code == 200
    assert [(f.label, f.theirs, f.yours) for f in response.context["conflict"].fields] == [
        ("title", "Mia's", "Carol's")
    ]
    assert "Someone else saved this while you were editing" in pages.text(response)
    agreement.refresh_from_db()
    assert agreement.title == "Mia's"


def test_two_editors_replacing_the_file_see_a_conflict_and_nothing_is_left_behind(
    client, alliance, mia, carol, media_root
):
    client.force_login(mia)
    client.post(agreement_create_url(alliance), agreement_data(upload=upload("v1.pdf", PDF)))
    agreement = Agreement.objects.get()
    other = Client()
    other.force_login(carol)
    loaded = agreement_data(agreement)
    assert (
        client.post(
            agreement_edit_url(agreement), {**loaded, "upload": upload("mia.pdf", PDF)}
        ).status_code
        == 302
    )
    response = other.post(
        agreement_edit_url(agreement), {**loaded, "upload": upload("carol.png", PNG)}
    )
    assert response.status_code == 200
    assert [(f.label, f.theirs, f.yours) for f in response.context["conflict"].fields] == [
        ("file", "mia.pdf", "carol.png")
    ]
    assert "Choose the file again" in pages.form_fields(response)["upload"].errors[0]
    agreement.refresh_from_db()
    assert agreement.file_name == "mia.pdf"
    # Carol's file was not kept; the first one waits for its deletion after the commit.
    assert sorted(p.read_bytes() for p in stored_files(media_root)) == [PDF, PDF]


# Uploads: which files, and who may open them


@pytest.mark.parametrize(
    ("name", "data", "content_type", "inline"),
    [
        ("plan.pdf", PDF, "application/pdf", False),
        ("logo.PNG", PNG, "image/png", True),
        ("photo.jpg", JPEG, "image/jpeg", True),
        ("photo.jpeg", JPEG, "image/jpeg", True),
        ("chart.gif", GIF, "image/gif", True),
        ("map.webp", WEBP, "image/webp", True),
        (
            "plan.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            False,
        ),
        (
            "budget.xlsx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            False,
        ),
        ("minutes.odt", ODT, "application/vnd.oasis.opendocument.text", False),
        ("old.doc", OLE, "application/msword", False),
        ("old.xls", OLE, "application/vnd.ms-excel", False),
    ],
)
def test_accepted_files_are_served_back_with_their_type(
    client, alliance, mia, name, data, content_type, inline
):
    client.force_login(mia)
    response = client.post(
        agreement_create_url(alliance), agreement_data(upload=upload(name, data))
    )
    assert response.status_code == 302
    agreement = Agreement.objects.get()
    served = client.get(file_url(agreement))
    assert served.status_code == 200
    assert served["Content-Type"] == content_type
    assert served["X-Content-Type-Options"] == "nosniff"
    disposition = "inline" if inline else "attachment"
    assert served["Content-Disposition"] == f'{disposition}; filename="{name}"'
    assert content(served) == data


ONLY = "Only PDF, office documents and images can be uploaded; "


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("setup.pdf", EXE, ONLY + "this file is named “setup.pdf” but it is a Windows program."),
        ("page.html", HTML, ONLY + "this file is a web page."),
        ("setup.exe", EXE, ONLY + "this file is a Windows program."),
        ("notes.txt", b"Just some notes", ONLY + "this file is a “.txt” file."),
        (
            "archive.docx",
            zipped("a.txt"),
            ONLY + "this file is named “archive.docx” but it is a ZIP archive.",
        ),
        (
            "fake.png",
            b"not really an image at all",
            ONLY + "this file is named “fake.png” but its content is not that of a “.png” file.",
        ),
        ("image.jpg", PNG, ONLY + "this file is named “image.jpg” but it is a PNG image."),
    ],
)
def test_refused_files_are_named_beside_the_field(
    client, alliance, mia, media_root, name, data, message
):
    client.force_login(mia)
    data = agreement_data(upload=upload(name, data))
    response = client.post(agreement_create_url(alliance), data)
    assert response.status_code == 200
    fields = pages.form_fields(response)
    assert fields["upload"].errors == [message]
    assert fields["title"].value == "Data-sharing agreement"
    assert not Agreement.objects.exists()
    assert stored_files(media_root) == []


def test_a_file_over_the_limit_is_refused_with_its_size(client, alliance, mia, settings):
    settings.UPLOAD_MAX_MB = 1
    client.force_login(mia)
    big = PDF + b"\x00" * (1024 * 1024 + 300 * 1024)
    response = client.post(
        agreement_create_url(alliance), agreement_data(upload=upload("a.pdf", big))
    )
    assert pages.form_fields(response)["upload"].errors == [
        "This file is 1.3 MB; the limit is 1 MB."
    ]
    assert not Agreement.objects.exists()
    settings.UPLOAD_MAX_MB = 2
    response = client.post(
        agreement_create_url(alliance), agreement_data(upload=upload("a.pdf", big))
    )
    assert response.status_code == 302


@pytest.fixture
def filed(alliance, mia):
    """An agreement with a PDF, added by Mia."""
    client = Client()
    client.force_login(mia)
    client.post(agreement_create_url(alliance), agreement_data(upload=upload("mou.pdf", PDF)))
    return Agreement.objects.get()


@pytest.mark.parametrize(
    ("file_name", "served_as"),
    [("mou.html", "mou.html.pdf"), ("mou.svg", "mou.svg.pdf"), ("MoU.PDF", "MoU.PDF")],
)
def test_a_file_is_downloaded_under_the_extension_of_its_checked_kind(
    client, filed, mia, file_name, served_as
):
    """The name people see comes from the upload, or from an imported alliance's document,
    which may say anything: saved as `mou.html`, a PDF that is also a web page would run as
    one when opened from the downloads."""
    Agreement.objects.filter(pk=filed.pk).update(file_name=file_name)
    client.force_login(mia)
    response = client.get(file_url(filed))
    assert response["Content-Type"] == "application/pdf"
    response.close()
    assert response["Content-Disposition"] == f'attachment; filename="{served_as}"'


def test_an_outsider_cannot_download_a_file_even_with_its_exact_url(client, filed, olga):
    client.force_login(olga)
    response = client.get(file_url(filed))
    assert response.status_code == 404
    assert PDF not in response.content


def test_an_anonymous_visitor_is_sent_to_sign_in_for_a_file(client, filed):
    response = client.get(file_url(filed))
    assert response.status_code == 302
    assert response.url == f"/accounts/sign-in/?next={file_url(filed)}"


def test_an_observer_can_download_a_file(client, filed, otto):
    client.force_login(otto)
    response = client.get(file_url(filed))
    assert response.status_code == 200
    assert content(response) == PDF
    assert response["Cache-Control"] == "private, no-store"


def test_a_file_of_another_alliance_is_not_found_through_this_one(client, filed, olga, mia):
    riverside = olga.memberships.get().alliance
    client.force_login(olga)
    url = reverse("registers:agreement_file", args=[riverside.slug, filed.pk])
    assert client.get(url).status_code == 404


def test_uploads_are_not_served_at_a_media_url(client, filed, mia):
    client.force_login(mia)
    assert client.get("/media/" + filed.file.name).status_code == 404
    assert client.get("/" + filed.file.name).status_code == 404


def test_the_page_links_the_file_for_download(client, filed, mia):
    client.force_login(mia)
    html = client.get(control_url(filed.alliance)).content.decode()
    assert f'<a href="{file_url(filed)}" download="mou.pdf">Download mou.pdf</a>' in html


def test_agreements_csv_lists_each_agreement(client, alliance, mia, food_bank):
    make_agreement(
        alliance,
        "Work plan, 2027",
        owner=food_bank,
        adopted_on=datetime.date(2027, 1, 15),
        review_on=TODAY - DAY,
        link="https://example.org/plan",
    )
    make_agreement(alliance, "Old procedure", "procedure", status="retired")
    client.force_login(mia)
    response = client.get(reverse("registers:agreements_csv", args=[alliance.slug]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"] == 'attachment; filename="harvest-alliance-agreements.csv"'
    )
    assert response.content.startswith(codecs.BOM_UTF8)  # read as UTF-8 by a spreadsheet
    assert response.content.decode("utf-8-sig").splitlines() == [
        "title,kind,status,kept by,adopted on,next review by,review overdue,link,file",
        f'"Work plan, 2027",work_plan,in_force,Food Bank,2027-01-15,{(TODAY - DAY).isoformat()},'
        "yes,https://example.org/plan,",
        "Old procedure,procedure,retired,,,,no,,",
    ]


# Pledges: adding, marking delivery, history, conflicts


def test_a_member_pledges_a_resource_from_the_register(client, alliance, mia, kitchen):
    drivers = make_resource(alliance, "Volunteer drivers", "staff")
    client.force_login(mia)
    form = client.get(pledge_create_url(alliance)).context["form"]
    assert form["partner"].value() == kitchen.pk  # Mia's own partner, to begin with
    response = client.post(
        pledge_create_url(alliance), pledge_data(partner=kitchen.pk, resource=drivers.pk)
    )
    assert response.status_code == 302
    pledge = Pledge.objects.get()
    assert (pledge.partner, pledge.resource, pledge.amount, pledge.delivery) == (
        kitchen,
        drivers,
        "$5,000 for fuel",
        "pending",
    )
    revision = Revision.objects.for_object(pledge).get()
    assert (revision.action, revision.author) == ("created", mia)
    assert pages.messages(client.get(control_url(alliance))) == ["The pledge is added."]


def test_a_pledge_of_a_new_resource_adds_it_to_the_register_with_history(
    client, alliance, mia, kitchen, monkeypatch
):
    told = []
    monkeypatch.setattr("registers.live.tell_meetings", lambda *args: told.append(args))
    client.force_login(mia)
    data = pledge_data(partner=kitchen.pk, new_resource="Cold storage", new_resource_kind="space")
    assert client.post(pledge_create_url(alliance), data).status_code == 302
    resource = Resource.objects.get()
    assert (resource.description, resource.kind) == ("Cold storage", "space")
    assert [c.partner for c in Contribution.objects.filter(resource=resource)] == [kitchen]
    revision = Revision.objects.for_object(resource).get()
    assert revision.changes["description"]["new"] == "Cold storage"
    assert revision.changes["partners"] == {
        "label": "brought by",
        "old": "",
        "new": "Community Kitchen",
    }
    assert Pledge.objects.get().resource == resource
    assert told == [(alliance, "control", mia), (alliance, "power", mia)]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({}, "resource", "Choose a resource from the register, or name a new one below."),
        (
            {"new_resource": "Vans", "new_resource_kind": "space", "resource": "RESOURCE"},
            "new_resource",
            "Choose a resource from the register or name a new one, not both.",
        ),
        (
            {"new_resource": "Vans"},
            "new_resource_kind",
            "Say what kind of resource the new one is.",
        ),
    ],
)
def test_a_pledge_needs_one_resource(client, alliance, mia, kitchen, changes, field, message):
    drivers = make_resource(alliance, "Volunteer drivers", "staff")
    changes = {k: drivers.pk if v == "RESOURCE" else v for k, v in changes.items()}
    client.force_login(mia)
    response = client.post(pledge_create_url(alliance), pledge_data(partner=kitchen.pk, **changes))
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert pages.form_fields(response)[field].errors == [message]
    assert not Pledge.objects.exists()
    assert Resource.objects.count() == 1


def test_a_due_date_before_the_pledge_is_refused_beside_the_due_date(
    client, alliance, mia, kitchen
):
    drivers = make_resource(alliance, "Volunteer drivers", "staff")
    client.force_login(mia)
    data = pledge_data(
        partner=kitchen.pk, resource=drivers.pk, pledged_on="2027-05-10", due_on="2027-05-01"
    )
    response = client.post(pledge_create_url(alliance), data)
    message = "The due date cannot be before the day it was pledged (2027-05-10)."
    assert response.context["form"].errors == {"due_on": [message]}
    fields = pages.form_fields(response)
    assert fields["due_on"].errors == [message]
    assert (fields["amount"].value, fields["due_on"].value) == ("$5,000 for fuel", "2027-05-01")
    assert fields["resource"].value == str(drivers.pk)
    assert not Pledge.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"delivery": "complete"}, "delivered_on", "Say when it was delivered."),
        ({"delivery": "partial"}, "delivered_on", "Say when it was delivered."),
        (
            {"delivery": "not_delivered", "note": "  "},
            "note",
            "Say what got in the way: a pledge not delivered needs a note.",
        ),
        (
            {"delivery": "pending", "delivered_on": (TODAY - 30 * DAY).isoformat()},
            "delivered_on",
            "Leave this empty while nothing was delivered, or say above that it was "
            "delivered completely or partly.",
        ),
        (
            {"delivery": "complete", "delivered_on": (TODAY + DAY).isoformat()},
            "delivered_on",
            "The delivery date cannot be in the future.",
        ),
    ],
)
def test_marking_delivery_needs_its_date_or_a_reason(
    client, alliance, mia, kitchen, changes, field, message
):
    pledge = make_pledge(alliance, kitchen, due_on=datetime.date(2027, 4, 1))
    client.force_login(mia)
    response = client.post(pledge_edit_url(pledge), pledge_data(pledge, **changes))
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert pages.form_fields(response)[field].errors == [message]
    assert pages.form_fields(response)["amount"].value == "Two drivers"
    pledge.refresh_from_db()
    assert (pledge.delivery, pledge.version) == ("pending", 1)


def test_marking_a_pledge_delivered_records_it_and_changes_the_shares(
    client, alliance, mia, kitchen
):
    pledge = make_pledge(alliance, kitchen, pledged_on=TODAY - 30 * DAY, due_on=TODAY - 5 * DAY)
    client.force_login(mia)
    text = pages.text(client.get(control_url(alliance)))
    assert "Delivered completely: 0 of 1 pledge due (0%)." in text
    assert "1 is past its due date and not delivered yet." in text
    data = pledge_data(pledge, delivery="complete", delivered_on=(TODAY - 6 * DAY).isoformat())
    assert client.post(pledge_edit_url(pledge), data).status_code == 302
    pledge.refresh_from_db()
    assert (pledge.delivery, pledge.version, pledge.on_time) == ("complete", 2, True)
    revision = Revision.objects.for_object(pledge).filter(action="changed").get()
    assert revision.changes == {
        "delivery": {
            "label": "delivery",
            "old": "not yet delivered",
            "new": "delivered completely",
        },
        "delivered_on": {"label": "delivered on", "old": "", "new": (TODAY - 6 * DAY).isoformat()},
    }
    history = reverse("alliances:history", args=[alliance.slug, "registers.pledge", pledge.pk])
    assert "delivered completely" in pages.text(client.get(history))
    text = pages.text(client.get(control_url(alliance)))
    assert "Delivered completely: 1 of 1 pledge due (100%)." in text
    assert "Delivered on time, in full or in part: 1 of 1 pledge due (100%)." in text
    assert "No pledge is outstanding." in text


def test_two_editors_of_a_pledge_see_a_conflict(client, alliance, mia, carol, kitchen):
    pledge = make_pledge(alliance, kitchen, due_on=datetime.date(2027, 4, 1))
    other = Client()
    client.force_login(mia)
    other.force_login(carol)
    loaded = pledge_data(pledge)
    assert (
        client.post(pledge_edit_url(pledge), {**loaded, "amount": "Three drivers"}).status_code
        == 302
    )
    response = other.post(pledge_edit_url(pledge), {**loaded, "amount": "One driver"})
    assert response.status_code == 200
    assert [(f.label, f.theirs, f.yours) for f in response.context["conflict"].fields] == [
        ("amount or description", "Three drivers", "One driver")
    ]
    pledge.refresh_from_db()
    assert pledge.amount == "Three drivers"
    # A change to another field merges: Carol marks delivery from the same old version.
    data = {**loaded, "delivery": "not_delivered", "note": "Nobody was free."}
    assert other.post(pledge_edit_url(pledge), data).status_code == 302
    pledge.refresh_from_db()
    assert (pledge.amount, pledge.delivery, pledge.version) == (
        "Three drivers",
        "not_delivered",
        3,
    )


def test_resources_and_partners_of_another_alliance_are_refused(client, alliance, mia, olga):
    riverside = olga.memberships.get().alliance
    theirs = make_resource(riverside, "Their van", "staff")
    stranger = make_partner(riverside, "River Housing")
    client.force_login(mia)
    response = client.post(
        pledge_create_url(alliance), pledge_data(partner=stranger.pk, resource=theirs.pk)
    )
    assert set(response.context["form"].errors) == {"partner", "resource"}
    assert not Pledge.objects.exists()


# Live: the page's region, a running meeting, the review's snapshot


def test_polling_gets_204_until_the_register_changes(client, alliance, mia, kitchen):
    client.force_login(mia)
    htmx = {"HX-Request": "true"}
    first = client.get(control_url(alliance), headers=htmx)
    assert first.templates[0].name == "registers/_control.html"
    stamp = first.context["stamp"]
    assert client.get(control_url(alliance) + f"?stamp={stamp}", headers=htmx).status_code == 204
    make_pledge(alliance, kitchen, amount="Forty meals", due_on=TODAY)
    changed = client.get(control_url(alliance) + f"?stamp={stamp}", headers=htmx)
    assert changed.status_code == 200
    assert "Forty meals" in changed.content.decode()


def test_every_change_reaches_a_live_meeting(client, alliance, mia, kitchen, monkeypatch):
    told = []
    monkeypatch.setattr("registers.live.tell_meetings", lambda *args: told.append(args))
    drivers = make_resource(alliance, "Volunteer drivers", "staff")
    client.force_login(mia)
    client.post(agreement_create_url(alliance), agreement_data())
    agreement = Agreement.objects.get()
    client.post(agreement_edit_url(agreement), agreement_data(agreement, title="Changed"))
    client.post(pledge_create_url(alliance), pledge_data(partner=kitchen.pk, resource=drivers.pk))
    pledge = Pledge.objects.get()
    client.post(pledge_edit_url(pledge), pledge_data(pledge, amount="Changed"))
    assert told == [(alliance, "control", mia)] * 4


def test_the_meetings_discuss_phase_shows_the_register_without_links(
    alliance, review, people, kitchen, filed
):
    from meetings import live

    make_pledge(alliance, kitchen, amount="Forty meals", due_on=TODAY - DAY)
    meeting = meetings.plan_meeting(
        review=review,
        agenda=["purpose", "power", "interdependence", "trust", "control"],
        author=people["fiona"],
        starts_at=datetime.datetime(2027, 5, 3, 17, tzinfo=datetime.UTC),
        facilitator=people["fiona"],
    )
    meetings.start(meeting=meeting, actor=people["fiona"])
    target = meeting.phases.get(kind="discuss", component_key="control")
    while live.load(meeting.pk).current.position < target.position:
        meetings.advance(meeting=live.load(meeting.pk), actor=people["fiona"], confirmed=True)
    html = live.state(live.load(meeting.pk))["html"]
    assert "Forty meals" in html
    assert "mou.pdf" in html
    assert "Delivered completely: 0 of 1 pledge due (0%)." in html
    assert file_url(filed) not in html
    assert "/edit/" not in html


def test_a_register_change_refreshes_the_meeting_discussing_it(
    client, alliance, review, people, kitchen
):
    from meetings import live

    meeting = meetings.plan_meeting(
        review=review,
        agenda=["purpose", "power", "interdependence", "trust", "control"],
        author=people["fiona"],
        starts_at=datetime.datetime(2027, 5, 3, 17, tzinfo=datetime.UTC),
        facilitator=people["fiona"],
    )
    meetings.start(meeting=meeting, actor=people["fiona"])
    target = meeting.phases.get(kind="discuss", component_key="control")
    while live.load(meeting.pk).current.position < target.position:
        meetings.advance(meeting=live.load(meeting.pk), actor=people["fiona"], confirmed=True)
    before = Meeting.objects.get(pk=meeting.pk).seq
    client.force_login(people["mia"])
    client.post(agreement_create_url(alliance), agreement_data())
    assert Meeting.objects.get(pk=meeting.pk).seq == before + 1


def test_the_read_only_register_has_no_links(alliance, kitchen, filed):
    make_pledge(alliance, kitchen, amount="Forty meals", due_on=datetime.date(2027, 4, 1))
    filed.link = "https://example.org/mou"
    filed.save()
    html = render_to_string(
        "registers/_control.html",
        {"register": figures.control(alliance), "readonly": True, "stamp": "s"},
    )
    assert "Forty meals" in html
    assert "File: mou.pdf" in html
    assert "Link: https://example.org/mou" in html
    assert "href" not in html


def test_the_component_page_follows_the_live_register(client, review, fiona):
    make_agreement(review.alliance, "Volunteer policy", "policy")
    records = ComponentRecord.objects.select_related("review__alliance")
    for key in ("purpose", "power", "interdependence", "trust"):
        record_component_of(records.get(review=review, component_key=key), fiona)
    client.force_login(fiona)
    response = client.get(
        reverse("reviews:component", args=[review.alliance.slug, review.pk, "control"])
    )
    assert "Volunteer policy" in pages.text(response)
    assert f'data-live-url="{control_url(review.alliance)}"' in response.content.decode()


def record_component_of(record, author):
    from reviews.services import record_component

    record_component(record=record, author=author)


@pytest.mark.parametrize("size", [5, 50])
def test_control_page_query_count_does_not_grow(
    client, alliance, mia, kitchen, food_bank, size, django_assert_num_queries
):
    drivers = make_resource(alliance, "Volunteer drivers", "staff")
    for n in range(size):
        make_agreement(
            alliance,
            f"Agreement {n}",
            owner=food_bank if n % 2 else None,
            status="retired" if n % 5 == 0 else "in_force",
        )
        make_pledge(
            alliance,
            [kitchen, food_bank][n % 2],
            drivers,
            amount=f"Pledge {n}",
            due_on=TODAY + (n - size // 2) * DAY,
        )
    client.force_login(mia)
    # session, user, membership, agreements (with owners), pledges (with partners and
    # resources), the latest review's start, the alliance switcher, the live meetings (the
    # banner)
    with django_assert_num_queries(8):
        assert client.get(control_url(alliance)).status_code == 200
