"""Each person's language is chosen once, kept in their profile, and followed on every
device: the header offers it on every page, sign-up and an invitation ask for it (the
browser's Accept-Language first), and a signed-in person's pages are in it whatever the
browser asks for."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from accounts.language import chosen, each_in_their_language, language_of, speaking
from accounts.models import User
from alliances.models import Role
from tests import pages
from tests.factories import PASSWORD, make_invitation, make_user

PROFILE = "/accounts/profile/"
fast = pytest.mark.usefixtures("fast_passwords")


def test_a_region_of_a_language_counts_as_it_and_others_are_refused():
    assert chosen("es") == "es"
    assert chosen("es-MX") == "es"
    assert chosen("EN-gb") == "en"
    assert chosen("fr") is None
    assert chosen("") is None


def test_a_person_who_never_chose_is_written_to_in_the_sites_language(carol):
    assert carol.language == ""
    assert language_of(carol) == settings.LANGUAGE_CODE
    carol.language = "es"
    with speaking(carol):
        assert translation.get_language() == "es"


def test_the_language_chosen_in_the_profile_is_followed_whatever_the_browser_says(client, carol):
    client.force_login(carol)

    response = client.post(
        PROFILE, {"name": carol.name, "language": "es", "wants_digest": "on"}, follow=True
    )

    carol.refresh_from_db()
    assert carol.language == "es"
    assert pages.messages(response) == ["Se guardó su idioma."]
    page = client.get(PROFILE, HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="es">' in page.content.decode()
    assert page["Content-Language"] == "es"
    assert "Su perfil" in pages.text(page)


def test_the_profile_refuses_a_language_the_site_does_not_have(client, carol):
    client.force_login(carol)

    response = client.post(PROFILE, {"name": carol.name, "language": "xx"})

    assert response.status_code == 200
    assert "language" in response.context["form"].errors
    carol.refresh_from_db()
    assert carol.language == ""


def test_the_header_switch_keeps_a_signed_in_persons_choice_in_the_profile(client, carol):
    client.force_login(carol)
    html = client.get(PROFILE).content.decode()
    header = html[html.index('<header class="site-header"') : html.index("</header>")]
    assert f'action="{reverse("set_language")}"' in header

    client.post(reverse("set_language"), {"language": "es", "next": PROFILE})

    carol.refresh_from_db()
    assert carol.language == "es"
    # Another device, whose browser asks for English, without the cookie.
    other = client.__class__()
    other.force_login(carol)
    assert "Su perfil" in pages.text(other.get(PROFILE, HTTP_ACCEPT_LANGUAGE="en"))


def test_switching_while_signed_out_sets_only_the_cookie(client, db):
    client.post(reverse("set_language"), {"language": "es", "next": "/accounts/sign-in/"})

    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert not User.objects.exists()


@fast
def test_sign_up_offers_the_browsers_language_and_keeps_the_choice(
    client, settings, db, mailoutbox
):
    settings.SIGNUP_OPEN = True
    client.post("/accounts/sign-up/", {"email": "nell@example.org"}, HTTP_ACCEPT_LANGUAGE="es")
    link = re.search(r"(/accounts/sign-up/\S+/)", mailoutbox[0].body).group(1)

    page = client.get(link, HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert '<option value="es" lang="es" selected>Español</option>' in page.content.decode()
    client.post(
        link,
        {"name": "Nell", "password1": PASSWORD, "password2": PASSWORD, "language": "es"},
        HTTP_ACCEPT_LANGUAGE="es",
    )

    assert User.objects.get().language == "es"


@fast
def test_accepting_an_invitation_keeps_the_language_chosen_there(client, carol, alliance, kitchen):
    _, token = make_invitation(alliance, "nell@example.org", Role.MEMBER, kitchen, carol)

    client.post(
        f"/invitations/{token}/",
        {"name": "Nell", "password1": PASSWORD, "password2": PASSWORD, "language": "es"},
    )

    assert User.objects.get(email="nell@example.org").language == "es"
    assert "Su perfil" in pages.text(client.get(PROFILE, HTTP_ACCEPT_LANGUAGE="en"))


@fast
def test_an_invitation_sent_without_a_language_takes_the_pages_language(
    client, carol, alliance, kitchen
):
    _, token = make_invitation(alliance, "nell@example.org", Role.MEMBER, kitchen, carol)

    client.post(
        f"/invitations/{token}/",
        {"name": "Nell", "password1": PASSWORD, "password2": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="es",
    )

    assert User.objects.get(email="nell@example.org").language == "es"


def test_every_language_select_names_each_language_in_itself_and_marks_it(client, carol, alliance):
    client.force_login(carol)
    pages_with_a_language = [
        PROFILE,
        reverse("alliances:invite", args=[alliance.slug]),
        reverse("alliances:edit", args=[alliance.slug]),
    ]
    for url in pages_with_a_language:
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert '<option value="es" lang="es">Español</option>' in html, url


def test_each_email_is_written_in_its_readers_language(db):
    ana = make_user("Ana Ruiz", "ana@example.org")
    ana.language = "es"
    ana.save()
    bo = make_user("Bo Lee", "bo@example.org")
    rows = [("row-ana", ana), ("row-bo", bo)]

    written = each_in_their_language(
        rows,
        lambda row: (row[0], translation.get_language(), translation.gettext("Save")),
        lambda row: row[1],
    )

    assert sorted(written, key=lambda pair: pair[0].email) == [
        (ana, ("row-ana", "es", "Guardar")),
        (bo, ("row-bo", settings.LANGUAGE_CODE, "Save")),
    ]
