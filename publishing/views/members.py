"""The members' pages of publishing: the alliance's Sharing page, proposing a publication
(with a preview of exactly what would be shown), a publication's page (each item's state,
each partner's decision, the history, and the decision form), and the coordinator's
actions. Access through alliances.access; writes through publishing.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alliances import access, rules
from indicators.models import Indicator
from publishing import consent, services
from publishing.forms import DecisionForm, ProposeForm, PublicPageForm, ShareLinkForm
from publishing.history import events
from publishing.models import Publication, PublicPage, ShareLink
from reviews.models import Review

NEW_LINK = "publishing_new_link"


def _states(publication, now):
    return [(item, consent.item_state(item, publication, now)) for item in publication.items.all()]


@login_required
@require_GET
def sharing(request, slug):
    membership = access.get_membership(request.user, slug)
    return _sharing_page(request, membership)


def _sharing_page(request, membership, link_form=None, status=200):
    alliance = membership.alliance
    slug = alliance.slug
    now = timezone.now()
    publications = list(consent.with_decisions(Publication.objects.filter(alliance=alliance)))
    current = {p.pk for p in consent.current(publications, now)}
    rows = []
    for publication in publications:
        states = [state for _item, state in _states(publication, now)]
        rows.append(
            {
                "publication": publication,
                "current": publication.pk in current,
                "approved": states.count(consent.APPROVED),
                "objected": states.count(consent.OBJECTED),
                "waiting": states.count(consent.WAITING),
            }
        )
    page = PublicPage.objects.filter(alliance=alliance).first() or PublicPage(alliance=alliance)
    new_link = None
    if membership.can_coordinate:
        new_link = request.session.pop(NEW_LINK, None)
    return render(
        request,
        "publishing/sharing.html",
        {
            "membership": membership,
            "alliance": alliance,
            "rows": rows,
            "links": ShareLink.objects.filter(alliance=alliance).select_related("created_by"),
            "now": now,
            "page": page,
            "public_url": request.build_absolute_uri(reverse("publishing:public", args=[slug])),
            "new_link": new_link,
            "link_form": link_form or ShareLinkForm(),
            "page_form": PublicPageForm(initial={"on": page.on, "indexable": page.indexable}),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def propose(request, slug):
    membership = access.get_membership(request.user, slug, "coordinate")
    alliance = membership.alliance
    start_from = None
    asked = request.GET.get("from") or request.POST.get("replaces")
    if asked:
        if not asked.isdigit():
            raise Http404
        start_from = access.get_publication(membership, int(asked))
    form = ProposeForm(
        request.POST or None,
        alliance=alliance,
        indicators=Indicator.objects.filter(alliance=alliance).order_by("name"),
        reviews=Review.objects.filter(alliance=alliance),
        start_from=start_from,
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            try:
                preview = services.build_items(alliance=alliance, choices=form.choices())
            except services.PublishingError as error:
                form.add_error(None, str(error))
        else:
            try:
                publication = services.propose(
                    alliance=alliance,
                    author=request.user,
                    audience=form.cleaned_data["audience"],
                    consent_until=form.cleaned_data["consent_until"],
                    choices=form.choices(),
                    replaces=start_from,
                )
            except services.PublishingError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _(
                        "Proposed. Each partner has been asked; nothing is shown before it "
                        "is approved."
                    ),
                )
                return redirect("publishing:publication", slug, publication.pk)
    return render(
        request,
        "publishing/propose.html",
        {
            "membership": membership,
            "alliance": alliance,
            "form": form,
            "preview": preview,
            "start_from": start_from,
        },
    )


@login_required
@require_GET
def publication(request, slug, publication_id):
    membership = access.get_membership(request.user, slug)
    found = access.get_publication(membership, publication_id)
    return _publication_page(request, membership, found)


def _publication_page(request, membership, found, form=None, status=200):
    alliance = membership.alliance
    now = timezone.now()
    publication = consent.with_decisions(Publication.objects.filter(pk=found.pk)).get()
    states = _states(publication, now)
    mine = next(
        (c for c in publication.consents.all() if c.partner_id == membership.partner_id), None
    )
    may_decide = (
        mine is not None
        and mine.decided_at is None
        and not publication.ended
        and rules.CONSENT.allows(membership)
    )
    if may_decide and form is None:
        form = DecisionForm(items=[item for item, _state in states])
    return render(
        request,
        "publishing/publication.html",
        {
            "membership": membership,
            "alliance": alliance,
            "publication": publication,
            "states": states,
            "mine": mine,
            "form": form if may_decide else None,
            # A partner added after the proposal: told why it has nothing to decide.
            "not_asked": mine is None
            and membership.partner_id is not None
            and not publication.ended
            and rules.CONSENT.allows(membership),
            "settled": consent.settled(publication, now),
            "events": events(publication, now),
            "not_emailed": list(publication.not_emailed.order_by("name", "email"))
            if membership.can_coordinate and not publication.ended
            else [],
        },
        status=status,
    )


@login_required
@require_POST
def decide(request, slug, publication_id):
    membership = access.get_membership(request.user, slug, "consent")
    found = access.get_publication(membership, publication_id)
    form = DecisionForm(request.POST, items=found.items.all())
    if form.is_valid():
        try:
            services.decide(publication=found, membership=membership, objections=form.objections())
        except services.PublishingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your organization's decision is recorded."))
        return redirect("publishing:publication", slug, found.pk)
    return _publication_page(request, membership, found, form=form, status=400)


def _end(request, slug, publication_id, end, done: str):
    """A coordinator's end of a publication (`end`: `services.withdraw` or `unpublish`),
    then its page, saying `done` or why not."""
    membership = access.get_membership(request.user, slug, "coordinate")
    found = access.get_publication(membership, publication_id)
    try:
        end(publication=found, author=request.user)
    except services.PublishingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("publishing:publication", slug, found.pk)


@login_required
@require_POST
def withdraw(request, slug, publication_id):
    done = _("The proposal is withdrawn: nothing of it will be shown.")
    return _end(request, slug, publication_id, services.withdraw, done)


@login_required
@require_POST
def unpublish(request, slug, publication_id):
    done = _("Unpublished: it is no longer shown anywhere, from now on.")
    return _end(request, slug, publication_id, services.unpublish, done)


@login_required
@require_POST
def email_again(request, slug, publication_id):
    """Send the proposal's email again to those the mail server did not take it for."""
    membership = access.get_membership(request.user, slug, "coordinate")
    found = access.get_publication(membership, publication_id)
    try:
        missed = services.email_proposal(publication=found, only=found.not_emailed.all())
    except services.PublishingError as error:
        messages.error(request, str(error))
        return redirect("publishing:publication", slug, found.pk)
    if missed:
        messages.error(request, _("The mail server still did not take the email."))
    else:
        messages.success(request, _("The email is sent."))
    return redirect("publishing:publication", slug, found.pk)


@login_required
@require_POST
def link_create(request, slug):
    membership = access.get_membership(request.user, slug, "coordinate")
    form = ShareLinkForm(request.POST)
    if form.is_valid():
        link, token = services.create_share_link(
            alliance=membership.alliance,
            author=request.user,
            label=form.cleaned_data["label"],
            expires_at=form.cleaned_data["expires_at"],
        )
        request.session[NEW_LINK] = {
            "label": link.label,
            "url": request.build_absolute_uri(reverse("publishing:shared", args=[token])),
        }
        return redirect("publishing:sharing", slug)
    return _sharing_page(request, membership, link_form=form, status=400)


@login_required
@require_POST
def link_revoke(request, slug, link_id):
    membership = access.get_membership(request.user, slug, "coordinate")
    link = access.get_share_link(membership, link_id)
    services.revoke_share_link(link=link, author=request.user)
    messages.success(
        request,
        _("The link “%(label)s” is revoked: it shows nothing from now on.") % {"label": link.label},
    )
    return redirect("publishing:sharing", slug)


@login_required
@require_POST
def public_page(request, slug):
    membership = access.get_membership(request.user, slug, "coordinate")
    form = PublicPageForm(request.POST)
    form.is_valid()  # two checkboxes: always valid
    services.set_public_page(
        alliance=membership.alliance,
        author=request.user,
        on=form.cleaned_data.get("on", False),
        indexable=form.cleaned_data.get("indexable", False),
    )
    messages.success(request, _("The public page's settings are saved."))
    return redirect("publishing:sharing", slug)
