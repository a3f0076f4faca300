"""An alliance, its partner organizations and its people: creating and editing them,
inviting people in, changing roles, and moving between alliances."""

import datetime
import re

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import User
from alliances import services
from alliances.forms import MembershipForm
from alliances.models import Alliance, Invitation, Membership, Partner, Role
from tests import pages
from tests.at_once import post_twice
from tests.factories import PASSWORD, add_member, make_invitation, make_partner, make_user

pytestmark = pytest.mark.usefixtures("fast_passwords")

HARVEST = "/a/harvest-alliance"
REQUIRED = "This field is required."
PARTNER_NEEDED = "Choose the partner organization this person represents."


@pytest.fixture
def riverside(olga):
    return Alliance.objects.get(slug="riverside-alliance")


# Creating and editing an alliance


def test_create_alliance_makes_creator_its_coordinator(client, mia):
    client.force_login(mia)

    response = client.post(
        "/alliances/new/",
        {
            "name": "Harvest Youth Alliance",
            "community": "Young people in Harvest County",
            "purpose": "Summer meals for every child.",
        },
        follow=True,
    )

    assert response.redirect_chain == [("/a/harvest-youth-alliance/partners/", 302)]
    assert pages.messages(response) == [
        "Your alliance is ready. Next, add its partner organizations."
    ]
    alliance = Alliance.objects.get(slug="harvest-youth-alliance")
    assert (alliance.name, alliance.community, alliance.purpose) == (
        "Harvest Youth Alliance",
        "Young people in Harvest County",
        "Summer meals for every child.",
    )
    assert list(alliance.memberships.values_list("user__email", "role", "partner")) == [
        ("mia@example.org", "coordinator", None)
    ]


def test_create_alliance_sent_twice_makes_one_alliance(client, mia):
    """Mia double-clicks "Create": an alliance cannot be deleted, so a second one made by
    the second click would stay beside the first for ever."""
    client.force_login(mia)
    data = {
        "name": "Harvest Youth Alliance",
        "community": "Young people in Harvest County",
        "purpose": "Summer meals for every child.",
    }

    responses = [client.post("/alliances/new/", data) for _ in range(2)]

    assert [(r.status_code, r.url) for r in responses] == [
        (302, "/a/harvest-youth-alliance/partners/")
    ] * 2
    assert list(
        Alliance.objects.filter(name="Harvest Youth Alliance").values_list("slug", flat=True)
    ) == ["harvest-youth-alliance"]


def test_create_alliance_without_required_fields_keeps_what_was_typed(client, carol):
    client.force_login(carol)

    response = client.post(
        "/alliances/new/", {"name": "Harvest Youth Alliance", "community": "", "purpose": " "}
    )

    assert response.status_code == 200
    fields = pages.form_fields(response)
    assert fields["name"].errors == []
    assert fields["name"].value == "Harvest Youth Alliance"
    assert fields["community"].errors == [REQUIRED]
    assert fields["purpose"].errors == [REQUIRED]
    assert Alliance.objects.count() == 0


def test_edit_alliance_saves_description(client, carol, alliance):
    client.force_login(carol)

    response = client.post(
        f"{HARVEST}/edit/",
        {
            "name": "Harvest County Alliance",
            "community": "Families in Harvest County",
            "purpose": "End hunger in Harvest County, together.",
            "base_version": "1",
        },
        follow=True,
    )

    assert response.redirect_chain == [(f"{HARVEST}/", 302)]
    assert pages.messages(response) == ["The alliance's description is saved."]
    alliance.refresh_from_db()
    assert (alliance.name, alliance.slug, alliance.purpose, alliance.version) == (
        "Harvest County Alliance",
        "harvest-alliance",
        "End hunger in Harvest County, together.",
        2,
    )


def test_edit_alliance_with_empty_name_keeps_the_rest(client, carol, alliance):
    client.force_login(carol)

    response = client.post(
        f"{HARVEST}/edit/",
        {"name": "", "community": "Everyone", "purpose": "New purpose", "base_version": "1"},
    )

    assert response.status_code == 200
    fields = pages.form_fields(response)
    assert fields["name"].errors == [REQUIRED]
    assert (fields["community"].value, fields["purpose"].value) == ("Everyone", "New purpose")
    alliance.refresh_from_db()
    assert (alliance.name, alliance.version) == ("Harvest Alliance", 1)


# Partners


def test_add_partner(client, carol, alliance):
    client.force_login(carol)

    response = client.post(
        f"{HARVEST}/partners/new/",
        {
            "name": "Shelter House",
            "description": "Beds and meals for the night",
            "website": "https://shelter.example.org",
            "contact_name": "Sam Shelter",
            "contact_email": "sam@shelter.example.org",
        },
        follow=True,
    )

    assert response.redirect_chain == [(f"{HARVEST}/partners/", 302)]
    assert pages.messages(response) == ["Shelter House is a partner now."]
    assert list(
        Partner.objects.filter(alliance=alliance).values_list(
            "name", "description", "website", "contact_name", "contact_email"
        )
    ) == [
        (
            "Shelter House",
            "Beds and meals for the night",
            "https://shelter.example.org",
            "Sam Shelter",
            "sam@shelter.example.org",
        )
    ]
    assert "Shelter House Beds and meals for the night" in pages.text(response)


def test_edit_partner(client, carol, food_bank):
    client.force_login(carol)

    response = client.post(
        f"{HARVEST}/partners/{food_bank.pk}/edit/",
        {"name": "Harvest Food Bank", "description": "Groceries", "base_version": "1"},
    )

    assert response.status_code == 302
    assert response.url == f"{HARVEST}/partners/"
    food_bank.refresh_from_db()
    assert (food_bank.name, food_bank.description, food_bank.version) == (
        "Harvest Food Bank",
        "Groceries",
        2,
    )


def test_edit_partner_keeping_its_name_is_fine(client, carol, food_bank):
    client.force_login(carol)

    response = client.post(
        f"{HARVEST}/partners/{food_bank.pk}/edit/",
        {"name": "FOOD BANK", "base_version": "1"},
    )

    assert response.status_code == 302
    food_bank.refresh_from_db()
    assert food_bank.name == "FOOD BANK"


@pytest.mark.parametrize("name", ["Food Bank", "food bank", "  FOOD BANK  "])
def test_add_partner_with_name_taken_in_alliance_is_refused_beside_name(
    client, carol, food_bank, name
):
    client.force_login(carol)

    response = client.post(
        f"{HARVEST}/partners/new/", {"name": name, "description": "A second one"}
    )

    assert response.status_code == 200
    fields = pages.form_fields(response)
    assert fields["name"].errors == [f"This alliance already has a partner named “{name.strip()}”."]
    assert fields["name"].value == name
    assert fields["description"].value == "A second one"
    assert Partner.objects.filter(alliance=food_bank.alliance).count() == 1


def test_rename_partner_to_name_taken_in_alliance_is_refused_beside_name(
    client, carol, food_bank, kitchen
):
    client.force_login(carol)

    response = client.post(
        f"{HARVEST}/partners/{kitchen.pk}/edit/", {"name": "food BANK", "base_version": "1"}
    )

    assert response.status_code == 200
    fields = pages.form_fields(response)
    assert fields["name"].errors == ["This alliance already has a partner named “food BANK”."]
    assert fields["name"].value == "food BANK"
    kitchen.refresh_from_db()
    assert kitchen.name == "Community Kitchen"


def test_partner_name_used_in_another_alliance_is_fine(client, olga, riverside, food_bank):
    client.force_login(olga)

    response = client.post("/a/riverside-alliance/partners/new/", {"name": "Food Bank"})

    assert response.status_code == 302
    assert list(Partner.objects.filter(name="Food Bank").values_list("alliance__slug")) == [
        ("harvest-alliance",),
        ("riverside-alliance",),
    ]


# People


def test_people_page_lists_members_with_role_and_partner(client, people):
    client.force_login(people["otto"])

    response = client.get(f"{HARVEST}/people/")

    assert response.status_code == 200
    assert (
        "Name Role Partner organization "
        "Carol Coordinator Coordinator Food Bank "
        "Fiona Facilitator Facilitator none (outside the partners) "
        "Mia Member Member Community Kitchen "
        "Otto Observer Observer none (outside the partners)"
    ) in pages.text(response)
    # Only a coordinator sees email addresses and the invitations.
    assert "mia@example.org" not in response.content.decode()
    assert "Invitations" not in pages.text(response)


def test_people_page_shows_coordinator_emails_and_invitations(client, people, alliance):
    make_invitation(alliance, "nell@example.org", Role.OBSERVER, invited_by=people["carol"])
    client.force_login(people["carol"])

    response = client.get(f"{HARVEST}/people/")

    page = pages.text(response)
    assert "Mia Member mia@example.org Member Community Kitchen" in page
    assert "nell@example.org Observer Waiting for an answer" in page


# Invitations


def invite(client, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(f"{HARVEST}/people/invite/", data)


def test_invite_sends_one_email_with_link(
    client, carol, kitchen, mailoutbox, settings, django_capture_on_commit_callbacks
):
    client.force_login(carol)

    response = invite(
        client,
        django_capture_on_commit_callbacks,
        email="Nell@Example.org",
        role="member",
        partner=kitchen.pk,
    )

    assert response.status_code == 302
    assert response.url == f"{HARVEST}/people/"
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["nell@example.org"]
    assert email.subject == "You are invited to Harvest Alliance on Accord"
    assert "Carol Coordinator invites you to join Harvest Alliance on Accord, as member." in (
        email.body
    )
    assert "You will represent Community Kitchen." in email.body
    links = re.findall(re.escape(settings.SITE_URL) + r"/invitations/([\w-]+)/", email.body)
    assert len(links) == 1
    invitation = Invitation.objects.get_by_token(links[0])
    assert (invitation.email, invitation.role, invitation.partner, invitation.invited_by) == (
        "nell@example.org",
        "member",
        kitchen,
        carol,
    )
    assert invitation.state == "pending"


def test_invitation_link_lets_new_person_join_as_invited_role_and_partner(
    client, carol, alliance, kitchen
):
    _, token = make_invitation(alliance, "nell@example.org", Role.MEMBER, kitchen, carol)

    page = client.get(f"/invitations/{token}/")

    assert page.status_code == 200
    assert (
        "Join Harvest Alliance Carol Coordinator invites you as member. "
        "You will represent Community Kitchen."
    ) in pages.text(page)
    assert sorted(pages.form_fields(page)) == ["language", "name", "password1", "password2"]

    response = client.post(
        f"/invitations/{token}/",
        {"name": "Nell Newcomer", "password1": PASSWORD, "password2": PASSWORD},
        follow=True,
    )

    assert response.redirect_chain == [(f"{HARVEST}/", 302)]
    assert pages.messages(response) == ["Welcome to Harvest Alliance."]
    membership = Membership.objects.get(user__email="nell@example.org")
    assert (membership.alliance, membership.role, membership.partner) == (
        alliance,
        "member",
        kitchen,
    )
    assert membership.user.name == "Nell Newcomer"
    assert membership.user.check_password(PASSWORD)
    assert response.context["user"] == membership.user
    assert Invitation.objects.get().state == "accepted"


def test_invitation_link_refuses_weak_password_and_keeps_name(client, carol, alliance):
    _, token = make_invitation(alliance, "nell@example.org", Role.OBSERVER, None, carol)

    response = client.post(
        f"/invitations/{token}/", {"name": "Nell Newcomer", "password1": "nell", "password2": "x"}
    )

    assert response.status_code == 200
    fields = pages.form_fields(response)
    assert fields["name"].value == "Nell Newcomer"
    assert fields["password2"].errors == ["The two passwords are not the same."]
    assert Membership.objects.filter(user__email="nell@example.org").exists() is False


@pytest.mark.parametrize("role", ["member", "coordinator"])
def test_invite_for_partner_role_needs_partner(
    client, carol, kitchen, mailoutbox, django_capture_on_commit_callbacks, role
):
    client.force_login(carol)

    response = invite(
        client, django_capture_on_commit_callbacks, email="nell@example.org", role=role
    )

    assert response.status_code == 200
    fields = pages.form_fields(response)
    assert fields["partner"].errors == [PARTNER_NEEDED]
    assert (fields["email"].value, fields["role"].value) == ("nell@example.org", role)
    assert Invitation.objects.count() == 0
    assert mailoutbox == []


@pytest.mark.parametrize("role", ["facilitator", "observer"])
def test_invite_for_role_outside_partners_needs_no_partner(
    client, carol, alliance, mailoutbox, django_capture_on_commit_callbacks, role
):
    client.force_login(carol)

    response = invite(
        client, django_capture_on_commit_callbacks, email="nell@example.org", role=role
    )

    assert response.status_code == 302
    assert list(Invitation.objects.values_list("email", "role", "partner")) == [
        ("nell@example.org", role, None)
    ]
    assert len(mailoutbox) == 1


def test_invite_with_partner_of_another_alliance_is_refused_once_beside_partner(
    client, carol, alliance, riverside, mailoutbox, django_capture_on_commit_callbacks
):
    elsewhere = make_partner(riverside, "Riverside Housing")
    client.force_login(carol)

    response = invite(
        client,
        django_capture_on_commit_callbacks,
        email="nell@example.org",
        role="member",
        partner=elsewhere.pk,
    )

    assert response.status_code == 200
    assert pages.form_fields(response)["partner"].errors == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert Invitation.objects.count() == 0
    assert mailoutbox == []


def test_invite_someone_already_in_alliance_is_refused_beside_email(
    client, carol, mia, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(carol)

    response = invite(
        client, django_capture_on_commit_callbacks, email="MIA@example.org", role="observer"
    )

    assert response.status_code == 200
    fields = pages.form_fields(response)
    assert fields["email"].errors == ["This person is already in the alliance."]
    assert fields["email"].value == "MIA@example.org"
    assert Invitation.objects.count() == 0
    assert mailoutbox == []


def test_second_pending_invitation_to_same_address_is_refused_beside_email(
    client, carol, alliance, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(carol)
    invite(client, django_capture_on_commit_callbacks, email="nell@example.org", role="observer")

    response = invite(
        client, django_capture_on_commit_callbacks, email="Nell@example.org", role="facilitator"
    )

    assert response.status_code == 200
    assert pages.form_fields(response)["email"].errors == [
        "An invitation to this address is already waiting for an answer. Revoke it first to "
        "send a new one."
    ]
    assert Invitation.objects.count() == 1
    assert len(mailoutbox) == 1


def test_invite_again_after_revoking_is_fine(
    client, carol, alliance, mailoutbox, django_capture_on_commit_callbacks
):
    first, _ = make_invitation(alliance, "nell@example.org", Role.OBSERVER, None, carol)
    client.force_login(carol)
    client.post(f"{HARVEST}/invitations/{first.pk}/revoke/")

    response = invite(
        client, django_capture_on_commit_callbacks, email="nell@example.org", role="observer"
    )

    assert response.status_code == 302
    assert sorted(i.state for i in Invitation.objects.all()) == ["pending", "revoked"]
    assert len(mailoutbox) == 1


def test_inviting_and_withdrawing_again_and_again_sends_at_most_three_emails_an_hour(
    client, carol, alliance, mailoutbox, django_capture_on_commit_callbacks
):
    """Invite, withdraw, invite again: a coordinator cannot flood someone's inbox."""
    client.force_login(carol)
    for _ in range(3):
        invite(
            client, django_capture_on_commit_callbacks, email="nell@example.org", role="observer"
        )
        client.post(f"{HARVEST}/invitations/{Invitation.objects.first().pk}/revoke/")

    response = invite(
        client, django_capture_on_commit_callbacks, email="Nell@example.org", role="observer"
    )

    assert response.status_code == 200
    fields = pages.form_fields(response)
    assert fields["email"].errors == [
        "Too many invitations went to this address within the hour: try again later."
    ]
    assert fields["email"].value == "Nell@example.org"
    assert len(mailoutbox) == 3
    assert Invitation.objects.pending().count() == 0


def test_used_invitation_link_says_it_was_used(client, carol, alliance):
    _, token = make_invitation(alliance, "nell@example.org", Role.OBSERVER, None, carol)
    client.post(
        f"/invitations/{token}/",
        {"name": "Nell Newcomer", "password1": PASSWORD, "password2": PASSWORD},
    )
    client.logout()

    response = client.get(f"/invitations/{token}/")

    assert response.status_code == 410
    assert (
        "This invitation cannot be used "
        "This invitation has already been used. If it was you, sign in."
    ) in pages.text(response)
    assert pages.form_fields(response) == {}


@pytest.mark.parametrize("method", ["get", "post"])
def test_used_invitation_link_takes_its_member_to_the_alliance(client, carol, alliance, method):
    """Nell joined; days later she opens Accord from the invitation email again (or her
    double click sent "Join the alliance" twice): she lands in the alliance."""
    nell = make_user("Nell Newcomer", "nell@example.org")
    invitation, token = make_invitation(alliance, "nell@example.org", Role.OBSERVER, None, carol)
    services.accept_invitation(invitation=invitation, user=nell)
    client.force_login(nell)

    response = getattr(client, method)(f"/invitations/{token}/")

    assert response.status_code == 302
    assert response.url == f"{HARVEST}/"


def test_expired_invitation_link_says_it_expired(client, carol, alliance):
    invitation, token = make_invitation(alliance, "nell@example.org", Role.OBSERVER, None, carol)
    invitation.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    invitation.save(update_fields=["expires_at"])

    page = client.get(f"/invitations/{token}/")
    post = client.post(
        f"/invitations/{token}/",
        {"name": "Nell Newcomer", "password1": PASSWORD, "password2": PASSWORD},
    )

    for response in (page, post):
        assert response.status_code == 410
        assert (
            "This invitation has expired. Ask the alliance's coordinator for a new one."
            in pages.text(response)
        )
    assert Membership.objects.filter(user__email="nell@example.org").exists() is False


def test_revoked_invitation_link_says_it_was_withdrawn(client, carol, alliance):
    invitation, token = make_invitation(alliance, "nell@example.org", Role.OBSERVER, None, carol)
    client.force_login(carol)
    client.post(f"{HARVEST}/invitations/{invitation.pk}/revoke/")
    client.logout()

    response = client.get(f"/invitations/{token}/")

    assert response.status_code == 410
    assert (
        "This invitation was withdrawn. Ask the alliance's coordinator for a new one."
        in pages.text(response)
    )


def test_unknown_invitation_link_is_not_found(client, db):
    response = client.get("/invitations/not-a-real-token/")

    assert response.status_code == 404
    assert (
        "This invitation link is not valid. Check that the whole link was copied, or ask for "
        "a new invitation."
    ) in pages.text(response)


def test_invitation_for_existing_account_asks_to_sign_in_first(client, carol, olga, alliance):
    invitation, token = make_invitation(alliance, "olga@example.org", Role.OBSERVER, None, carol)

    page = client.get(f"/invitations/{token}/")
    post = client.post(
        f"/invitations/{token}/",
        {"name": "Someone Else", "password1": PASSWORD, "password2": PASSWORD},
    )

    for response in (page, post):
        assert response.status_code == 200
        assert (
            "An account for olga@example.org exists already. Sign in, then come back to this link."
        ) in pages.text(response)
        assert (
            f"/accounts/sign-in/?next=/invitations/{token}/&amp;email=olga%40example.org"
            in pages.links(response)
        )
        assert pages.form_fields(response) == {}
    assert Membership.objects.filter(alliance=alliance, user=olga).exists() is False
    invitation.refresh_from_db()
    assert invitation.state == "pending"


def test_signed_in_person_accepts_invitation_with_post(client, carol, olga, alliance):
    invitation, token = make_invitation(alliance, "olga@example.org", Role.OBSERVER, None, carol)
    client.force_login(olga)

    page = client.get(f"/invitations/{token}/")

    assert page.status_code == 200
    assert "You are signed in as olga@example.org. Join the alliance" in pages.text(page)
    assert Membership.objects.filter(alliance=alliance, user=olga).exists() is False

    response = client.post(f"/invitations/{token}/")

    assert response.status_code == 302
    assert response.url == f"{HARVEST}/"
    membership = Membership.objects.get(alliance=alliance, user=olga)
    assert (membership.role, membership.partner) == ("observer", None)
    olga.refresh_from_db()
    assert olga.last_alliance == alliance
    invitation.refresh_from_db()
    assert invitation.state == "accepted"


def test_invitation_taken_by_another_account_is_refused(client, carol, olga, alliance):
    """Olga has an account; the link of an invitation meant for Nell reaches her (forwarded,
    leaked): she must not become a coordinator with it."""
    invitation, token = make_invitation(alliance, "nell@example.org", Role.COORDINATOR, None, carol)
    client.force_login(olga)

    page = client.get(f"/invitations/{token}/")
    post = client.post(f"/invitations/{token}/")

    for response in (page, post):
        assert response.status_code == 403
        text = pages.text(response)
        assert (
            "This invitation to Harvest Alliance was sent to nell@example.org: only the account "
            "with that address can accept it. You are signed in as olga@example.org."
        ) in text
        assert "Join the alliance" not in text
        html = response.content.decode()
        assert '<form method="post" action="/accounts/sign-out/">' in html
        assert f'name="next" value="/invitations/{token}/"' in html
    assert Membership.objects.filter(alliance=alliance, user=olga).exists() is False
    invitation.refresh_from_db()
    assert invitation.state == "pending"


def test_invitation_service_refuses_another_account(carol, olga, alliance):
    invitation, _ = make_invitation(alliance, "nell@example.org", Role.COORDINATOR, None, carol)

    with pytest.raises(services.WrongAccount):
        services.accept_invitation(invitation=invitation, user=olga)

    assert Membership.objects.filter(alliance=alliance, user=olga).exists() is False


@pytest.mark.usefixtures("fast_passwords")
def test_wrong_account_signs_out_and_the_invited_one_signs_in_and_joins(
    client, carol, olga, alliance
):
    nell = make_user("Nell Newcomer", "nell@example.org")
    invitation, token = make_invitation(alliance, "nell@example.org", Role.MEMBER, None, carol)
    client.force_login(olga)

    signed_out = client.post("/accounts/sign-out/", {"next": f"/invitations/{token}/"})
    assert signed_out.url == f"/invitations/{token}/"
    page = client.get(signed_out.url)
    sign_in = next(link for link in pages.links(page) if link.startswith("/accounts/sign-in/"))
    form = client.get(sign_in.replace("&amp;", "&"))
    assert pages.form_fields(form)["username"].value == "nell@example.org"
    signed_in = client.post(
        sign_in.replace("&amp;", "&"),
        {"username": "nell@example.org", "password": PASSWORD, "next": f"/invitations/{token}/"},
    )
    assert signed_in.url == f"/invitations/{token}/"
    joined = client.post(signed_in.url)

    assert joined.status_code == 302
    assert Membership.objects.get(user=nell).role == Role.MEMBER
    assert Membership.objects.filter(alliance=alliance, user=olga).exists() is False


def test_invited_address_in_another_case_accepts(client, carol, alliance):
    nell = make_user("Nell Newcomer", "Nell@Example.org")
    User.objects.filter(pk=nell.pk).update(email="Nell@Example.org")
    nell.refresh_from_db()
    invitation, token = make_invitation(alliance, "nell@EXAMPLE.org", Role.OBSERVER, None, carol)
    client.force_login(nell)

    response = client.post(f"/invitations/{token}/")

    assert response.status_code == 302
    assert Membership.objects.get(user=nell).role == Role.OBSERVER


@pytest.mark.django_db(transaction=True)
def test_invitation_form_sent_twice_at_once_makes_one_account(carol, alliance, settings):
    """Nell double-clicks "Join the alliance" on her invitation, which makes her account:
    both requests check that the address has no account before either makes it (while
    the password is hashed, which Argon2 takes a while to do)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a database that runs writers in parallel")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    _, token = make_invitation(alliance, "nell@example.org", Role.OBSERVER, None, carol)
    data = {"name": "Nell Newcomer", "password1": PASSWORD, "password2": PASSWORD}
    statuses = post_twice(f"/invitations/{token}/", data)

    assert sorted(statuses) == [200, 302]
    nell = User.objects.get(email="nell@example.org")
    assert Membership.objects.get(alliance=alliance, user=nell).role == Role.OBSERVER


def test_invitation_to_an_imported_account_lets_its_owner_claim_it(client, carol, alliance):
    """An import made Nell's account without a password: her invitation link lets her choose
    one, as it would make a new account."""
    nell = User.objects.create_user("nell@example.org", None, name="Nell")
    _, token = make_invitation(alliance, "nell@example.org", Role.OBSERVER, None, carol)

    response = client.post(
        f"/invitations/{token}/",
        {"name": "Nell Newcomer", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.status_code == 302
    nell.refresh_from_db()
    assert nell.check_password(PASSWORD)
    assert nell.name == "Nell Newcomer"
    assert User.objects.count() == 2
    assert Membership.objects.get(user=nell).role == Role.OBSERVER


def test_coordinator_revokes_invitation(client, carol, alliance):
    invitation, _ = make_invitation(alliance, "nell@example.org", Role.OBSERVER, None, carol)
    client.force_login(carol)

    response = client.post(f"{HARVEST}/invitations/{invitation.pk}/revoke/", follow=True)

    assert response.redirect_chain == [(f"{HARVEST}/people/", 302)]
    assert pages.messages(response) == ["The invitation to nell@example.org is withdrawn."]
    invitation.refresh_from_db()
    assert invitation.state == "revoked"
    assert "nell@example.org Observer Revoked" in pages.text(response)


def test_withdrawing_an_invitation_accepted_meanwhile_says_so(client, carol, alliance):
    """Carol's people page was open since yesterday; Nell joined this morning. Withdraw
    tells Carol it is too late, not that the invitation is withdrawn."""
    nell = make_user("Nell Newcomer", "nell@example.org")
    invitation, _ = make_invitation(alliance, "nell@example.org", Role.OBSERVER, None, carol)
    services.accept_invitation(invitation=invitation, user=nell)
    client.force_login(carol)

    response = client.post(f"{HARVEST}/invitations/{invitation.pk}/revoke/", follow=True)

    assert response.redirect_chain == [(f"{HARVEST}/people/", 302)]
    assert pages.messages(response) == [
        "nell@example.org accepted the invitation already: it can no longer be withdrawn."
    ]
    invitation.refresh_from_db()
    assert (invitation.state, invitation.revoked_at) == ("accepted", None)
    assert Membership.objects.filter(alliance=alliance, user=nell).exists()


# Roles


def test_coordinator_changes_member_role(client, carol, mia, alliance):
    membership = Membership.objects.get(alliance=alliance, user=mia)
    client.force_login(carol)

    response = client.post(
        f"{HARVEST}/people/{membership.pk}/edit/", {"role": "observer", "partner": ""}
    )

    assert response.status_code == 302
    assert response.url == f"{HARVEST}/people/"
    membership.refresh_from_db()
    assert (membership.role, membership.partner) == ("observer", None)


def test_role_that_represents_partner_needs_partner(client, carol, fiona, alliance):
    membership = Membership.objects.get(alliance=alliance, user=fiona)
    client.force_login(carol)

    response = client.post(
        f"{HARVEST}/people/{membership.pk}/edit/", {"role": "member", "partner": ""}
    )

    assert response.status_code == 200
    fields = pages.form_fields(response)
    assert fields["partner"].errors == [PARTNER_NEEDED]
    assert fields["role"].value == "member"
    membership.refresh_from_db()
    assert membership.role == "facilitator"


def test_last_coordinator_cannot_step_down(client, carol, alliance, food_bank):
    membership = Membership.objects.get(alliance=alliance, user=carol)
    client.force_login(carol)

    response = client.post(
        f"{HARVEST}/people/{membership.pk}/edit/", {"role": "member", "partner": food_bank.pk}
    )

    assert response.status_code == 200
    assert pages.form_fields(response)["role"].errors == [
        "An alliance needs at least one coordinator."
    ]
    membership.refresh_from_db()
    assert membership.role == "coordinator"


def test_coordinator_can_step_down_when_another_coordinates(
    client, carol, fiona, alliance, food_bank
):
    Membership.objects.filter(alliance=alliance, user=fiona).update(role=Role.COORDINATOR)
    membership = Membership.objects.get(alliance=alliance, user=carol)
    client.force_login(carol)

    response = client.post(
        f"{HARVEST}/people/{membership.pk}/edit/", {"role": "member", "partner": food_bank.pk}
    )

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == "member"


def test_two_coordinators_stepping_down_at_once_leave_one_coordinating(
    carol, fiona, alliance, food_bank
):
    """Carol and Fiona each send "I step down" at the same moment: each form was checked
    while the other still coordinated, and the second to be saved is refused."""
    Membership.objects.filter(alliance=alliance, user=fiona).update(role=Role.COORDINATOR)
    forms = [
        MembershipForm(
            {"role": "member", "partner": food_bank.pk},
            instance=Membership.objects.get(alliance=alliance, user=person),
        )
        for person in (carol, fiona)
    ]
    assert all(form.is_valid() for form in forms)

    services.change_role(form=forms[0])
    with pytest.raises(services.LastCoordinator):
        services.change_role(form=forms[1])

    assert list(
        Membership.objects.filter(alliance=alliance, role=Role.COORDINATOR).values_list(
            "user__name", flat=True
        )
    ) == ["Fiona Facilitator"]


def test_partner_of_another_alliance_cannot_be_given(client, carol, mia, alliance, riverside):
    elsewhere = make_partner(riverside, "Riverside Housing")
    membership = Membership.objects.get(alliance=alliance, user=mia)
    client.force_login(carol)

    response = client.post(
        f"{HARVEST}/people/{membership.pk}/edit/", {"role": "member", "partner": elsewhere.pk}
    )

    assert response.status_code == 200
    assert pages.form_fields(response)["partner"].errors == [
        "Select a valid choice. That choice is not one of the available choices."
    ]


# Moving between alliances


def switcher(response) -> list[str]:
    """The alliance switcher in the page header, as the person reads it."""
    content = response.content.decode()
    panel = re.search(
        r'<nav class="menu__panel" aria-label="Switch alliance">(.*?)</nav>', content, re.S
    )
    return [
        " ".join(re.sub(r"<[^>]+>", " ", item).split())
        for item in re.findall(r"<li>(.*?)</li>", panel.group(1), re.S)
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/alliances/",
        f"{HARVEST}/",
        f"{HARVEST}/people/",
        f"{HARVEST}/partners/",
        f"{HARVEST}/reviews/{{review}}/",
        f"{HARVEST}/reviews/{{review}}/purpose/",
        "/a/riverside-alliance/",
        "/accounts/profile/",
        "/alliances/new/",
    ],
)
def test_person_in_two_alliances_sees_both_in_switcher(client, carol, review, riverside, path):
    add_member(riverside, carol, Role.OBSERVER)
    client.force_login(carol)

    response = client.get(path.format(review=review.pk))

    assert response.status_code == 200
    assert switcher(response) == [
        "Harvest Alliance (coordinator)",
        "Riverside Alliance (observer)",
        "All your alliances",
        "Create an alliance",
    ]


def test_home_goes_to_alliance_last_opened(client, carol, alliance, riverside):
    add_member(riverside, carol, Role.OBSERVER)
    client.force_login(carol)

    first = client.get("/")
    client.get("/a/riverside-alliance/")
    second = client.get("/")
    client.get(f"{HARVEST}/")
    third = client.get("/")

    assert [first.url, second.url, third.url] == [
        "/alliances/",
        "/a/riverside-alliance/",
        f"{HARVEST}/",
    ]


def test_home_forgets_alliance_person_left(client, carol, riverside):
    membership = add_member(riverside, carol, Role.OBSERVER)
    client.force_login(carol)
    client.get("/a/riverside-alliance/")
    membership.delete()

    response = client.get("/")

    assert response.url == "/alliances/"
