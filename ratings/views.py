from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alliances import access
from alliances.models import Membership
from ratings import confidence, results, services
from ratings.forms import AnswerForm, CheckInForm, QuestionForm
from ratings.models import Participation, Rating, Reflection
from reviews.framework import framework
from reviews.questions import asked, current_wording, library


@login_required
@require_http_methods(["GET", "POST"])
def check_in_create(request, slug, review_id):
    membership = access.get_membership(request.user, slug, "facilitate")
    review = access.get_review(membership, review_id)
    form = CheckInForm(request.POST or None, records=list(review.records.all()))
    if form.is_valid():
        check_in = services.open_check_in(
            review=review,
            component_keys=form.cleaned_data["components"],
            closes_at=form.cleaned_data["closes_at"],
            message=form.cleaned_data["message"],
            author=request.user,
        )
        if check_in.not_emailed.exists():
            messages.warning(
                request,
                _(
                    "The check-in is open, but the mail server did not take every email: "
                    "see below who did not get it, and send it again."
                ),
            )
        else:
            messages.success(
                request, _("The check-in is open; the members have its link by email.")
            )
        return redirect("ratings:check_in", slug, check_in.pk)
    return render(
        request,
        "ratings/check_in_form.html",
        {"membership": membership, "alliance": membership.alliance, "review": review, "form": form},
    )


def _page(request, membership, check_in, form=None, status=200):
    review = check_in.review
    rounds, goal_rounds = _rounds(check_in)
    answered = Participation.objects.filter(round__in=rounds, user=request.user).exists()
    questions = asked(review, [r.component_key for r in rounds])
    if form is None and membership.can_answer and check_in.is_open and not answered:
        form = AnswerForm(rounds=rounds, questions_by_key=questions, goal_rounds=goal_rounds)
    summaries = results.summarize([*rounds, *goal_rounds])
    closed = not check_in.is_open
    context = {
        "membership": membership,
        "alliance": membership.alliance,
        "review": review,
        "check_in": check_in,
        "form": form,
        "answered": answered,
        "eligible": sum(
            m.can_answer for m in Membership.objects.filter(alliance=membership.alliance)
        ),
        "results": list(
            results.results_of(rounds, {r.pk: questions[r.component_key] for r in rounds}).values()
        )
        if closed
        else [summaries[r.pk] for r in rounds],
        # Confidence in each goal, shown under the trust component (K applies as above).
        "confidence": confidence.for_rounds(goal_rounds, summaries) if goal_rounds else None,
        "my_ratings": _my_named_answers(review, [*rounds, *goal_rounds], request.user),
    }
    if membership.can_facilitate and check_in.is_open and not request.htmx:
        # Who the mail server did not take the check-in's email for: the facilitator sends it again.
        context["not_emailed"] = [str(person) for person in check_in.not_emailed.order_by("name")]
    template = "ratings/check_in.html"
    if request.htmx:
        template = "ratings/_check_in_progress.html"  # polled while the check-in is open
    return render(request, template, context, status=status)


def _refusal(check_in, rounds, user) -> str:
    if not check_in.is_open:
        return _("This check-in is closed; answers are no longer taken.")
    if Participation.objects.filter(round__in=rounds, user=user).exists():
        return _("You have answered already. Each person answers once.")
    return ""


def _rounds(check_in):
    """The check-in's rounds about components, in the framework's order, and its rounds of
    confidence in goals (asked with the trust component), in the goals' order."""
    every = list(check_in.rounds.select_related("goal"))
    for round in every:
        round.check_in, round.review = check_in, check_in.review
    rounds = sorted((r for r in every if not r.goal_id), key=lambda r: r.component.number)
    goal_rounds = sorted(
        (r for r in every if r.goal_id), key=lambda r: (r.goal.created_at, r.goal_id)
    )
    return rounds, goal_rounds


@login_required
@require_GET
def check_in(request, slug, check_in_id):
    membership = access.get_membership(request.user, slug)
    return _page(request, membership, access.get_check_in(membership, check_in_id))


@login_required
@require_POST
def check_in_email_again(request, slug, check_in_id):
    """Send the check-in's email again to those the mail server did not take it for."""
    membership = access.get_membership(request.user, slug, "facilitate")
    check_in = access.get_check_in(membership, check_in_id)
    if not check_in.is_open:
        messages.error(request, _("This check-in is closed; answers are no longer taken."))
    elif services.email_check_in_again(check_in=check_in):
        messages.warning(
            request, _("The mail server still did not take every email; try again later.")
        )
    else:
        messages.success(request, _("The email is sent again; everyone has the link."))
    return redirect("ratings:check_in", slug, check_in.pk)


@login_required
@require_POST
def check_in_answer(request, slug, check_in_id):
    membership = access.get_membership(request.user, slug, "answer")
    check_in = access.get_check_in(membership, check_in_id)
    rounds, goal_rounds = _rounds(check_in)
    refusal = _refusal(check_in, rounds, request.user)
    if refusal:
        messages.error(request, refusal)
        return _page(request, membership, check_in, status=400)
    form = AnswerForm(
        request.POST,
        rounds=rounds,
        questions_by_key=asked(check_in.review, [r.component_key for r in rounds]),
        goal_rounds=goal_rounds,
    )
    if not form.is_valid():
        return _page(request, membership, check_in, form)
    try:
        services.submit(
            membership=membership, answers=form.answers(), rules=form.cleaned_data["rules"]
        )
    except services.RulesChanged as error:
        check_in.review.refresh_from_db()
        form.rules_changed(str(error))
        return _page(request, membership, check_in, form)
    except services.AnswerError as error:
        messages.error(request, str(error))
        return _page(request, membership, check_in, status=400)
    messages.success(request, _("Your answers were received. Thank you."))
    return redirect("ratings:check_in", slug, check_in.pk)


def _my_named_answers(review, rounds, user):
    """In a named review, a person sees what they answered. In an anonymous one, nobody
    can, since nothing links an answer to its author."""
    if review.anonymous:
        return None
    services.settle_due(rounds)
    mine = {
        "ratings": list(
            Rating.objects.filter(round__in=rounds, author=user).select_related("round__goal")
        ),
        "reflections": list(
            Reflection.objects.filter(round__in=rounds, author=user).select_related("question")
        ),
    }
    # While the round is open a named answer is sealed too; its author may read it back.
    for rating, reflections in services.sealed_answers_of(user, rounds):
        mine["ratings"].append(rating)
        mine["reflections"] += reflections
    return mine


@login_required
@require_POST
def check_in_close(request, slug, check_in_id):
    membership = access.get_membership(request.user, slug, "facilitate")
    check_in = access.get_check_in(membership, check_in_id)
    services.close_check_in(check_in=check_in)
    messages.success(
        request, _("The check-in is closed. The results below follow the review's rules.")
    )
    return redirect("ratings:check_in", slug, check_in.pk)


# The alliance's own questions


def _questions_page(request, membership, review, form=None, status=200):
    keys = [c.key for c in framework()]
    by_key = asked(review, keys)
    context = {
        "membership": membership,
        "alliance": membership.alliance,
        "review": review,
        "components": [{"component": c, "questions": by_key[c.key]} for c in framework()],
    }
    if membership.can_facilitate:
        context["form"] = form or QuestionForm()
        context["library"] = library(review)
    return render(request, "ratings/questions.html", context, status=status)


@login_required
@require_GET
def questions(request, slug, review_id):
    """What a review asks about each component: the framework's questions, then the
    alliance's own; a facilitator adds, rewords, retires and asks again its own here."""
    membership = access.get_membership(request.user, slug)
    review = access.get_review(membership, review_id)
    return _questions_page(request, membership, review)


def _saved(request, slug, review, message):
    messages.success(request, message)
    return redirect("ratings:questions", slug, review.pk)


@login_required
@require_POST
def question_add(request, slug, review_id):
    membership = access.get_membership(request.user, slug, "facilitate")
    review = access.get_review(membership, review_id)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            services.add_question(
                review=review,
                component_key=form.cleaned_data["component_key"],
                text=form.cleaned_data["text"],
                author=request.user,
            )
        except services.QuestionsLocked as refused:
            form.add_error("component_key", str(refused))
        else:
            return _saved(request, slug, review, _("The question is added."))
    return _questions_page(request, membership, review, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request, slug, question_id):
    membership = access.get_membership(request.user, slug, "facilitate")
    question = access.get_own_question(membership, question_id)
    # Reworded or retired since the page was drawn: what was typed comes back beside the
    # wording asked now, and is sent again to reword that one.
    current = current_wording(question)
    initial = {"text": (current or question).text}
    form = QuestionForm(request.POST or None, with_component=False, initial=initial)
    if form.is_valid():
        try:
            services.reword_question(
                question=question, text=form.cleaned_data["text"], author=request.user
            )
        except services.QuestionsLocked as refused:
            form.add_error("text", str(refused))
        else:
            return _saved(request, slug, question.review, _("The question has its new wording."))
    return render(
        request,
        "ratings/question_form.html",
        {
            "membership": membership,
            "alliance": membership.alliance,
            "review": question.review,
            "question": question,
            "current": current,
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def question_retire(request, slug, question_id):
    membership = access.get_membership(request.user, slug, "facilitate")
    question = access.get_own_question(membership, question_id)
    current = current_wording(question)
    if current is not None and current.pk != question.pk:
        # Reworded since the page was drawn: the newer wording is still asked.
        messages.error(request, _("This wording was changed or retired meanwhile."))
        return redirect("ratings:questions", slug, question.review_id)
    try:
        services.retire_question(question=question, author=request.user)
    except services.QuestionsLocked as refused:
        messages.error(request, str(refused))
        return redirect("ratings:questions", slug, question.review_id)
    return _saved(request, slug, question.review, _("The question is no longer asked."))


@login_required
@require_POST
def question_reuse(request, slug, review_id, question_id):
    """Ask in this review a question the alliance asked in another: the same chain, so that
    the answers can be compared."""
    membership = access.get_membership(request.user, slug, "facilitate")
    review = access.get_review(membership, review_id)
    past = access.get_own_question(membership, question_id)
    try:
        services.add_question(
            review=review,
            component_key=past.component_key,
            text=past.text,
            author=request.user,
            chain=past.chain,
        )
    except services.QuestionsLocked as refused:
        messages.error(request, str(refused))
        return redirect("ratings:questions", slug, review.pk)
    return _saved(request, slug, review, _("The question is asked in this review too."))
