"""Outgoing webhooks (issue 18, part 5): a coordinator registers an address and its events;
the scheduler delivers each event signed, retried with backoff and logged with the answer,
to public addresses only (or networks the site's staff allow), and never carries a private
answer. The receiver is a real HTTP server on loopback (tests/webhook_receiver.py)."""

import datetime
import json
import ssl
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from meetings import services as meetings
from ratings.models import Reflection, Round
from ratings.services import close_check_in
from reviews.models import Commitment, ComponentRecord
from reviews.services import record_component
from tests import pages
from tests.answering import answer, check_in_on
from tests.factories import (
    PUBLIC_WEBHOOK_URL,
    add_members,
    make_alliance,
    make_commitment,
    make_meeting,
    make_webhook,
)
from tests.webhook_receiver import LoopbackReceiver, Receiver, certificates, verify
from upkeep import scheduler
from upkeep.jobs import BY_NAME
from webhooks import addresses, events, sending, services, signing
from webhooks.models import Delivery, Webhook

pytestmark = pytest.mark.usefixtures("fast_passwords")

DELIVER = BY_NAME["deliver_webhooks"]
COMMITMENTS = BY_NAME["webhook_commitments"]
# 08:00 UTC on the day the `commitment` fixture is due (DIGEST_HOUR is 7).
DUE_DAY = datetime.datetime(2027, 4, 30, 8, 0, tzinfo=datetime.UTC)

PRIVATE = (
    "This address is on a private network (or is this server itself); ask the site's staff "
    "to allow it."
)


def url(name, alliance, *args):
    return reverse(f"webhooks:{name}", args=[alliance.slug, *args])


def payloads(**filters) -> list[dict]:
    return [json.loads(d.payload) for d in Delivery.objects.filter(**filters).order_by("id")]


# Signed deliveries, received on loopback


def test_a_delivery_is_signed_and_the_receiver_verifies_it_as_documented(
    alliance, carol, webhook_receiver
):
    webhook = make_webhook(alliance, webhook_receiver.url, author=carol)
    queued = services.send_test_event(webhook=webhook, author=carol)

    run = scheduler.run_job(DELIVER, timezone.now())

    assert run.summary == "1 webhook delivery(ies) delivered, 0 to try again, 0 given up."
    [received] = webhook_receiver.received
    assert received.path == "/hooks/accord?channel=harvest"
    headers = received.headers
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == "Accord-Webhooks"
    assert headers["Accord-Event"] == "ping"
    assert headers["Accord-Delivery"] == str(queued.uuid)
    assert verify(webhook.secret, headers, received.body)
    assert not verify("whsec_someone-else", headers, received.body)
    assert not verify(webhook.secret, headers, received.body + b" ")
    assert signing.verify(webhook.secret, received.body, headers["Accord-Signature"])
    body = json.loads(received.body)
    assert body["event"] == "ping"
    assert body["id"] == str(queued.uuid)
    assert body["alliance"] == {
        "name": "Harvest Alliance",
        "slug": alliance.slug,
        "url": f"{settings.SITE_URL}/a/{alliance.slug}/",
    }
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 1, 200)
    assert delivery.response_excerpt == "<b>answered 200</b>"
    assert delivery.payload.encode() == received.body


def test_a_signature_older_than_five_minutes_is_refused_by_the_documented_check():
    body = b'{"event": "ping"}'
    header = signing.header("whsec_x", body, timestamp=1_800_000_000)

    assert signing.verify("whsec_x", body, header, now=1_800_000_000 + 300)
    assert not signing.verify("whsec_x", body, header, now=1_800_000_000 + 301)


def test_a_new_secret_signs_the_next_deliveries(alliance, carol, webhook_receiver):
    webhook = make_webhook(alliance, webhook_receiver.url, author=carol)
    old = webhook.secret
    new = services.regenerate_secret(webhook=webhook)
    services.send_test_event(webhook=webhook, author=carol)

    services.deliver_due()

    [received] = webhook_receiver.received
    assert verify(new, received.headers, received.body)
    assert not verify(old, received.headers, received.body)


def test_a_failing_receiver_is_tried_again_after_a_minute_then_delivered(
    alliance, carol, webhook_receiver
):
    webhook_receiver.codes = [500, 200]
    webhook = make_webhook(alliance, webhook_receiver.url, author=carol)
    services.send_test_event(webhook=webhook, author=carol)
    now = timezone.now()

    assert services.deliver_due(now).retrying == 1
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("pending", 1, 500)
    assert delivery.error == "The receiver answered 500."
    assert delivery.next_attempt_at - delivery.last_attempt_at == timedelta(minutes=1)

    assert services.deliver_due(now + timedelta(seconds=59)).retrying == 0
    assert len(webhook_receiver.received) == 1

    assert services.deliver_due(delivery.next_attempt_at).delivered == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 2, 200)
    assert delivery.error == ""
    assert len(webhook_receiver.received) == 2
    # The same body each time (the signature's time may differ).
    assert webhook_receiver.received[0].body == webhook_receiver.received[1].body


def test_a_receiver_failing_every_time_is_given_up_after_backing_off(
    alliance, carol, webhook_receiver
):
    webhook_receiver.codes = [503]
    webhook = make_webhook(alliance, webhook_receiver.url, author=carol)
    services.send_test_event(webhook=webhook, author=carol)
    delays = []

    for _ in range(services.MAX_ATTEMPTS):
        delivery = Delivery.objects.get()
        services.deliver_due(delivery.next_attempt_at)
        delivery.refresh_from_db()
        if delivery.next_attempt_at:
            delays.append(delivery.next_attempt_at - delivery.last_attempt_at)

    assert delays == [timedelta(minutes=2**n) for n in range(services.MAX_ATTEMPTS - 1)]
    assert (delivery.status, delivery.attempts) == ("failed", services.MAX_ATTEMPTS)
    assert services.deliver_due(timezone.now() + timedelta(days=1)).given_up == 0
    assert len(webhook_receiver.received) == services.MAX_ATTEMPTS


def test_a_stalling_receiver_holds_a_run_no_longer_than_the_timeout(
    alliance, carol, webhook_receiver
):
    webhook_receiver.stall = 10
    webhook = make_webhook(alliance, webhook_receiver.url, author=carol)
    services.send_test_event(webhook=webhook, author=carol)

    started = time.monotonic()
    outcome = services.deliver_due()

    assert time.monotonic() - started < 3  # WEBHOOK_TIMEOUT is 1 s here
    assert outcome.retrying == 1
    delivery = Delivery.objects.get()
    assert delivery.status == "pending"
    assert delivery.error == "127.0.0.1: no answer within 1 s"


def test_a_receiver_answering_a_byte_at_a_time_is_cut_off(alliance, carol, webhook_receiver):
    webhook_receiver.dribble = True
    webhook = make_webhook(alliance, webhook_receiver.url, author=carol)
    services.send_test_event(webhook=webhook, author=carol)

    started = time.monotonic()
    services.deliver_due()

    assert time.monotonic() - started < 5  # three timeouts of 1 s
    assert Delivery.objects.get().error == "127.0.0.1: no whole answer within 3 s"


def test_the_connection_goes_to_the_checked_address_and_names_the_host(webhook_receiver):
    # The name is never resolved again: a DNS answer changed since the check is not used.
    target = addresses.Target(
        "http", "hooks.example.org", webhook_receiver.port, "/in", ("127.0.0.1",)
    )

    answer = sending.post(target, b"{}", {"Content-Type": "application/json"})

    assert answer.status == 200
    [received] = webhook_receiver.received
    assert received.headers["Host"] == f"hooks.example.org:{webhook_receiver.port}"


def test_an_address_with_letters_beyond_ascii_is_delivered_percent_encoded(
    alliance, carol, webhook_receiver
):
    # A valid address (an IRI) may hold them in its path and query; a request line may not.
    address = webhook_receiver.url.replace("/hooks/", "/hooks/café/") + "&tag=ñandú"
    webhook = make_webhook(alliance, address, author=carol)
    services.send_test_event(webhook=webhook, author=carol)

    assert services.deliver_due().delivered == 1

    [received] = webhook_receiver.received
    assert received.path == "/hooks/caf%C3%A9/accord?channel=harvest&tag=%C3%B1and%C3%BA"


def test_no_redirect_is_followed(alliance, carol, webhook_receiver):
    webhook_receiver.codes = [302]
    webhook = make_webhook(alliance, webhook_receiver.url, author=carol)
    services.send_test_event(webhook=webhook, author=carol)

    services.deliver_due()

    assert len(webhook_receiver.received) == 1
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.response_code) == ("pending", 302)


# Addresses on the server's own network


REFUSED = [
    "https://127.0.0.1/hook",
    "https://10.1.2.3/hook",
    "https://192.168.0.10/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://0.0.0.0/hook",
    "https://100.64.0.1/hook",
    "https://[::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://[::ffff:10.0.0.1]/hook",
    "https://[2002:7f00:1::]/hook",  # 6to4 of 127.0.0.1
    "https://[fd00::1]/hook",
    "https://[fe80::1]/hook",
    "https://224.0.0.1/hook",
    "https://localhost/hook",
    "https://localhost:8000/hook",
]


@pytest.mark.parametrize("address", REFUSED)
def test_a_private_address_is_refused_beside_the_field_keeping_what_was_typed(
    client, alliance, carol, address
):
    client.force_login(carol)

    response = client.post(url("create", alliance), {"url": address, "events": ["meeting.planned"]})

    assert response.status_code == 200
    assert response.context["form"].errors == {"url": [PRIVATE]}
    assert f'value="{address}"' in response.content.decode()
    assert 'value="meeting.planned" id="id_events_1" checked' in response.content.decode()
    assert not Webhook.objects.exists()


@pytest.mark.parametrize(
    ("address", "error"),
    [
        (
            "http://93.184.215.14/hook",
            "The address must start with https://: the events and their signature would "
            "otherwise cross the internet unencrypted.",
        ),
        (
            "https://user:pw@93.184.215.14/hook",
            "Leave the user name and password out of the address.",
        ),
        ("https://nowhere.invalid/hook", "No address was found for this host. Check the address."),
        ("ftp://93.184.215.14/hook", "The address must start with https://."),
    ],
)
def test_other_addresses_are_refused_saying_why(address, error):
    with pytest.raises(addresses.Refused) as refused:
        addresses.check(address)
    assert str(refused.value) == error


def test_a_public_address_is_taken_with_its_events(client, alliance, carol):
    client.force_login(carol)

    response = client.post(
        url("create", alliance),
        {"url": PUBLIC_WEBHOOK_URL, "events": ["review.recorded", "commitment.due"]},
    )

    webhook = Webhook.objects.get()
    assert response.url == url("secret", alliance, webhook.pk)
    assert (webhook.alliance, webhook.created_by, webhook.active) == (alliance, carol, True)
    assert webhook.events == ["review.recorded", "commitment.due"]
    # The secret is shown once, on the page the form leads to.
    page = client.get(response.url)
    shown = page.content.decode()
    assert webhook.secret in shown
    # Nor is it kept by the browser, to be shown again from its history on a shared device.
    assert "no-store" in page["Cache-Control"]
    assert webhook.secret.startswith("whsec_") and len(webhook.secret) > 40
    assert webhook.secret not in client.get(response.url).content.decode()


def test_a_private_network_the_staff_allow_is_taken(settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = ["10.0.0.0/8", "fd00::/8"]

    assert addresses.check("http://10.1.2.3:8080/hook").addresses == ("10.1.2.3",)
    assert addresses.check("https://[fd00::1]/hook").addresses == ("fd00::1",)
    assert addresses.check("https://[::ffff:10.0.0.1]/hook").port == 443
    with pytest.raises(addresses.Refused):
        addresses.check("https://192.168.0.10/hook")
    with pytest.raises(addresses.Refused):
        addresses.check("https://127.0.0.1/hook")


def test_an_address_no_longer_allowed_is_refused_at_delivery(
    settings, alliance, carol, webhook_receiver
):
    webhook = make_webhook(alliance, webhook_receiver.url, author=carol)
    services.send_test_event(webhook=webhook, author=carol)
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = []

    assert services.deliver_due().retrying == 1

    assert webhook_receiver.received == []
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("pending", 1, None)
    assert delivery.error == PRIVATE


# Events from the real services


def test_planning_a_meeting_and_changing_its_plan_are_sent(alliance, review, fiona):
    make_webhook(alliance, events=["meeting.planned"])
    starts = datetime.datetime(2027, 5, 3, 17, 0, tzinfo=datetime.UTC)

    meeting = make_meeting(review, fiona, starts_at=starts, place="Town hall")
    meetings.update_plan(meeting=meeting, agenda=["purpose"], starts_at=starts + timedelta(days=7))

    planned, changed = payloads()
    assert planned["event"] == changed["event"] == "meeting.planned"
    assert planned["data"] == {
        "change": "planned",
        "meeting": {
            "id": meeting.pk,
            "review": "Spring 2027 review",
            "starts_at": "2027-05-03T17:00:00+00:00",
            "duration_minutes": 120,
            "place": "Town hall",
            "agenda": [
                {"key": "purpose", "name": "Shared purpose"},
                {"key": "power", "name": "Shared power"},
            ],
            "facilitator": fiona.name,
            "status": "planned",
            "url": planned["data"]["meeting"]["url"],
        },
    }
    assert planned["data"]["meeting"]["url"].endswith(f"/a/{alliance.slug}/meetings/{meeting.pk}/")
    assert changed["data"]["change"] == "changed"
    assert changed["data"]["meeting"]["starts_at"] == "2027-05-10T17:00:00+00:00"


def test_cancelling_a_meeting_is_sent(alliance, review, fiona):
    make_webhook(alliance, events=["meeting.planned"])
    meeting = make_meeting(review, fiona)

    meetings.cancel(meeting=meeting, actor=fiona, reason="The hall is closed")

    planned, cancelled = payloads()
    assert cancelled["event"] == "meeting.planned"
    assert cancelled["data"]["change"] == "cancelled"
    assert cancelled["data"]["meeting"]["id"] == meeting.pk
    assert cancelled["data"]["meeting"]["status"] == "cancelled"
    # Nor is a reason, which was written for the alliance's own people, sent.
    assert "The hall is closed" not in json.dumps(cancelled)


def test_recording_components_is_sent_and_the_last_says_the_review_is_finished(
    alliance, review, fiona
):
    make_webhook(alliance, events=["review.recorded"])

    for record in review.records.select_related("review").order_by("number"):
        record.refresh_from_db()
        record_component(record=record, author=fiona)

    sent = payloads()
    assert [p["data"]["component"]["key"] for p in sent] == [
        "purpose",
        "power",
        "interdependence",
        "trust",
        "control",
        "indicators",
    ]
    first, last = sent[0]["data"], sent[-1]["data"]
    assert first["review"]["components_recorded"] == 1
    assert first["review"]["finished"] is False
    assert first["component"]["state"] == "recorded"
    assert last["review"]["components_recorded"] == 6
    assert last["review"]["finished"] is True


def test_an_event_goes_only_to_sending_webhooks_of_its_alliance_that_asked_for_it(
    alliance, review, fiona, olga
):
    asked = make_webhook(alliance, events=["meeting.planned"])
    make_webhook(alliance, events=["review.recorded"])
    make_webhook(alliance, events=["meeting.planned"], active=False)
    riverside = make_alliance(olga, name="Riverside Alliance")
    make_webhook(riverside, events=["meeting.planned"])

    make_meeting(review, fiona)

    assert list(Delivery.objects.values_list("webhook", flat=True)) == [asked.pk]


def test_a_change_undone_sends_nothing(alliance, review, fiona):
    make_webhook(alliance, events=["meeting.planned"])

    with pytest.raises(RuntimeError), transaction.atomic():
        make_meeting(review, fiona)
        raise RuntimeError("the page failed after planning")

    assert not Delivery.objects.exists()


def test_an_event_that_cannot_be_made_never_stops_the_change(alliance, review, fiona, monkeypatch):
    make_webhook(alliance, events=["meeting.planned"])

    def broken(meeting, change):
        raise ValueError("a payload that cannot be made")

    monkeypatch.setattr(events, "meeting_data", broken)

    meeting = make_meeting(review, fiona)

    assert meeting.pk and meeting.phases.exists()
    assert not Delivery.objects.exists()


def test_commitments_due_and_overdue_are_sent_once_each_by_the_daily_job(
    alliance, review, kitchen, mia, commitment
):
    make_webhook(alliance, events=["commitment.due", "commitment.overdue"])
    late = make_commitment(review, "Print the flyers", datetime.date(2027, 4, 28), owner=mia)
    make_commitment(review, "Call the county", datetime.date(2027, 4, 29), status="done")
    make_commitment(review, "Long forgotten", datetime.date(2027, 4, 1))
    make_commitment(review, "Not yet", datetime.date(2027, 5, 2))

    assert scheduler.run_job(COMMITMENTS, DUE_DAY).summary == (
        "2 webhook delivery(ies) of commitments due or overdue queued."
    )
    overdue, due = payloads()  # by date
    assert due["event"] == "commitment.due"
    assert due["data"]["commitment"] == {
        "id": commitment.pk,
        "description": "Share the pantry schedule with every partner",
        "due_on": "2027-04-30",
        "days_overdue": 0,
        "status": "open",
        "partner": kitchen.name,
        "owner": mia.name,
        "review": "Spring 2027 review",
        "url": due["data"]["commitment"]["url"],
    }
    assert due["data"]["commitment"]["url"].endswith(
        f"/a/{alliance.slug}/reviews/{review.pk}/purpose/"
    )
    assert overdue["event"] == "commitment.overdue"
    assert overdue["data"]["commitment"]["id"] == late.pk
    assert overdue["data"]["commitment"]["days_overdue"] == 2

    # Run again the same day (a run taken over): nothing twice.
    assert services.queue_commitment_events(DUE_DAY.date()) == 0
    assert Delivery.objects.count() == 2
    # The next day the commitment due yesterday is overdue; the late one is not sent again.
    scheduler.run_job(COMMITMENTS, DUE_DAY + timedelta(days=1))
    assert [(p["event"], p["data"]["commitment"]["id"]) for p in payloads()] == [
        ("commitment.overdue", late.pk),
        ("commitment.due", commitment.pk),
        ("commitment.overdue", commitment.pk),
    ]
    Commitment.objects.update(status="done")
    scheduler.run_job(COMMITMENTS, DUE_DAY + timedelta(days=2))
    assert Delivery.objects.count() == 3


# Private answers


def test_no_event_carries_a_private_answer(alliance, review, fiona, carol, mia, commitment):
    members = add_members(alliance, 6)
    check_in = check_in_on(review)
    round = Round.objects.get(check_in=check_in, component_key="purpose", goal=None)
    secrets = [f"Confidential reflection number {n}" for n in range(6)]
    for n, membership in enumerate(members):
        answer(membership, round, rating=1 + n % 5, q1=secrets[n])
    close_check_in(check_in=check_in)
    assert (
        Reflection.objects.filter(round=round).count() == 6
    )  # the answers are there, and shown to members
    webhook = make_webhook(alliance)

    record = ComponentRecord.objects.select_related("review").get(
        review=review, component_key="purpose"
    )
    record_component(record=record, author=fiona)
    make_meeting(review, fiona)
    services.queue_commitment_events(commitment.due_on)
    services.send_test_event(webhook=webhook, author=carol)

    sent = Delivery.objects.order_by("id")
    assert [d.event for d in sent] == [
        "review.recorded",
        "meeting.planned",
        "commitment.due",
        "ping",
    ]
    for delivery in sent:
        for text in secrets:
            assert text not in delivery.payload
        for membership in members:
            assert membership.user.name not in delivery.payload
        keys = set()

        def collect(value, keys=keys):
            if isinstance(value, dict):
                keys.update(value)
                for inner in value.values():
                    collect(inner)
            elif isinstance(value, list):
                for inner in value:
                    collect(inner)

        collect(json.loads(delivery.payload))
        assert not keys & {
            "rating",
            "ratings",
            "reflection",
            "reflections",
            "answers",
            "median",
            "spread",
            "confidence",
            "participants",
        }


# Pages


def test_sending_a_test_event_queues_it_and_sends_nothing_in_the_request(
    client, alliance, carol, webhook_receiver
):
    webhook = make_webhook(alliance, webhook_receiver.url, author=carol)
    client.force_login(carol)

    response = client.post(url("test", alliance, webhook.pk))

    assert response.url == url("deliveries", alliance, webhook.pk)
    assert webhook_receiver.received == []
    delivery = Delivery.objects.get()
    assert (delivery.event, delivery.status) == ("ping", "pending")
    page = client.get(response.url).content.decode()
    assert "A test event" in page
    assert "waiting to be sent" in page


def test_a_paused_webhook_is_not_promised_a_test_event(client, alliance, carol, webhook_receiver):
    webhook = make_webhook(alliance, webhook_receiver.url, author=carol, active=False)
    client.force_login(carol)

    response = client.post(url("test", alliance, webhook.pk), follow=True)

    # It would wait, never sent, while the page said it was on its way.
    assert pages.messages(response) == [
        "This webhook is paused: turn sending on to send it a test event."
    ]
    assert not Delivery.objects.exists()


def test_the_log_shows_the_answer_escaped(client, alliance, carol, webhook_receiver):
    webhook = make_webhook(alliance, webhook_receiver.url, author=carol)
    services.send_test_event(webhook=webhook, author=carol)
    services.deliver_due()
    client.force_login(carol)

    page = client.get(url("deliveries", alliance, webhook.pk)).content.decode()

    assert "&lt;b&gt;answered 200&lt;/b&gt;" in page
    assert "<b>answered" not in page
    assert "code 200" in page
    assert ">delivered<" in page


def test_an_answer_with_nul_bytes_is_kept_and_the_run_goes_on(alliance, carol, webhook_receiver):
    # PostgreSQL keeps no NUL character in a text: the answer's excerpt would stop the run.
    webhook_receiver.body = b"ok\x00\x00done"
    webhook = make_webhook(alliance, webhook_receiver.url, author=carol)
    services.send_test_event(webhook=webhook, author=carol)

    assert services.deliver_due().delivered == 1

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.response_code) == ("delivered", 200)
    assert delivery.response_excerpt == "ok\ufffd\ufffddone"


def test_editing_a_webhook_keeps_its_address_and_pausing_stops_its_events(
    client, alliance, carol, review, fiona
):
    webhook = make_webhook(alliance, events=["meeting.planned"])
    client.force_login(carol)

    response = client.post(url("edit", alliance, webhook.pk), {"events": ["review.recorded"]})

    assert response.url == url("list", alliance)
    webhook.refresh_from_db()
    assert (webhook.url, webhook.events, webhook.active) == (
        PUBLIC_WEBHOOK_URL,
        ["review.recorded"],
        False,
    )
    refused = client.post(url("edit", alliance, webhook.pk), {"active": "on"})
    assert refused.context["form"].errors == {"events": ["Choose at least one event."]}
    record = ComponentRecord.objects.select_related("review").get(
        review=review, component_key="purpose"
    )
    record_component(record=record, author=fiona)
    assert not Delivery.objects.exists()


def test_deleting_a_webhook_deletes_its_log(client, alliance, carol):
    webhook = make_webhook(alliance)
    services.send_test_event(webhook=webhook, author=carol)
    client.force_login(carol)

    response = client.post(url("delete", alliance, webhook.pk))

    assert response.url == url("list", alliance)
    assert not Webhook.objects.exists() and not Delivery.objects.exists()


def test_the_forms_need_the_csrf_token(alliance, carol):
    webhook = make_webhook(alliance)
    client = Client(enforce_csrf_checks=True)
    client.force_login(carol)

    for path, data in [
        (url("create", alliance), {"url": PUBLIC_WEBHOOK_URL, "events": ["ping"]}),
        (url("test", alliance, webhook.pk), {}),
        (url("secret", alliance, webhook.pk), {}),
        (url("delete", alliance, webhook.pk), {}),
    ]:
        assert client.post(path, data).status_code == 403
    assert Webhook.objects.get().secret == webhook.secret
    assert not Delivery.objects.exists()


def test_the_alliance_page_links_the_webhooks_for_coordinators_only(client, alliance, carol, mia):
    link = url("list", alliance)
    client.force_login(carol)
    assert link in client.get(reverse("alliances:detail", args=[alliance.slug])).content.decode()
    client.force_login(mia)
    assert (
        link not in client.get(reverse("alliances:detail", args=[alliance.slug])).content.decode()
    )


# The session, its user, the membership, the webhook, its deliveries, and the page frame's
# own two (the person's alliances and the live meetings it announces).
LOG_QUERIES = 7


@pytest.mark.parametrize("count", [3, 300])
def test_the_log_reads_a_fixed_number_of_queries(
    client, alliance, carol, count, django_assert_num_queries
):
    webhook = make_webhook(alliance)
    for _ in range(count):
        services.send_test_event(webhook=webhook, author=carol)
    client.force_login(carol)
    client.get(url("list", alliance))  # the session's first page

    with django_assert_num_queries(LOG_QUERIES):
        response = client.get(url("deliveries", alliance, webhook.pk))

    assert len(response.context["deliveries"]) == min(count, 100)


# Keeping deliveries bounded


def test_the_daily_clean_up_deletes_deliveries_older_than_thirty_days(alliance, carol):
    webhook = make_webhook(alliance)
    old = services.send_test_event(webhook=webhook, author=carol)
    recent = services.send_test_event(webhook=webhook, author=carol)
    now = timezone.now()
    Delivery.objects.filter(uuid=old.uuid).update(created_at=now - timedelta(days=30, seconds=1))
    Delivery.objects.filter(uuid=recent.uuid).update(created_at=now - timedelta(days=29))

    run = scheduler.run_job(BY_NAME["clean_up"], now)

    assert "1 old webhook delivery(ies) deleted" in run.summary
    assert list(Delivery.objects.values_list("uuid", flat=True)) == [recent.uuid]


def test_two_runs_never_send_a_delivery_twice(alliance, carol, webhook_receiver):
    webhook = make_webhook(alliance, webhook_receiver.url, author=carol)
    services.send_test_event(webhook=webhook, author=carol)
    read_by_another_run = Delivery.objects.get()

    services.deliver_due()

    # A run that read the row before this one claimed it no longer gets it.
    assert not services._claim(read_by_another_run, timezone.now())
    assert len(webhook_receiver.received) == 1


# Over https


@pytest.fixture
def tls_receiver(tmp_path, monkeypatch, settings):
    """A receiver over TLS on loopback, whose certificate names hooks.example.org, signed
    by an authority this test's client trusts (SSL_CERT_FILE)."""
    authority, cert, key = certificates(tmp_path, "hooks.example.org")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    monkeypatch.setenv("SSL_CERT_FILE", str(authority))
    settings.WEBHOOK_TIMEOUT = 2
    receiver = Receiver()
    server = LoopbackReceiver(receiver, tls=context)
    server.start()
    yield receiver
    server.close()


def test_over_https_the_certificate_is_checked_against_the_host_not_the_address(tls_receiver):
    def target(host):
        return addresses.Target("https", host, tls_receiver.port, "/in", ("127.0.0.1",))

    answer = sending.post(target("hooks.example.org"), b"{}", {})

    assert answer.status == 200
    assert tls_receiver.received[0].headers["Host"] == f"hooks.example.org:{tls_receiver.port}"
    with pytest.raises(sending.SendError) as refused:
        sending.post(target("other.example.org"), b"{}", {})
    assert "certificate verify failed" in str(refused.value)
    assert len(tls_receiver.received) == 1
