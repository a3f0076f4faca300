"""The daily reminder digest: who gets what, once a day, and how to stop it; and the page
each of its lines links to, where a commitment's status is updated.

Today is Wednesday 28 April 2027 in these tests: a commitment due by 5 May is due this
week, one due by 6 May is not yet, one due by 27 April is overdue.
"""

import datetime
import io
import re
import threading
import time

import pytest
from django.core import mail, signing
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts import stop_link
from accounts.models import User
from alliances.models import Alliance, Membership, Role
from history.models import Revision
from history.services import create_with_history
from reviews import digest
from reviews.models import Commitment
from tests import pages
from tests.factories import add_member, make_user

pytestmark = pytest.mark.usefixtures("fast_passwords")

TODAY = datetime.date(2027, 4, 28)
SITE = "https://accord.example"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE


def commit(alliance, owner, description, due_on, status="open", review=None, partner=None):
    commitment = Commitment(
        alliance=alliance,
        review=review,
        component_key="purpose" if review else "",
        description=description,
        owner=owner,
        partner=partner,
        due_on=due_on,
        status=status,
        status_reason="Funding fell through." if status == "not_done" else "",
        created_by=owner,
    )
    create_with_history(commitment, alliance=alliance, author=owner)
    return commitment


def day(month, number):
    return datetime.date(2027, month, number)


def send(today=TODAY) -> str:
    out = io.StringIO()
    call_command("send_digests", f"--date={today.isoformat()}", stdout=out)
    return out.getvalue()


def sent_to() -> list[str]:
    return [message.to[0] for message in mail.outbox]


def lines(message) -> list[str]:
    return [line for line in message.body.splitlines() if line.strip()]


def status_url(commitment) -> str:
    return reverse("reviews:commitment_status", args=[commitment.alliance.slug, commitment.pk])


@pytest.fixture
def riverside(olga):
    return Alliance.objects.get(slug="riverside-alliance")


# Who gets what


def test_digest_lists_the_owners_open_commitments_due_this_week_or_overdue(
    alliance, carol, mia, fiona, kitchen
):
    overdue = commit(alliance, mia, "Send the volunteer rota", day(4, 27), partner=kitchen)
    today = commit(alliance, mia, "Book the hall", day(4, 28))
    in_a_week = commit(alliance, mia, "Print the flyers", day(5, 5))
    commit(alliance, mia, "Order the vans", day(5, 6))  # in eight days: not yet
    commit(alliance, mia, "Count the meals", day(4, 20), status="done")
    commit(alliance, mia, "Paint the pantry", day(4, 20), status="dropped")
    commit(alliance, mia, "Open on Sundays", day(4, 20), status="not_done")
    commit(alliance, mia, "Train the drivers", day(4, 20), status="partly")
    commit(alliance, carol, "Call the mayor", day(4, 29))  # carol's, not mia's
    commit(alliance, None, "Somebody should do this", day(4, 28))  # nobody's

    output = send()

    assert output == "2 digest(s) sent.\n"
    assert sorted(sent_to()) == ["carol@example.org", "mia@example.org"]
    message = next(m for m in mail.outbox if m.to == ["mia@example.org"])
    assert message.subject == "Your commitments: 2 due this week, 1 overdue"
    assert lines(message) == [
        "Hello Mia,",
        "These are the commitments you are responsible for that are due within a week or "
        "overdue. Open a commitment's link to say where it stands: done, partly done, not done "
        "or dropped.",
        "Harvest Alliance",
        "- Send the volunteer rota",
        "  OVERDUE: it was due by April 27, 2027 (Community Kitchen)",
        f"  Update it: {SITE}{status_url(overdue)}",
        "- Book the hall",
        "  Due by April 28, 2027",
        f"  Update it: {SITE}{status_url(today)}",
        "- Print the flyers",
        "  Due by May 5, 2027",
        f"  Update it: {SITE}{status_url(in_a_week)}",
        "--",
        "You get this email because you asked for a daily reminder of your commitments. To "
        "stop it, open this link (no need to sign in):",
        f"{SITE}/accounts/digest/stop/{digest.stop_token(mia)}/",
        f"or turn it off in your profile: {SITE}/accounts/profile/",
    ]
    assert message.extra_headers["List-Unsubscribe"] == (
        f"<{SITE}/accounts/digest/stop/{digest.stop_token(mia)}/>"
    )
    carols = next(m for m in mail.outbox if m.to == ["carol@example.org"])
    assert carols.subject == "Your commitments: 1 due this week"
    assert "Call the mayor" in carols.body
    assert "Book the hall" not in carols.body


def test_digest_subject_counts_only_overdue_when_nothing_else_is_due(alliance, mia):
    commit(alliance, mia, "Send the volunteer rota", day(4, 1))
    commit(alliance, mia, "Book the hall", day(4, 2))

    send()

    assert [m.subject for m in mail.outbox] == ["Your commitments: 2 overdue"]


def test_no_digest_when_nothing_is_due(alliance, mia, carol):
    commit(alliance, mia, "Order the vans", day(5, 6))
    commit(alliance, mia, "Count the meals", day(4, 20), status="done")

    output = send()

    assert output == "0 digest(s) sent.\n"
    assert mail.outbox == []
    assert list(User.objects.values_list("digest_sent_on", flat=True)) == [None, None]


def test_digest_is_not_sent_to_an_inactive_person(alliance, mia):
    commit(alliance, mia, "Book the hall", day(4, 28))
    User.objects.filter(pk=mia.pk).update(is_active=False)

    send()

    assert mail.outbox == []


def test_person_in_two_alliances_gets_one_email_with_both(alliance, riverside, mia, olga):
    add_member(riverside, mia, Role.MEMBER)
    commit(riverside, mia, "Map the empty flats", day(4, 30))
    commit(alliance, mia, "Book the hall", day(4, 28))
    commit(alliance, mia, "Send the volunteer rota", day(4, 27))

    send()

    assert sent_to() == ["mia@example.org"]
    message = mail.outbox[0]
    assert message.subject == "Your commitments: 2 due this week, 1 overdue"
    titles = [line for line in lines(message) if line.startswith(("Harvest", "Riverside", "- "))]
    assert titles == [
        "Harvest Alliance",
        "- Send the volunteer rota",
        "- Book the hall",
        "Riverside Alliance",
        "- Map the empty flats",
    ]


def test_person_who_left_an_alliance_is_not_reminded_of_its_commitments(
    alliance, riverside, mia, olga
):
    add_member(riverside, mia, Role.MEMBER)
    commit(riverside, mia, "Map the empty flats", day(4, 30))
    commit(alliance, mia, "Book the hall", day(4, 28))
    Membership.objects.filter(alliance=riverside, user=mia).delete()

    send()

    assert sent_to() == ["mia@example.org"]
    assert "Map the empty flats" not in mail.outbox[0].body
    assert "Riverside" not in mail.outbox[0].body


def test_person_who_left_their_only_alliance_with_due_work_gets_nothing(alliance, mia):
    commit(alliance, mia, "Book the hall", day(4, 28))
    Membership.objects.filter(alliance=alliance, user=mia).delete()

    send()

    assert mail.outbox == []


# One per person per day


def test_digest_is_sent_once_a_day_and_again_the_next_day(alliance, mia):
    commit(alliance, mia, "Book the hall", day(4, 30))

    first, second = send(), send()

    assert (first, second) == ("1 digest(s) sent.\n", "0 digest(s) sent.\n")
    assert sent_to() == ["mia@example.org"]
    mia.refresh_from_db()
    assert mia.digest_sent_on == TODAY

    send(TODAY + datetime.timedelta(days=1))

    assert sent_to() == ["mia@example.org", "mia@example.org"]
    assert mail.outbox[1].subject == "Your commitments: 1 due this week"


def test_a_run_that_overlaps_another_sends_nothing_more(alliance, mia, carol):
    """Two runs at once: each claims a person's day before sending; the one that loses the
    claim sends nothing to that person."""
    commit(alliance, mia, "Book the hall", day(4, 30))
    commit(alliance, carol, "Call the mayor", day(4, 29))
    slower = digest.digests(TODAY)  # the other run has read who to send to

    send()  # this run claims and sends everything first

    assert [digest._claim(found.person, TODAY) for found in slower] == [False, False]
    assert sorted(sent_to()) == ["carol@example.org", "mia@example.org"]


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_moment_send_one_digest_each(alliance, fast_passwords):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database that runs writers in parallel")
    for n in range(8):
        person = make_user(f"Person {n}", f"person{n}@example.org")
        add_member(alliance, person, Role.MEMBER)
        commit(alliance, person, f"Task {n}", day(4, 30))
    barrier = threading.Barrier(2)
    outcomes = []

    def run():
        try:
            barrier.wait()
            outcomes.append(digest.send_digests(TODAY).sent)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(outcomes) == 8
    assert sorted(sent_to()) == sorted(f"person{n}@example.org" for n in range(8))


class FailingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("The mail server is down.")


def test_a_digest_that_fails_to_send_is_tried_again_on_the_next_run(settings, alliance, mia):
    commit(alliance, mia, "Book the hall", day(4, 30))
    settings.EMAIL_BACKEND = "tests.test_digest.FailingBackend"

    with pytest.raises(CommandError, match="1 digest\\(s\\) could not be sent"):
        send()

    mia.refresh_from_db()
    assert mia.digest_sent_on is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    send()

    assert sent_to() == ["mia@example.org"]


def test_digests_are_found_in_one_query_and_sent_with_one_more_per_person(
    alliance, riverside, mia, carol, django_assert_num_queries
):
    add_member(riverside, mia, Role.MEMBER)
    for n in range(6):
        commit(alliance, mia, f"Harvest task {n}", day(4, 20 + n))
        commit(riverside, mia, f"Riverside task {n}", day(4, 20 + n))
        commit(alliance, carol, f"Carol's task {n}", day(4, 20 + n))

    with django_assert_num_queries(1):
        found = digest.digests(TODAY)
    with django_assert_num_queries(3):  # who and what, then each person's claim
        outcome = digest.send_digests(TODAY)

    assert [len(d.items) for d in found] == [6, 12]
    assert (outcome.sent, outcome.failed) == (2, 0)


def test_send_digests_refuses_a_malformed_date(db):
    with pytest.raises(CommandError, match="--date: '28/04/2027' is not a date"):
        call_command("send_digests", "--date=28/04/2027", stdout=io.StringIO())


# The opt-out


def test_profile_turns_the_digest_off_and_on(client, alliance, mia):
    commit(alliance, mia, "Book the hall", day(4, 30))
    client.force_login(mia)
    page = client.get("/accounts/profile/")
    assert "Email me a daily reminder of my commitments" in pages.text(page)
    assert re.search(r'<input type="checkbox" name="wants_digest"[^>]* checked>', page.text)

    off = client.post("/accounts/profile/", {"name": "Mia Member"}, follow=True)

    assert pages.messages(off) == ["The daily reminder of your commitments is off."]
    mia.refresh_from_db()
    assert mia.wants_digest is False
    send()
    assert mail.outbox == []

    on = client.post(
        "/accounts/profile/", {"name": "Mia Member", "wants_digest": "on"}, follow=True
    )

    assert pages.messages(on) == ["The daily reminder of your commitments is on."]
    send(TODAY + datetime.timedelta(days=1))
    assert sent_to() == ["mia@example.org"]


def test_profile_saving_the_name_alone_says_so(client, mia):
    client.force_login(mia)

    response = client.post(
        "/accounts/profile/", {"name": "Mia M.", "wants_digest": "on"}, follow=True
    )

    assert pages.messages(response) == ["Your name is saved."]


def stop_link_of(message) -> str:
    return re.search(r"https://accord\.example(/accounts/digest/stop/[^/]+/)", message.body)[1]


def test_stop_link_asks_then_turns_the_digest_off_without_signing_in(client, alliance, mia):
    commit(alliance, mia, "Book the hall", day(4, 30))
    send()
    link = stop_link_of(mail.outbox[0])

    asked = client.get(link)

    assert asked.status_code == 200
    assert (
        "Stop the daily email that reminds mia@example.org of the commitments due within a "
        "week or overdue?" in pages.text(asked)
    )
    mia.refresh_from_db()
    assert mia.wants_digest is True

    stopped = client.post(link, follow=True)

    assert stopped.redirect_chain == [(link, 302)]
    assert pages.messages(stopped) == ["The daily reminder is off. No more digests will be sent."]
    assert "The daily reminder is off for mia@example.org." in pages.text(stopped)
    mia.refresh_from_db()
    assert mia.wants_digest is False
    send(TODAY + datetime.timedelta(days=1))
    assert len(mail.outbox) == 1


def test_stop_link_needs_the_pages_csrf_token(alliance, mia):
    client = Client(enforce_csrf_checks=True)
    link = f"/accounts/digest/stop/{digest.stop_token(mia)}/"

    response = client.post(link)

    assert response.status_code == 403
    mia.refresh_from_db()
    assert mia.wants_digest is True


def test_stop_link_takes_a_mail_clients_one_click_post_without_session_or_token(alliance, mia):
    """RFC 8058: Mia's mail client offers "unsubscribe" and POSTs `List-Unsubscribe=One-Click`
    to the link the digest names, with no cookie and no CSRF token; the digest stops."""
    commit(alliance, mia, "Book the hall", day(4, 30))
    send()
    (message,) = mail.outbox
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.fullmatch(
        r"<https://accord\.example(/.+)>", message.extra_headers["List-Unsubscribe"]
    )[1]
    assert link == stop_link_of(message)

    response = Client(enforce_csrf_checks=True).post(link, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert "The daily reminder is off for mia@example.org." in pages.text(response)
    mia.refresh_from_db()
    assert mia.wants_digest is False


def test_stop_link_one_click_post_with_a_forged_token_changes_nothing(mia):
    forged = digest.stop_token(mia)[:-2] + "xx"

    response = Client(enforce_csrf_checks=True).post(
        f"/accounts/digest/stop/{forged}/", {"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == 400
    mia.refresh_from_db()
    assert mia.wants_digest is True


class OldSigner(signing.TimestampSigner):
    def timestamp(self):
        return signing.b62_encode(int(time.time()) - 61 * 24 * 3600)


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda user: digest.stop_token(user)[:-2] + "xx", id="forged"),
        pytest.param(lambda user: OldSigner(salt=stop_link.STOP_SALT).sign(str(user.pk)), id="old"),
        pytest.param(lambda user: signing.TimestampSigner().sign(str(user.pk)), id="other-salt"),
        pytest.param(lambda user: "nonsense", id="nonsense"),
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_stop_link_that_is_forged_or_expired_changes_nothing(client, mia, make_token, method):
    link = f"/accounts/digest/stop/{make_token(mia)}/"

    response = getattr(client, method)(link)

    assert response.status_code == 400
    assert (
        "This link does not work: it is incomplete or more than 60 days old. Nothing was "
        "changed." in pages.text(response)
    )
    mia.refresh_from_db()
    assert mia.wants_digest is True


def test_stop_link_answers_only_get_and_post(client, mia):
    response = client.put(f"/accounts/digest/stop/{digest.stop_token(mia)}/")

    assert response.status_code == 405


# The status page each line links to


@pytest.fixture
def told(monkeypatch):
    """The components whose live meetings were told that something changed."""
    calls = []
    monkeypatch.setattr(
        "registers.live.tell_meetings",
        lambda alliance, key, actor: calls.append((alliance.slug, key, actor.email)),
    )
    return calls


def test_owner_updates_the_status_from_the_digest_link(client, review, commitment, mia, told):
    client.force_login(mia)
    page = client.get(status_url(commitment))
    assert "Share the pantry schedule with every partner" in pages.text(page)
    assert pages.form_fields(page)["status"].value == "open"

    response = client.post(
        status_url(commitment),
        {"status": "partly", "status_reason": "Half the partners have it.", "base_version": "1"},
        follow=True,
    )

    component = reverse("reviews:component", args=[review.alliance.slug, review.pk, "purpose"])
    assert response.redirect_chain == [(component, 302)]
    assert pages.messages(response) == [
        "“Share the pantry schedule with every partner” is now: partly done."
    ]
    commitment.refresh_from_db()
    assert (commitment.status, commitment.status_reason, commitment.version) == (
        "partly",
        "Half the partners have it.",
        2,
    )
    revision = Revision.objects.for_object(commitment).first()
    assert (revision.author, revision.changes["status"]["new"]) == (mia, "partly done")
    assert told == [("harvest-alliance", "trust", "mia@example.org")]


def test_commitment_without_review_returns_to_the_alliance(client, alliance, mia, told):
    loose = commit(alliance, mia, "Book the hall", day(4, 30))
    client.force_login(mia)

    response = client.post(status_url(loose), {"status": "done", "base_version": "1"})

    assert response.url == reverse("alliances:detail", args=[alliance.slug])


def test_observer_updates_their_own_commitment_but_no_one_elses(client, alliance, otto, mia):
    own = commit(alliance, otto, "Tell the funder", day(4, 30))
    others = commit(alliance, mia, "Book the hall", day(4, 30))
    client.force_login(otto)

    mine = client.post(status_url(own), {"status": "done", "base_version": "1"})
    theirs = client.post(status_url(others), {"status": "done", "base_version": "1"})

    assert mine.status_code == 302
    assert theirs.status_code == 403
    assert "Observers can read but not change anything" in pages.text(theirs)
    assert list(Commitment.objects.order_by("pk").values_list("status", flat=True)) == [
        "done",
        "open",
    ]


def test_not_done_without_a_reason_is_refused_beside_the_field(client, commitment, mia, told):
    client.force_login(mia)

    response = client.post(
        status_url(commitment), {"status": "not_done", "status_reason": "  ", "base_version": "1"}
    )

    assert response.status_code == 200
    fields = pages.form_fields(response)
    assert fields["status_reason"].errors == ["Say why it was not done."]
    assert fields["status"].value == "not_done"
    assert "Status saved so far: not yet due or in progress" in pages.text(response)
    commitment.refresh_from_db()
    assert (commitment.status, commitment.version) == ("open", 1)
    assert told == []


def test_two_people_updating_one_status_see_a_conflict(client, commitment, mia, carol):
    other = Client()
    other.force_login(carol)
    client.force_login(mia)
    assert (
        other.post(status_url(commitment), {"status": "dropped", "base_version": "1"}).status_code
        == 302
    )

    response = client.post(
        status_url(commitment), {"status": "done", "status_reason": "", "base_version": "1"}
    )

    assert response.status_code == 200
    assert "Someone else saved this while you were editing" in pages.text(response)
    assert [(f.label, f.theirs, f.yours) for f in response.context["conflict"].fields] == [
        ("status", "dropped", "done")
    ]
    commitment.refresh_from_db()
    assert commitment.status == "dropped"


def test_status_page_is_not_found_for_an_outsider(client, commitment, olga):
    client.force_login(olga)

    response = client.get(status_url(commitment))

    assert response.status_code == 404


def test_status_page_of_another_alliances_commitment_is_not_found(client, riverside, mia, olga):
    theirs = commit(riverside, olga, "Map the empty flats", day(4, 30))
    client.force_login(mia)

    response = client.get(
        reverse("reviews:commitment_status", args=["harvest-alliance", theirs.pk])
    )

    assert response.status_code == 404


def test_digest_link_leads_the_owner_to_the_status_page(client, alliance, mia):
    due = commit(alliance, mia, "Book the hall", day(4, 30))
    send()
    link = re.search(r"Update it: https://accord\.example(\S+)", mail.outbox[0].body)[1]
    client.force_login(mia)

    response = client.get(link)

    assert link == status_url(due)
    assert response.status_code == 200
    assert "Where this commitment stands" in pages.text(response)


def test_owner_who_is_not_a_member_of_the_alliance_anymore_cannot_update(client, alliance, mia):
    due = commit(alliance, mia, "Book the hall", day(4, 30))
    Membership.objects.filter(alliance=alliance, user=mia).delete()
    client.force_login(mia)

    response = client.get(status_url(due))

    assert response.status_code == 404


def test_a_person_created_later_wants_the_digest_by_default(db):
    assert make_user("Nell New", "nell@example.org").wants_digest is True
