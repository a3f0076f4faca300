"""Guessing a password: the rule of accounts.throttle, tried as the attacker would."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import checks

import accord.settings as project_settings
from accounts import throttle
from tests import pages
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.usefixtures("fast_passwords")

SIGN_IN = "/accounts/sign-in/"
ATTACKER = "203.0.113.7"
VICTIM = "198.51.100.20"
TOO_MANY = "Too many attempts to sign in. Try again in {} minutes, or reset your password."


@pytest.fixture
def clock(monkeypatch):
    """The throttle's clock, which a test moves on."""
    now = [1_900_000_000.0]
    monkeypatch.setattr(throttle, "_now", lambda: now[0])
    return now


def sign_in(client, password, *, email="carol@example.org", address=ATTACKER, **headers):
    return client.post(
        SIGN_IN, {"username": email, "password": password}, REMOTE_ADDR=address, **headers
    )


def guess(client, times, **kwargs):
    return [sign_in(client, f"guess {n}", **kwargs).status_code for n in range(times)]


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


def test_thirty_wrong_passwords_then_the_right_one_is_refused(client, carol, clock):
    statuses = guess(client, 30)

    response = sign_in(client, PASSWORD)

    assert statuses == [200] * 5 + [429] * 25
    assert response.status_code == 429
    assert TOO_MANY.format(15) in pages.text(response)
    assert pages.form_fields(response)["username"].value == "carol@example.org"
    assert not signed_in(client)


def test_locked_password_is_not_checked(client, carol, clock, monkeypatch):
    guess(client, 5)
    checked = []
    monkeypatch.setattr(type(carol), "check_password", lambda *args: checked.append(1))

    sign_in(client, PASSWORD)

    assert checked == []


def test_after_the_lock_the_right_password_signs_in(client, carol, clock):
    guess(client, 6)
    clock[0] += 14 * 60
    assert sign_in(client, PASSWORD).status_code == 429
    assert "Try again in 1 minute, or reset" in pages.text(sign_in(client, PASSWORD))

    clock[0] += 60
    response = sign_in(client, PASSWORD)

    assert response.status_code == 302
    assert signed_in(client)


def test_lock_grows_with_each_lock_and_is_capped_at_an_hour(client, carol, clock):
    waits = []
    for _ in range(4):
        guess(client, 5)
        response = sign_in(client, "another guess")
        waits.append(re.search(r"Try again in (\d+) minutes", pages.text(response)).group(1))
        clock[0] += int(waits[-1]) * 60

    assert waits == ["15", "30", "60", "60"]


def test_attacker_does_not_lock_the_owner_out_from_another_address(client, carol, clock):
    guess(client, 30, address=ATTACKER)

    response = sign_in(client, PASSWORD, address=VICTIM)

    assert response.status_code == 302
    assert signed_in(client)


def test_addresses_of_one_ipv6_network_count_as_one(client, carol, clock):
    """An IPv6 connection comes with a /64 of addresses: an attacker who moves to the next
    one for each guess is still one client."""
    statuses = [
        sign_in(client, f"guess {n}", address=f"2001:db8:7:7::{n + 1:x}").status_code
        for n in range(30)
    ]

    response = sign_in(client, PASSWORD, address="2001:db8:7:7:ffff::1")

    assert statuses == [200] * 5 + [429] * 25
    assert response.status_code == 429
    assert sign_in(client, PASSWORD, address="2001:db8:7:8::1").status_code == 302


def test_right_password_forgives_the_failures_before_it(client, carol, clock):
    guess(client, 4)
    assert sign_in(client, PASSWORD).status_code == 302
    client.logout()

    assert guess(client, 5) == [200] * 5


def test_password_reset_ends_the_lock_from_every_address(client, carol, clock, mailoutbox):
    guess(client, 6)
    client.post("/accounts/password/reset/", {"email": "carol@example.org"}, REMOTE_ADDR=VICTIM)
    site = re.escape(project_settings.SITE_URL)
    link = re.search(site + r"(/\S+/)", mailoutbox[0].body).group(1)
    form_page = client.get(link).url
    new = "a fresh and long passphrase"
    client.post(form_page, {"new_password1": new, "new_password2": new})

    response = sign_in(client, new, address=ATTACKER)

    assert response.status_code == 302
    assert signed_in(client)


def test_one_address_guessing_across_accounts_is_refused(client, carol, clock):
    make_user("Nell Newcomer", "nell@example.org")
    statuses = []
    for n in range(10):
        statuses += guess(client, 5, email=f"person{n}@example.org")

    refused = sign_in(client, PASSWORD, email="nell@example.org")
    elsewhere = sign_in(client, PASSWORD, email="nell@example.org", address=VICTIM)

    assert statuses == [200] * 50
    assert refused.status_code == 429
    assert TOO_MANY.format(60) in pages.text(refused)
    assert elsewhere.status_code == 302


def test_forged_forwarded_for_is_ignored_without_a_trusted_proxy(client, carol, clock):
    statuses = [
        sign_in(client, "guess", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code for n in range(10)
    ]

    assert statuses == [200] * 5 + [429] * 5


def test_behind_a_trusted_proxy_the_address_it_saw_counts(client, carol, clock, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # Every request comes from the proxy; the attacker writes what they like before the
    # address the proxy appends.
    for n in range(6):
        sign_in(client, "guess", address="10.0.0.1", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, {ATTACKER}")

    attacker = sign_in(client, PASSWORD, address="10.0.0.1", HTTP_X_FORWARDED_FOR=ATTACKER)
    victim = sign_in(client, PASSWORD, address="10.0.0.1", HTTP_X_FORWARDED_FOR=VICTIM)

    assert attacker.status_code == 429
    assert victim.status_code == 302


def test_admin_sign_in_is_throttled_too(client, db, clock):
    sam = make_user("Sam Staff", "sam@example.org")
    sam.is_staff = sam.is_superuser = True
    sam.save(update_fields=["is_staff", "is_superuser"])
    for n in range(5):
        client.post(
            "/admin/login/",
            {"username": "sam@example.org", "password": f"guess {n}"},
            REMOTE_ADDR=ATTACKER,
        )

    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "sam@example.org", "password": PASSWORD},
        REMOTE_ADDR=ATTACKER,
    )

    assert response.status_code == 200
    assert "Too many attempts to sign in." in response.content.decode()
    assert not signed_in(client)


@pytest.mark.parametrize(
    ("backend", "warned"),
    [
        ("django.core.cache.backends.locmem.LocMemCache", True),
        ("django.core.cache.backends.redis.RedisCache", False),
    ],
)
def test_deploy_check_warns_when_the_cache_is_not_shared(settings, backend, warned):
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": "redis://127.0.0.1:6379/9"}}

    found = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])

    assert ("accounts.W001" in [message.id for message in found]) is warned
