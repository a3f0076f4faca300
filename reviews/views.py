from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alliances import access
from alliances.rules import UPDATE_STATUS
from history.models import Revision
from history.services import EditConflict
from ratings import results
from ratings.models import Round
from registers import figures, live
from reviews import components, services, triangle
from reviews.forms import (
    CommitmentForm,
    CommitmentStatusForm,
    ComponentRecordForm,
    OpenComponentForm,
    ReviewForm,
    RulesForm,
)
from reviews.models import Commitment, ComponentRecord
from reviews.questions import asked


@login_required
@require_http_methods(["GET", "POST"])
def review_create(request, slug):
    membership = access.get_membership(request.user, slug, "facilitate")
    alliance = membership.alliance
    form = ReviewForm(request.POST or None)
    if form.is_valid():
        review = services.start_review(alliance=alliance, author=request.user, **form.cleaned_data)
        messages.success(request, _("The review has started with shared purpose."))
        return redirect(review)
    return render(
        request,
        "reviews/review_form.html",
        {"membership": membership, "alliance": alliance, "form": form},
    )


@login_required
@require_GET
def review_detail(request, slug, review_id):
    membership = access.get_membership(request.user, slug)
    review = access.get_review(membership, review_id)
    records = list(review.records.all())
    for record in records:
        record.review = review
    answers = results.review_results(review)
    changes = results.change_since(review, answers)
    context = {
        "membership": membership,
        "alliance": membership.alliance,
        "review": review,
        "records": records,
        "nodes": triangle.nodes(records, answers, changes),
        "outline": triangle.outline(),
        "open_commitments": Commitment.objects.filter(
            review=review, status=Commitment.Status.OPEN
        ).count(),
        "check_ins": review.check_ins.all(),
        "meetings": review.meetings.all(),
    }
    return render(request, "reviews/review_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def rules(request, slug, review_id):
    """The coordinator sets how private answers work, until a check-in or a meeting has
    stated them to the members."""
    membership = access.get_membership(request.user, slug, "coordinate")
    review = access.get_review(membership, review_id)
    form = RulesForm(request.POST or None, instance=review)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_rules(
                review=access.get_review(membership, review_id),
                author=request.user,
                **{name: form.cleaned_data[name] for name in services.RULES},
            )
        except services.ReviewRuleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The rules of this review are saved."))
            return redirect(review)
    return render(
        request,
        "reviews/rules_form.html",
        {"membership": membership, "alliance": membership.alliance, "review": review, "form": form},
    )


def _component_context(membership, record, **extra):
    review = record.review
    records = {r.number: r for r in review.records.all()}
    previous = records.get(record.number - 1)
    return {
        "membership": membership,
        "alliance": membership.alliance,
        "review": review,
        "record": record,
        "component": record.component,
        "records": [records[n] for n in sorted(records)],
        "previous": previous,
        "next": records.get(record.number + 1),
        "in_order": previous is None or previous.state == ComponentRecord.State.RECORDED,
        **extra,
    }


def _ratings(record, questions):
    """The latest round of answers about this component, and the change of its median
    since the previous review, both under the review's thresholds."""
    round = (
        Round.objects.filter(review=record.review, component_key=record.component_key, goal=None)
        .select_related("check_in")
        .last()
    )
    if round is None:
        return None, None
    round.review = record.review
    result = results.result(round, questions)
    change = results.change_since(record.review, {record.component_key: result})
    return result, change.get(record.component_key)


def _component_page(membership, record, open_form):
    questions = asked(record.review, [record.component_key])[record.component_key]
    result, change = _ratings(record, questions)
    register = figures.register_for(record)
    return _component_context(
        membership,
        record,
        register=register,
        stamp=live.stamp(register) if register else "",
        poll_url=components.tool(register["tool"]).poll_url(membership.alliance, record.review)
        if register
        else "",
        readonly=record.register_readonly,
        editable=membership.can_write,
        result=result,
        change=change,
        questions=questions,
        commitments=Commitment.objects.filter(
            review_id=record.review_id, component_key=record.component_key
        ).select_related("partner", "owner"),
        last_change=Revision.objects.for_object(record).first(),
        open_form=open_form,
    )


@login_required
@require_GET
def component(request, slug, review_id, key):
    membership = access.get_membership(request.user, slug)
    record = access.get_component_record(membership, review_id, key)
    return render(
        request, "reviews/component.html", _component_page(membership, record, OpenComponentForm())
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request, slug, review_id, key):
    membership = access.get_membership(request.user, slug, "write")
    record = access.get_component_record(membership, review_id, key)
    if not record.is_open:
        messages.error(request, _("This component is not open for discussion yet."))
        return redirect(record)
    form = ComponentRecordForm(request.POST or None, instance=record)
    conflict = None
    if form.is_valid():
        try:
            services.write_record(form=form, alliance=membership.alliance, author=request.user)
        except EditConflict as error:
            conflict = error
        else:
            messages.success(request, _("The record is saved."))
            return redirect(record)
    return render(
        request,
        "reviews/record_form.html",
        _component_context(membership, record, form=form, conflict=conflict),
    )


@login_required
@require_POST
def component_open(request, slug, review_id, key):
    membership = access.get_membership(request.user, slug, "facilitate")
    record = access.get_component_record(membership, review_id, key)
    form = OpenComponentForm(request.POST)
    if form.is_valid():
        try:
            services.open_component(
                record=record, author=request.user, reason=form.cleaned_data["reason"]
            )
        except services.ReviewRuleError as error:
            if record.is_open:
                # Opened meanwhile (a second click, another facilitator): the page has no
                # open form to show the error beside, so say it at the top.
                messages.error(request, str(error))
                return redirect(record)
            form.add_error("reason", str(error))
        else:
            messages.success(
                request, _("%(name)s is open for discussion.") % {"name": record.component.name}
            )
            return redirect(record)
    return render(
        request, "reviews/component.html", _component_page(membership, record, form), status=400
    )


@login_required
@require_POST
def component_record(request, slug, review_id, key):
    membership = access.get_membership(request.user, slug, "facilitate")
    record = access.get_component_record(membership, review_id, key)
    try:
        opened = services.record_component(record=record, author=request.user)
    except services.ReviewRuleError as error:
        messages.error(request, str(error))
        return redirect(record)
    if opened:
        messages.success(
            request,
            _("%(done)s is recorded. %(next)s is open for discussion.")
            % {"done": record.component.name, "next": opened.component.name},
        )
        return redirect(opened)
    messages.success(request, _("%(done)s is recorded.") % {"done": record.component.name})
    return redirect(record.review)


@login_required
@require_POST
def component_reopen(request, slug, review_id, key):
    membership = access.get_membership(request.user, slug, "facilitate")
    record = access.get_component_record(membership, review_id, key)
    try:
        services.reopen_component(record=record, author=request.user)
    except services.ReviewRuleError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("%(name)s is back in discussion.") % {"name": record.component.name}
        )
    return redirect(record)


@login_required
@require_http_methods(["GET", "POST"])
def commitment_create(request, slug, review_id, key):
    membership = access.get_membership(request.user, slug, "write")
    record = access.get_component_record(membership, review_id, key)
    if not record.is_open:
        messages.error(request, _("This component is not open for discussion yet."))
        return redirect(record)
    # A commitment may start from what the alliance said it will do (the story behind an
    # indicator's curve): its words come prefilled, to be edited.
    initial = {"description": request.GET.get("description", "")[:300]}
    form = CommitmentForm(request.POST or None, alliance=membership.alliance, initial=initial)
    if form.is_valid():
        services.add_commitment(
            record=record,
            commitment=form.instance,
            alliance=membership.alliance,
            author=request.user,
        )
        messages.success(request, _("The commitment is saved."))
        return redirect(record)
    return render(
        request,
        "reviews/commitment_form.html",
        _component_context(membership, record, form=form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def commitment_edit(request, slug, commitment_id):
    membership = access.get_membership(request.user, slug, "write")
    commitment = access.get_commitment(membership, commitment_id)
    form = CommitmentForm(request.POST or None, instance=commitment, alliance=membership.alliance)
    conflict = None
    if form.is_valid():
        try:
            services.save_commitment(form=form, alliance=membership.alliance, author=request.user)
        except EditConflict as error:
            conflict = error
        else:
            messages.success(request, _("The commitment is saved."))
            return _commitment_home(slug, commitment)
    return render(
        request,
        "reviews/commitment_edit.html",
        {
            "membership": membership,
            "alliance": membership.alliance,
            "form": form,
            "commitment": commitment,
            "conflict": conflict,
        },
    )


def _commitment_home(slug, commitment):
    """Back to where a commitment lives: its component's page, or the alliance's home."""
    if commitment.review_id:
        return redirect("reviews:component", slug, commitment.review_id, commitment.component_key)
    return redirect("alliances:detail", slug)


@login_required
@require_http_methods(["GET", "POST"])
def commitment_status(request, slug, commitment_id):
    """Where one commitment stands: the page each line of the daily digest links to. Anyone
    who may write, and the person responsible even if they only observe."""
    membership = access.get_membership(request.user, slug)
    commitment = access.get_commitment(membership, commitment_id)
    UPDATE_STATUS.require(membership, commitment)
    saved_status, overdue = commitment.get_status_display(), commitment.is_overdue
    form = CommitmentStatusForm(request.POST or None, instance=commitment)
    conflict = None
    if form.is_valid():
        try:
            services.save_commitment(form=form, alliance=membership.alliance, author=request.user)
        except EditConflict as error:
            conflict = error
        else:
            messages.success(
                request,
                _("“%(commitment)s” is now: %(status)s.")
                % {"commitment": commitment, "status": commitment.get_status_display()},
            )
            return _commitment_home(slug, commitment)
    return render(
        request,
        "reviews/commitment_status.html",
        {
            "membership": membership,
            "alliance": membership.alliance,
            "form": form,
            "commitment": commitment,
            "saved_status": saved_status,
            "overdue": overdue,
            "conflict": conflict,
        },
    )
