from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count
from django.db.models.functions import Lower
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.forms import SetPasswordFields
from accounts.language import chosen
from accounts.models import AccountInUse, User
from accounts.services import remember_alliance
from alliances import access, services
from alliances.forms import AllianceForm, InvitationForm, MembershipForm, PartnerForm
from alliances.models import Alliance, Invitation, Membership, Partner
from history.models import Revision
from history.services import EditConflict


@login_required
@require_GET
def home(request):
    """Straight to the alliance the person last worked in; otherwise, their list."""
    last = request.user.last_alliance_id
    if last and Membership.objects.filter(user=request.user, alliance_id=last).exists():
        return redirect("alliances:detail", Alliance.objects.get(pk=last).slug)
    return redirect("alliances:list")


@login_required
@require_GET
def alliance_list(request):
    return render(request, "alliances/list.html", {})


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    form = AllianceForm(request.POST or None)
    if form.is_valid():
        alliance = services.create_alliance(
            name=form.cleaned_data["name"],
            community=form.cleaned_data["community"],
            purpose=form.cleaned_data["purpose"],
            language=form.cleaned_data["language"],
            creator=request.user,
        )
        messages.success(request, _("Your alliance is ready. Next, add its partner organizations."))
        return redirect("alliances:partners", alliance.slug)
    return render(request, "alliances/create.html", {"form": form})


@login_required
@require_GET
def detail(request, slug):
    membership = access.get_membership(request.user, slug)
    alliance = membership.alliance
    remember_alliance(user=request.user, alliance=alliance)
    reviews = alliance.reviews.with_recorded_count()
    context = {
        "membership": membership,
        "alliance": alliance,
        "reviews": reviews,
        "partners": Partner.objects.filter(alliance=alliance),
        "people_count": Membership.objects.filter(alliance=alliance).count(),
    }
    return render(request, "alliances/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, slug):
    membership = access.get_membership(request.user, slug, "coordinate")
    alliance = membership.alliance
    form = AllianceForm(request.POST or None, instance=alliance)
    conflict = None
    if form.is_valid():
        try:
            services.describe_alliance(form=form, alliance=alliance, author=request.user)
        except EditConflict as error:
            conflict = error
        else:
            messages.success(request, _("The alliance's description is saved."))
            return redirect("alliances:detail", alliance.slug)
    return render(
        request,
        "alliances/edit.html",
        {"membership": membership, "alliance": alliance, "form": form, "conflict": conflict},
    )


@login_required
@require_GET
def partners(request, slug):
    membership = access.get_membership(request.user, slug)
    # An aggregate drops Meta.ordering (Django 3.1+), so the order is restated.
    partner_list = (
        Partner.objects.filter(alliance=membership.alliance)
        .annotate(people=Count("memberships"))
        .order_by(Lower("name"))
    )
    return render(
        request,
        "alliances/partners.html",
        {"membership": membership, "alliance": membership.alliance, "partners": partner_list},
    )


@login_required
@require_http_methods(["GET", "POST"])
def partner_create(request, slug):
    membership = access.get_membership(request.user, slug, "coordinate")
    alliance = membership.alliance
    form = PartnerForm(request.POST or None, alliance=alliance)
    if form.is_valid():
        services.add_partner(partner=form.instance, alliance=alliance, author=request.user)
        messages.success(request, _("%(name)s is a partner now.") % {"name": form.instance.name})
        return redirect("alliances:partners", alliance.slug)
    return render(
        request,
        "alliances/partner_form.html",
        {"membership": membership, "alliance": alliance, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def partner_edit(request, slug, partner_id):
    membership = access.get_membership(request.user, slug, "coordinate")
    alliance = membership.alliance
    partner = access.get_partner(membership, partner_id)
    form = PartnerForm(request.POST or None, instance=partner, alliance=alliance)
    conflict = None
    if form.is_valid():
        try:
            services.edit_partner(form=form, alliance=alliance, author=request.user)
        except EditConflict as error:
            conflict = error
        else:
            messages.success(request, _("%(name)s is saved.") % {"name": partner.name})
            return redirect("alliances:partners", alliance.slug)
    return render(
        request,
        "alliances/partner_form.html",
        {
            "membership": membership,
            "alliance": alliance,
            "form": form,
            "partner": partner,
            "conflict": conflict,
        },
    )


@login_required
@require_GET
def people(request, slug):
    membership = access.get_membership(request.user, slug)
    alliance = membership.alliance
    context = {
        "membership": membership,
        "alliance": alliance,
        "members": Membership.objects.filter(alliance=alliance)
        .select_related("user", "partner")
        .order_by("user__name"),
        "invitations": Invitation.objects.filter(alliance=alliance).select_related("partner")
        if membership.can_coordinate
        else [],
    }
    return render(request, "alliances/people.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def invite(request, slug):
    membership = access.get_membership(request.user, slug, "coordinate")
    alliance = membership.alliance
    form = InvitationForm(request.POST or None, alliance=alliance)
    if form.is_valid():
        try:
            invitation = services.invite(
                alliance=alliance, invited_by=request.user, **form.cleaned_data
            )
        except services.TooManyInvitations as error:
            form.add_error("email", str(error))
        except services.InvitationNotSent as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("An invitation is on its way to %(email)s.") % {"email": invitation.email},
            )
            return redirect("alliances:people", alliance.slug)
    return render(
        request,
        "alliances/invite.html",
        {"membership": membership, "alliance": alliance, "form": form},
    )


@login_required
@require_POST
def revoke(request, slug, invitation_id):
    membership = access.get_membership(request.user, slug, "coordinate")
    invitation = access.get_invitation(membership, invitation_id)
    if services.revoke_invitation(invitation=invitation):
        messages.success(
            request, _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email}
        )
    else:
        messages.error(
            request,
            _("%(email)s accepted the invitation already: it can no longer be withdrawn.")
            % {"email": invitation.email},
        )
    return redirect("alliances:people", slug)


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request, slug, membership_id):
    membership = access.get_membership(request.user, slug, "coordinate")
    alliance = membership.alliance
    other = access.get_member(membership, membership_id)
    form = MembershipForm(request.POST or None, instance=other)
    if form.is_valid():
        try:
            services.change_role(form=form)
        except services.LastCoordinator:
            form.add_error("role", _("An alliance needs at least one coordinator."))
        else:
            messages.success(request, _("%(name)s's role is saved.") % {"name": other.user})
            return redirect("alliances:people", alliance.slug)
    return render(
        request,
        "alliances/member_form.html",
        {"membership": membership, "alliance": alliance, "form": form, "other": other},
    )


@require_http_methods(["GET", "POST"])
def invitation(request, token):
    """The page an invitation link opens: join the alliance, with a new account if needed."""
    try:
        invitation = Invitation.objects.get_by_token(token)
    except Invitation.DoesNotExist:
        return render(
            request,
            "alliances/invitation_problem.html",
            {
                "problem": _(
                    "This invitation link is not valid. Check that the whole "
                    "link was copied, or ask for a new invitation."
                )
            },
            status=404,
        )
    if invitation.state != "pending":
        # Its person back through the link (the email is where many find Accord again), or
        # a double click that sent "Join the alliance" twice: to the alliance they are in.
        if _is_member(request.user, invitation.alliance):
            return redirect("alliances:detail", invitation.alliance.slug)
        return render(
            request,
            "alliances/invitation_problem.html",
            {"problem": services.invitation_problem(invitation), "invitation": invitation},
            status=410,
        )
    if request.user.is_authenticated:
        return _invitation_for_signed_in(request, invitation)
    account = User.objects.with_address(invitation.email)
    if account is not None and not account.is_unclaimed:
        return render(
            request, "alliances/invitation.html", {"invitation": invitation, "sign_in_first": True}
        )
    # The link was emailed to the invited address, so whoever opens it controls that address:
    # they may make its account here, or claim the one an import made for it.
    # The language the inviter chose comes first: the email the visitor followed was in it.
    initial = {"language": invitation.language} if chosen(invitation.language) else {}
    form = SetPasswordFields(request.POST or None, initial=initial)
    form.email_for_validation = invitation.email
    if request.method == "POST" and form.is_valid():
        try:
            user = User.objects.set_up_for_owner(
                invitation.email,
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password1"],
                language=form.cleaned_data["language"],
            )
        except AccountInUse:  # made meanwhile: the form was sent twice at once
            context = {"invitation": invitation, "sign_in_first": True}
            return render(request, "alliances/invitation.html", context)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return _accept(request, invitation, user)
    return render(request, "alliances/invitation.html", {"invitation": invitation, "form": form})


def _is_member(user, alliance) -> bool:
    return (
        user.is_authenticated and Membership.objects.filter(alliance=alliance, user=user).exists()
    )


def _invitation_for_signed_in(request, invitation):
    if not services.invitation_is_for(invitation, request.user):
        # Refused before anything is shown to join with: the person is told which address
        # the invitation is for and offered to sign out and come back as that address.
        return _wrong_account(request, invitation)
    if request.method == "POST":
        return _accept(request, invitation, request.user)
    return render(request, "alliances/invitation.html", {"invitation": invitation})


def _wrong_account(request, invitation):
    context = {"invitation": invitation}
    return render(request, "alliances/invitation_wrong_account.html", context, status=403)


def _accept(request, invitation, user):
    try:
        membership = services.accept_invitation(invitation=invitation, user=user)
    except services.WrongAccount:
        return _wrong_account(request, invitation)
    except services.InvitationError as error:
        if _is_member(user, invitation.alliance):  # the same click, sent twice at once
            return redirect("alliances:detail", invitation.alliance.slug)
        return render(
            request,
            "alliances/invitation_problem.html",
            {"problem": str(error), "invitation": invitation},
            status=410,
        )
    messages.success(
        request, _("Welcome to %(alliance)s.") % {"alliance": membership.alliance.name}
    )
    return redirect("alliances:detail", membership.alliance.slug)


@login_required
@require_GET
def history(request, slug, model, object_id):
    """The change history of one record of the alliance."""
    membership = access.get_membership(request.user, slug)
    app_label, _dot, model_name = model.partition(".")
    # Names as Python spells them: anything else (a NUL byte, which PostgreSQL refuses in a
    # query) names no model.
    if not (app_label.isidentifier() and model_name.isidentifier()):
        raise Http404
    try:
        content_type = ContentType.objects.get_by_natural_key(app_label, model_name)
    except ContentType.DoesNotExist:
        raise Http404 from None
    revisions = list(
        Revision.objects.filter(
            alliance=membership.alliance, content_type=content_type, object_id=object_id
        ).select_related("author")
    )
    if not revisions:
        raise Http404
    return render(
        request,
        "alliances/history.html",
        {
            "membership": membership,
            "alliance": membership.alliance,
            "revisions": revisions,
            "subject": revisions[0].object_repr,
        },
    )
