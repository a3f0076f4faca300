"""An import names people: it must never lock them out of their own address, nor give the
importer their account. Tried as the attacker: Olga, signed in, no staff, imports a file
that names Vera, who has no account here yet."""

import io
import json
import re
from types import SimpleNamespace

import pytest
from django.contrib.auth import SESSION_KEY

import accord.settings as project_settings
from accounts.models import User
from alliances.models import Alliance
from tests import filled_alliance, pages
from tests.factories import PASSWORD

pytestmark = pytest.mark.usefixtures("fast_passwords")

SITE = re.escape(project_settings.SITE_URL)
VERA = "vera@elsewhere.example"
NEW_PASSWORD = "vera's own long passphrase"


@pytest.fixture
def imported(client, olga):
    """Olga's import of an alliance that makes Vera a coordinator of it."""
    vera = SimpleNamespace(email=VERA, name="Vera Victim")
    document = filled_alliance.small_document("harvest-youth", [olga, vera])
    file = io.BytesIO(json.dumps(document).encode())
    file.name = "harvest.json"
    client.force_login(olga)
    assert client.post("/alliances/import/", {"file": file}).status_code == 302
    client.logout()
    return Alliance.objects.get(slug="harvest-youth")


def signed_in_as(client) -> int | None:
    value = client.session.get(SESSION_KEY)
    return None if value is None else int(value)


def set_password_from(client, message) -> None:
    link = re.search(SITE + r"(/accounts/password/reset/\S+/)", message.body).group(1)
    form_page = client.get(link).url
    response = client.post(
        form_page, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302


def test_the_account_an_import_makes_is_nobodys_until_claimed(imported):
    vera = User.objects.get(email=VERA)

    assert vera.is_unclaimed
    assert not vera.has_usable_password()
    assert vera.last_login is None


def test_the_importer_cannot_sign_in_to_it(client, imported):
    for password in ("", PASSWORD, "!", User.objects.get(email=VERA).password):
        client.post("/accounts/sign-in/", {"username": VERA, "password": password})
        assert signed_in_as(client) is None


def test_the_importer_asking_a_reset_sends_the_link_to_vera_only(client, imported, mailoutbox):
    client.post("/accounts/password/reset/", {"email": VERA.upper()})

    assert [message.to for message in mailoutbox] == [[VERA]]


def test_vera_claims_it_through_forgot_your_password(client, imported, mailoutbox):
    response = client.post("/accounts/password/reset/", {"email": VERA})
    assert response.url == "/accounts/password/reset/sent/"
    set_password_from(client, mailoutbox[0])

    client.post("/accounts/sign-in/", {"username": VERA, "password": NEW_PASSWORD})

    vera = User.objects.get(email=VERA)
    assert signed_in_as(client) == vera.pk
    assert not vera.is_unclaimed


def test_vera_signing_up_is_sent_the_way_in(client, imported, mailoutbox, settings):
    settings.SIGNUP_OPEN = True

    response = client.post("/accounts/sign-up/", {"email": VERA})

    assert "Check your email" in pages.text(response)
    (message,) = mailoutbox
    assert message.subject == "You already have an Accord account"
    reset_page = re.search(SITE + r"(/accounts/password/reset/)", message.body).group(1)
    client.post(reset_page, {"email": VERA})
    set_password_from(client, mailoutbox[1])
    client.post("/accounts/sign-in/", {"username": VERA, "password": NEW_PASSWORD})
    assert signed_in_as(client) == User.objects.get(email=VERA).pk


def test_once_vera_has_signed_in_a_reset_follows_the_usual_rule(client, imported, mailoutbox):
    """An account with no usable password that has been used was switched off on purpose
    (by an administrator): "forgot your password" does not turn it back on."""
    User.objects.filter(email=VERA).update(last_login="2027-01-01T00:00:00Z")

    client.post("/accounts/password/reset/", {"email": VERA})

    assert mailoutbox == []
