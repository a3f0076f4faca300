"""Workflows of an alliance: creating it, its partners, inviting people, letting them in."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.dispatch import Signal
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accord import mail
from accounts import throttle
from accounts.language import chosen
from accounts.models import User
from alliances.models import Alliance, Invitation, Membership, Partner, Role
from history.services import create_with_history, save_edit

# Sent with `alliance` and `actor` when a partner is added or changed. The registers name
# the partners, and a live meeting may be showing one: the registers app listens
# (registers.apps) and tells the meeting, which this app, below both, cannot call.
partners_changed = Signal()


class InvitationError(Exception):
    """The invitation cannot be used; the message says why, in plain words."""


class InvitationNotSent(InvitationError):
    """The invitation's email could not be sent; the invitation is not kept."""


class WrongAccount(InvitationError):
    """The invitation was sent to another address than the account's."""


class TooManyInvitations(InvitationError):
    """The address had its hour's invitations: nothing is sent, nothing kept."""


# Invite, withdraw, invite again: at most this many invitation emails an hour go to one
# address (from any alliance), so that they cannot flood its owner's inbox.
INVITATIONS_PER_HOUR = 3


def invitation_is_for(invitation: Invitation, user) -> bool:
    """Whether the account is the invited address's (in any case)."""
    return user.email.strip().lower() == invitation.email.strip().lower()


# How soon after making an alliance the same person making it again under the same name is
# taken for the same click sent twice.
SAME_CLICK = timedelta(minutes=1)


def create_alliance(
    *, name: str, community: str, purpose: str, creator, language: str = ""
) -> Alliance:
    """A new alliance, with its creator as its first coordinator; or the one its creator
    made under this name within SAME_CLICK: the form sent twice (a double click). An
    alliance cannot be deleted, so a second one would stay beside the first for ever."""
    with transaction.atomic():
        just_made = Alliance.objects.filter(
            name=name,
            memberships__user=creator,
            memberships__role=Role.COORDINATOR,
            created_at__gte=timezone.now() - SAME_CLICK,
        ).first()
        if just_made is not None:
            return just_made
        alliance = Alliance(name=name, community=community, purpose=purpose)
        if language:
            alliance.language = language
        create_with_history(alliance, alliance=alliance, author=creator)
        Membership.objects.create(alliance=alliance, user=creator, role=Role.COORDINATOR)
    return alliance


def describe_alliance(*, form, alliance, author) -> Alliance:
    """Save the alliance's description (name, community, purpose, language). Raises
    EditConflict when another coordinator changed the same field meanwhile."""
    return save_edit(form, alliance=alliance, author=author)


class LastCoordinator(Exception):
    """The change would leave the alliance without a coordinator."""


def change_role(*, form) -> Membership:
    """Save a member's role and partner (a valid MembershipForm). Saving the membership is
    what closes the person's open meeting sockets (`meetings.revocation` listens), so that
    a right taken away is gone everywhere at once. Raises LastCoordinator when the
    alliance would be left without a coordinator: the form checked that when it was sent,
    but two coordinators who step down at once each passed that check."""
    membership = form.instance
    with transaction.atomic():
        # Every coordinator locked, in one order: of two such changes at once, the second
        # waits for the first and sees it.
        coordinators = (
            Membership.objects.select_for_update()
            .filter(alliance_id=membership.alliance_id, role=Role.COORDINATOR)
            .order_by("pk")
        )
        others = [pk for pk in coordinators.values_list("pk", flat=True) if pk != membership.pk]
        if membership.role != Role.COORDINATOR and not others:
            raise LastCoordinator
        return form.save()


def add_partner(*, partner: Partner, alliance, author) -> Partner:
    """Add a partner organization, with its first revision."""
    create_with_history(partner, alliance=alliance, author=author)
    partners_changed.send(sender=Partner, alliance=alliance, actor=author)
    return partner


def edit_partner(*, form, alliance, author) -> Partner:
    """Save a partner's edit (EditConflict when someone else changed the same field)."""
    partner = save_edit(form, alliance=alliance, author=author)
    partners_changed.send(sender=Partner, alliance=alliance, actor=author)
    return partner


def invite(
    *, alliance, email: str, role: str, partner, invited_by, language: str = ""
) -> Invitation:
    """Create an invitation and email its link. Raises InvitationNotSent, keeping no
    invitation, when the mail server does not take the email (once the transaction
    commits, where it runs in one), and TooManyInvitations when the address had its
    hour's invitations."""
    if throttle.over_limit(
        "invitation-email",
        throttle.mailbox(email),
        limit=INVITATIONS_PER_HOUR,
        lasts=timedelta(hours=1),
    ):
        raise TooManyInvitations(
            _("Too many invitations went to this address within the hour: try again later.")
        )
    invitation = Invitation(
        alliance=alliance,
        email=email.lower(),
        role=role,
        partner=partner,
        invited_by=invited_by,
        language=language,
    )
    token = invitation.issue_token()
    invitation.save()
    link = settings.SITE_URL + reverse("invitation", args=[token])
    transaction.on_commit(lambda: _email_invitation(invitation, link))
    return invitation


def invitation_language(invitation: Invitation) -> str:
    """The language to write to the invited address in: the language its account chose,
    else the one the inviter chose for the invitation (an account an import made has
    chosen none), else the site's."""
    account = User.objects.with_address(invitation.email)
    return (
        chosen(account.language if account else None)
        or chosen(invitation.language)
        or settings.LANGUAGE_CODE
    )


def _email_invitation(invitation: Invitation, link: str) -> None:
    context = {"invitation": invitation, "link": link, "days": settings.INVITATION_DAYS}
    with translation.override(invitation_language(invitation)):
        message = mail.message(
            subject=_("You are invited to %(alliance)s on Accord")
            % {"alliance": invitation.alliance.name},
            body=render_to_string("alliances/email/invitation.txt", context),
            to=[invitation.email],
            # An answer to the invitation is a question for whoever sent it.
            reply_to=mail.replies_to(invitation.invited_by),
        )
    try:
        mail.send(message)
    except mail.NotSent as error:
        # An invitation nobody received would wait as pending, and block inviting the
        # address again until withdrawn: it goes, and the coordinator tries again.
        Invitation.objects.filter(pk=invitation.pk).delete()
        raise InvitationNotSent(
            _(
                "The invitation could not be sent: the mail server did not take the email. "
                "Nothing was saved; try again in a few minutes."
            )
        ) from error


def accept_invitation(*, invitation: Invitation, user) -> Membership:
    """Let the user into the invitation's alliance with its role. An invitation works once."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.state != "pending":
            raise InvitationError(invitation_problem(locked))
        # The link may be forwarded, leaked or guessed from a shared screen: only the account
        # of the address it was sent to may take the role it carries.
        if not invitation_is_for(locked, user):
            raise WrongAccount(
                _("This invitation is for %(email)s: sign in with that address to accept it.")
                % {"email": locked.email}
            )
        membership, created = Membership.objects.get_or_create(
            alliance=locked.alliance,
            user=user,
            defaults={"role": locked.role, "partner": locked.partner},
        )
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at"])
        user.last_alliance = locked.alliance
        user.save(update_fields=["last_alliance"])
    return membership


def revoke_invitation(*, invitation: Invitation) -> bool:
    """Withdraw a pending invitation; False when it was accepted meanwhile (a page open
    since before), which is then left as it is. Withdrawn or expired, it stays so."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.state == "pending":
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
    return locked.state != "accepted"


# How long an invitation that was never accepted stays on the people page after its link
# stopped working (expired, or withdrawn and then expired): time enough for the coordinator
# to see it and invite again.
KEEP_UNUSED_INVITATION_DAYS = 30


def delete_unused_invitations(*, now=None) -> int:
    """Delete the invitations never accepted whose link expired more than
    KEEP_UNUSED_INVITATION_DAYS ago (withdrawn ones too: they expire like the others); for
    the daily clean-up. Their link cannot be used any more and nothing points to them; an
    accepted invitation is kept, as the record of who brought whom in. Returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=KEEP_UNUSED_INVITATION_DAYS)
    deleted, _by_model = Invitation.objects.filter(
        accepted_at__isnull=True, expires_at__lt=cutoff
    ).delete()
    return deleted


def invitation_problem(invitation: Invitation) -> str:
    return {
        "accepted": _("This invitation has already been used. If it was you, sign in."),
        "revoked": _(
            "This invitation was withdrawn. Ask the alliance's coordinator for a new one."
        ),
        "expired": _("This invitation has expired. Ask the alliance's coordinator for a new one."),
    }.get(invitation.state, "")
