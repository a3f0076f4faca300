"""Signing in and out, resetting a password, and creating an account."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client

import accord.settings as project_settings
from accounts.models import User
from tests import pages
from tests.at_once import post_twice
from tests.factories import PASSWORD

fast = pytest.mark.usefixtures("fast_passwords")

SIGN_IN = "/accounts/sign-in/"
SITE = re.escape(project_settings.SITE_URL)
NEW_PASSWORD = "a fresh and long passphrase"
WRONG_LOGIN = (
    "Please enter a correct email address and password. Note that both fields may be "
    "case-sensitive."
)


def signed_in_user_id(client) -> int | None:
    value = client.session.get(SESSION_KEY)
    return None if value is None else int(value)


@fast
@pytest.mark.parametrize("email", ["carol@example.org", "Carol@Example.ORG", " carol@example.org "])
def test_sign_in_with_email_in_any_case(client, carol, email):
    response = client.post(SIGN_IN, {"username": email, "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == "/"
    assert signed_in_user_id(client) == carol.pk


@fast
def test_sign_in_goes_on_to_next_page(client, carol, alliance):
    response = client.post(
        SIGN_IN,
        {"username": "carol@example.org", "password": PASSWORD, "next": "/a/harvest-alliance/"},
    )

    assert response.status_code == 302
    assert response.url == "/a/harvest-alliance/"


@fast
def test_sign_in_with_wrong_password_shows_error_and_keeps_email(client, carol):
    response = client.post(SIGN_IN, {"username": "Carol@Example.org", "password": "not it"})

    assert response.status_code == 200
    assert WRONG_LOGIN in pages.text(response)
    fields = pages.form_fields(response)
    assert fields["username"].value == "Carol@Example.org"
    assert fields["password"].value is None
    assert signed_in_user_id(client) is None


@fast
def test_sign_in_page_sends_signed_in_person_home(client, carol):
    client.force_login(carol)

    response = client.get(SIGN_IN)

    assert response.status_code == 302
    assert response.url == "/"


@fast
def test_sign_out_by_post(client, carol):
    client.force_login(carol)

    response = client.post("/accounts/sign-out/")

    assert response.status_code == 302
    assert response.url == SIGN_IN
    assert signed_in_user_id(client) is None


@fast
def test_sign_out_by_get_is_refused(client, carol):
    client.force_login(carol)

    response = client.get("/accounts/sign-out/")

    assert response.status_code == 405
    assert signed_in_user_id(client) == carol.pk


@fast
def test_password_reset_email_link_sets_new_password(client, carol, mailoutbox):
    response = client.post("/accounts/password/reset/", {"email": "Carol@Example.org"})

    assert response.status_code == 302
    assert response.url == "/accounts/password/reset/sent/"
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["carol@example.org"]
    assert email.subject == "Choose a new password for Accord"
    link = re.search(SITE + r"(/accounts/password/reset/\S+/)", email.body).group(1)

    response = client.get(link)
    assert response.status_code == 302
    assert response.url.endswith("/set-password/")
    form_page = response.url
    assert sorted(pages.form_fields(client.get(form_page))) == ["new_password1", "new_password2"]

    response = client.post(
        form_page, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == "/accounts/password/reset/complete/"

    old = client.post(SIGN_IN, {"username": "carol@example.org", "password": PASSWORD})
    assert old.status_code == 200
    new = client.post(SIGN_IN, {"username": "carol@example.org", "password": NEW_PASSWORD})
    assert new.status_code == 302
    assert signed_in_user_id(client) == carol.pk


@fast
def test_password_reset_link_works_once(client, carol, mailoutbox):
    client.post("/accounts/password/reset/", {"email": "carol@example.org"})
    link = re.search(SITE + r"(/\S+/)", mailoutbox[0].body).group(1)
    form_page = client.get(link).url
    client.post(form_page, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    response = client.get(link)

    assert response.status_code == 200
    assert "This link no longer works" in pages.text(response)
    assert pages.form_fields(response) == {}


@fast
def test_password_reset_for_unknown_email_sends_nothing(client, carol, mailoutbox):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})

    assert response.status_code == 302
    assert response.url == "/accounts/password/reset/sent/"
    assert mailoutbox == []


@fast
def test_password_reset_sends_at_most_three_emails_an_hour_to_one_address(
    client, carol, mailoutbox
):
    """Anyone may ask for a reset of any address: asking again and again does not fill its
    owner's inbox, and the page says the same every time."""
    responses = [
        client.post("/accounts/password/reset/", {"email": email})
        for email in ["carol@example.org", "CAROL@example.org"] * 3
    ]

    assert {(r.status_code, r.url) for r in responses} == {(302, "/accounts/password/reset/sent/")}
    assert [message.to for message in mailoutbox] == [["carol@example.org"]] * 3


def test_password_is_stored_with_argon2(client, settings, db, mailoutbox):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    settings.SIGNUP_OPEN = True

    finish_sign_up(client, mailoutbox, "nell@example.org", "Nell Newcomer", PASSWORD)

    user = User.objects.get(email="nell@example.org")
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)


@fast
def test_password_change_keeps_person_signed_in(client, carol):
    client.force_login(carol)

    response = client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response.url == "/accounts/profile/"
    carol.refresh_from_db()
    assert carol.check_password(NEW_PASSWORD)
    assert signed_in_user_id(client) == carol.pk


@fast
def test_password_change_with_wrong_old_password_is_refused_beside_field(client, carol):
    client.force_login(carol)

    response = client.post(
        "/accounts/password/change/",
        {"old_password": "not it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert pages.form_fields(response)["old_password"].errors == [
        "Your old password was entered incorrectly. Please enter it again."
    ]
    carol.refresh_from_db()
    assert carol.check_password(PASSWORD)


@fast
def test_profile_saves_name(client, carol):
    client.force_login(carol)

    response = client.post(
        "/accounts/profile/", {"name": "Carol Coordinates", "wants_digest": "on"}, follow=True
    )

    assert response.redirect_chain == [("/accounts/profile/", 302)]
    assert pages.messages(response) == ["Your name is saved."]
    carol.refresh_from_db()
    assert carol.name == "Carol Coordinates"


def sign_up_link(client, mailoutbox, email: str) -> str:
    """Ask for an account at sign-up, and the link the email brings (its path)."""
    client.post("/accounts/sign-up/", {"email": email})
    return re.search(SITE + r"(/accounts/sign-up/\S+/)", mailoutbox[-1].body).group(1)


def finish_sign_up(client, mailoutbox, email, name, password):
    link = sign_up_link(client, mailoutbox, email)
    return client.post(link, {"name": name, "password1": password, "password2": password})


@fast
def test_sign_up_emails_a_link_that_makes_the_account_and_signs_in(
    client, settings, db, mailoutbox
):
    settings.SIGNUP_OPEN = True

    asked = client.post("/accounts/sign-up/", {"email": "Nell@Example.org"})

    assert asked.status_code == 200
    assert "Check your email We sent an email to nell@example.org." in pages.text(asked)
    assert User.objects.count() == 0
    assert [m.to for m in mailoutbox] == [["nell@example.org"]]
    assert mailoutbox[0].subject == "Create your Accord account"
    link = re.search(SITE + r"(/accounts/sign-up/\S+/)", mailoutbox[0].body).group(1)
    page = client.get(link)
    assert "Your account will use nell@example.org." in pages.text(page)
    assert sorted(pages.form_fields(page)) == ["language", "name", "password1", "password2"]

    response = client.post(
        link, {"name": "Nell Newcomer", "password1": PASSWORD, "password2": PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == "/alliances/new/"
    user = User.objects.get()
    assert (user.email, user.name) == ("nell@example.org", "Nell Newcomer")
    assert user.check_password(PASSWORD)
    assert signed_in_user_id(client) == user.pk


@fast
def test_sign_up_link_works_once(client, settings, db, mailoutbox):
    settings.SIGNUP_OPEN = True
    link = sign_up_link(client, mailoutbox, "nell@example.org")
    client.post(link, {"name": "Nell Newcomer", "password1": PASSWORD, "password2": PASSWORD})
    client.logout()

    other = "another long passphrase"
    again = client.post(link, {"name": "Someone Else", "password1": other, "password2": other})

    assert again.status_code == 200
    assert "There is an account for nell@example.org already." in pages.text(again)
    assert pages.form_fields(again) == {}
    user = User.objects.get()
    assert user.name == "Nell Newcomer"
    assert user.check_password(PASSWORD)
    assert signed_in_user_id(client) is None


@pytest.mark.django_db(transaction=True)
def test_sign_up_form_sent_twice_at_once_makes_one_account(settings, mailoutbox):
    """Nell double-clicks "Create the account": both requests check that the address has no
    account before either makes it (hashing the password takes a while)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a database that runs writers in parallel")
    settings.SIGNUP_OPEN = True
    link = sign_up_link(Client(), mailoutbox, "nell@example.org")
    data = {"name": "Nell Newcomer", "password1": PASSWORD, "password2": PASSWORD}
    statuses = post_twice(link, data)

    assert sorted(statuses) == [200, 302]
    assert User.objects.get().name == "Nell Newcomer"


@fast
def test_sign_up_link_tampered_or_expired_does_not_work(client, settings, db, mailoutbox):
    settings.SIGNUP_OPEN = True
    link = sign_up_link(client, mailoutbox, "nell@example.org")

    tampered = client.get(link.replace("/sign-up/", "/sign-up/x"))
    settings.PASSWORD_RESET_TIMEOUT = -1
    expired = client.get(link)

    for response in (tampered, expired):
        assert response.status_code == 400
        assert "This link no longer works" in pages.text(response)
        assert pages.form_fields(response) == {}


@fast
@pytest.mark.parametrize("method", ["get", "post"])
def test_sign_up_when_closed_is_not_found(client, settings, db, method):
    settings.SIGNUP_OPEN = False

    response = getattr(client, method)(
        "/accounts/sign-up/",
        {"name": "Nell", "email": "nell@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.status_code == 404
    assert User.objects.count() == 0


@fast
def test_sign_up_link_when_closed_is_not_found(client, settings, db, mailoutbox):
    settings.SIGNUP_OPEN = True
    link = sign_up_link(client, mailoutbox, "nell@example.org")
    settings.SIGNUP_OPEN = False

    response = client.post(link, {"name": "Nell", "password1": PASSWORD, "password2": PASSWORD})

    assert response.status_code == 404
    assert User.objects.count() == 0


@fast
@pytest.mark.parametrize(("open_", "shown"), [(True, True), (False, False)])
def test_sign_in_page_offers_sign_up_only_when_open(client, settings, db, open_, shown):
    settings.SIGNUP_OPEN = open_

    response = client.get(SIGN_IN)

    assert ("/accounts/sign-up/" in pages.links(response)) is shown


def _without_csrf(response) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", response.content)


@fast
def test_sign_up_answers_the_same_for_a_taken_and_a_new_address(
    client, settings, carol, mailoutbox
):
    """An attacker cannot learn from sign-up whether an address has an account here: the
    owner of the address learns it, by email."""
    settings.SIGNUP_OPEN = True

    taken = client.post("/accounts/sign-up/", {"email": "CAROL@example.org"})
    new = client.post("/accounts/sign-up/", {"email": "nell@example.org"})

    assert (taken.status_code, new.status_code) == (200, 200)
    assert sorted(taken.headers) == sorted(new.headers)
    assert _without_csrf(taken).replace(b"carol@", b"nell@") == _without_csrf(new)
    assert User.objects.count() == 1
    assert signed_in_user_id(client) is None
    existing, invited = mailoutbox
    assert (existing.to, invited.to) == (["carol@example.org"], ["nell@example.org"])
    assert existing.subject == "You already have an Accord account"
    assert re.findall(r"https?://\S+", existing.body) == [
        f"{project_settings.SITE_URL}/accounts/sign-in/",
        f"{project_settings.SITE_URL}/accounts/password/reset/",
    ]
    carol.refresh_from_db()
    assert carol.check_password(PASSWORD)


@fast
def test_sign_up_sends_at_most_three_emails_an_hour_to_one_address(
    client, settings, carol, mailoutbox
):
    settings.SIGNUP_OPEN = True

    responses = [
        client.post("/accounts/sign-up/", {"email": email})
        for email in ["carol@example.org"] * 5 + ["nell@example.org"]
    ]

    assert len({_without_csrf(response) for response in responses[:5]}) == 1
    assert [message.to for message in mailoutbox] == [["carol@example.org"]] * 3 + [
        ["nell@example.org"]
    ]


@fast
def test_sign_up_counts_the_tags_of_one_mailbox_as_that_mailbox(client, settings, db, mailoutbox):
    """nell+1@, nell+2@, … all land in Nell's inbox: they share its three emails an hour."""
    settings.SIGNUP_OPEN = True

    for n in range(5):
        client.post("/accounts/sign-up/", {"email": f"nell+{n}@example.org"})

    assert [message.to for message in mailoutbox] == [
        ["nell+0@example.org"],
        ["nell+1@example.org"],
        ["nell+2@example.org"],
    ]


@fast
def test_sign_up_with_an_invalid_address_is_refused_beside_field(client, settings, db, mailoutbox):
    settings.SIGNUP_OPEN = True

    response = client.post("/accounts/sign-up/", {"email": "not an address"})

    assert response.status_code == 200
    assert pages.form_fields(response)["email"].errors == ["Enter a valid email address."]
    assert mailoutbox == []


@fast
def test_sign_up_with_two_different_passwords_is_refused_beside_field(
    client, settings, db, mailoutbox
):
    settings.SIGNUP_OPEN = True

    link = sign_up_link(client, mailoutbox, "nell@example.org")

    response = client.post(
        link, {"name": "Nell Newcomer", "password1": PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response.status_code == 200
    fields = pages.form_fields(response)
    assert fields["password2"].errors == ["The two passwords are not the same."]
    assert fields["name"].value == "Nell Newcomer"
    assert User.objects.count() == 0


# PostgreSQL's UPPER() folds a few letters that are not ASCII into ASCII ones ("ı" to "I"),
# so a case-insensitive lookup there takes iris@kıtchen.example, an address at a domain
# anyone may register, for iris@kitchen.example. (SQLite folds ASCII alone.)
IRIS = "iris@kitchen.example"
LOOK_ALIKE = "iris@kıtchen.example"


@fast
def test_sign_in_with_a_look_alike_address_is_refused(client, db):
    User.objects.create_user(IRIS, PASSWORD, name="Iris")

    response = client.post(SIGN_IN, {"username": LOOK_ALIKE, "password": PASSWORD})

    assert response.status_code == 200
    assert WRONG_LOGIN in pages.text(response)
    assert signed_in_user_id(client) is None


@fast
def test_sign_up_from_a_look_alike_address_is_told_nothing_of_the_account(
    client, settings, db, mailoutbox
):
    settings.SIGNUP_OPEN = True
    User.objects.create_user(IRIS, PASSWORD, name="Iris")

    client.post("/accounts/sign-up/", {"email": LOOK_ALIKE})

    (sent,) = mailoutbox
    assert sent.to == [LOOK_ALIKE]
    assert sent.subject == "Create your Accord account"
    assert IRIS not in sent.body


@fast
def test_sign_up_link_of_a_look_alike_address_does_not_claim_an_imported_account(
    client, settings, db, mailoutbox
):
    """The link was asked for before an import made Iris's account (without a password):
    it makes the look-alike address's own account, and leaves Iris's for her to claim."""
    settings.SIGNUP_OPEN = True
    link = sign_up_link(client, mailoutbox, LOOK_ALIKE)
    iris = User.objects.create_user(IRIS, None, name="Iris")

    response = client.post(link, {"name": "Mallory", "password1": PASSWORD, "password2": PASSWORD})

    assert response.status_code == 302
    iris.refresh_from_db()
    assert iris.is_unclaimed
    assert iris.name == "Iris"
    assert User.objects.get(pk=signed_in_user_id(client)).email == LOOK_ALIKE


@fast
def test_password_reset_from_a_look_alike_address_sends_nothing(client, db, mailoutbox):
    User.objects.create_user(IRIS, None, name="Iris")

    response = client.post("/accounts/password/reset/", {"email": LOOK_ALIKE})

    assert response.status_code == 302
    assert mailoutbox == []
