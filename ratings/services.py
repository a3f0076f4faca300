"""Taking answers, the one way: `submit` for one round, `submit_check_in` for a check-in.

Anonymity is enforced here, at write time: in an anonymous review no answer row carries
its author, and every submission rewrites the round's answers with fresh random ids in a
shuffled order, so that neither ids nor the order of rows on disk follow the order in
which people answered.
"""

import random
from dataclasses import dataclass, field

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.models import Membership
from ratings.models import (
    RATING_MAX,
    RATING_MIN,
    REFLECTION_MAX_LENGTH,
    CheckIn,
    Participation,
    Rating,
    Reflection,
    Round,
)

_shuffle = random.SystemRandom().shuffle

# Confidence in each agreed goal is asked with this component (mutual respect and trust).
CONFIDENCE_KEY = "trust"


class AnswerError(Exception):
    """The answer cannot be taken; the message says why, and nothing was changed."""


@dataclass
class ComponentAnswer:
    round: Round
    rating: int | None
    reflections: dict = field(default_factory=dict)  # Question -> text


def check_can_answer(membership: Membership, round: Round) -> None:
    if membership.alliance_id != round.review.alliance_id:
        raise AnswerError(_("You are not part of this alliance."))
    if not membership.can_answer:
        raise AnswerError(
            _("Observers and outside facilitators do not answer; the partners' people do.")
        )


def _validate(answer: ComponentAnswer) -> None:
    if answer.rating is None:
        raise AnswerError(_("Choose a rating from 1 to 5."))
    if not (RATING_MIN <= answer.rating <= RATING_MAX):
        raise AnswerError(_("A rating goes from 1 to 5."))
    if answer.round.goal_id and answer.reflections:
        raise AnswerError(_("Confidence in a goal is a rating only, with nothing written."))
    for text in answer.reflections.values():
        if len(text) > REFLECTION_MAX_LENGTH:
            raise AnswerError(
                _("A written answer can be at most %(max)d characters.")
                % {"max": REFLECTION_MAX_LENGTH}
            )


def _rewrite_shuffled(model, round: Round, new_rows: list) -> None:
    rows = [*model.objects.filter(round=round), *new_rows]
    model.objects.filter(round=round).delete()
    for row in rows:
        row.pk = None  # a fresh random id on every rewrite
        row._state.adding = True
    _shuffle(rows)
    model.objects.bulk_create(rows)


def _take(answer: ComponentAnswer, membership: Membership) -> None:
    round = (
        Round.objects.select_for_update(of=("self",))
        .select_related("check_in", "review")
        .get(pk=answer.round.pk)
    )
    if not round.is_open:
        raise AnswerError(_("This round of answers is closed."))
    try:
        with transaction.atomic():
            Participation.objects.create(round=round, user=membership.user)
    except IntegrityError:
        raise AnswerError(_("You have answered already. Each person answers once.")) from None
    author = None if round.review.anonymous else membership.user
    today = timezone.localdate()
    _rewrite_shuffled(
        Rating, round, [Rating(round=round, value=answer.rating, author=author, day=today)]
    )
    texts = [
        Reflection(round=round, question=question, text=text.strip(), author=author, day=today)
        for question, text in answer.reflections.items()
        if text.strip()
    ]
    if texts:
        _rewrite_shuffled(Reflection, round, texts)


def submit(*, membership: Membership, answers: list[ComponentAnswer]) -> None:
    """Take one person's answers to one or more rounds, all or nothing."""
    if not answers:
        raise AnswerError(_("There is nothing to answer here."))
    for answer in answers:
        check_can_answer(membership, answer.round)
        _validate(answer)
    with transaction.atomic():
        for answer in answers:
            _take(answer, membership)


def open_check_in(
    *, review, component_keys: list[str], closes_at, message: str, author, notify: bool = True
) -> CheckIn:
    """Open a check-in on some components and email its link to everyone who answers."""
    with transaction.atomic():
        check_in = CheckIn.objects.create(
            review=review, closes_at=closes_at, message=message, opened_by=author
        )
        rounds = Round.objects.bulk_create(
            Round(review=review, component_key=key, check_in=check_in) for key in component_keys
        )
        for round in rounds:
            if round.component_key == CONFIDENCE_KEY:
                open_confidence_rounds(round)
        if notify:
            transaction.on_commit(lambda: _email_check_in(check_in))
    return check_in


def open_confidence_rounds(round: Round) -> list[Round]:
    """One round of confidence per goal the alliance has agreed, asked with the trust
    component's `round` (of a check-in, or of a meeting's reflect phase)."""
    from registers.models import Goal

    goals = Goal.objects.filter(alliance_id=round.review.alliance_id, status=Goal.Status.AGREED)
    return Round.objects.bulk_create(
        Round(
            review_id=round.review_id,
            component_key=CONFIDENCE_KEY,
            check_in_id=round.check_in_id,
            goal=goal,
            asked_with=round,
            opened_at=round.opened_at,
        )
        for goal in goals
    )


def confidence_rounds_with(round: Round) -> list[Round]:
    """The confidence rounds asked together with a component's round, in the order of
    their goals, each with its goal; none for a component other than trust."""
    if round.component_key != CONFIDENCE_KEY or round.goal_id:
        return []
    rounds = list(
        Round.objects.filter(asked_with=round)
        .select_related("goal")
        .order_by("goal__created_at", "goal_id")
    )
    for each in rounds:
        each.review = round.review
        if round.check_in_id:
            each.check_in = round.check_in
    return rounds


def close_with_confidence(round: Round, when) -> None:
    """Close a meeting's round, and the confidence rounds asked with it."""
    Round.objects.filter(Q(pk=round.pk) | Q(asked_with=round), closed_at=None).update(
        closed_at=when
    )


def _email_check_in(check_in: CheckIn) -> None:
    from django.conf import settings

    review = check_in.review
    link = settings.SITE_URL + reverse("ratings:check_in", args=[review.alliance.slug, check_in.pk])
    for membership in Membership.objects.filter(alliance=review.alliance).select_related("user"):
        if not membership.can_answer:
            continue
        context = {"check_in": check_in, "review": review, "link": link, "person": membership.user}
        send_mail(
            # A header is one line: a name typed with a line break is collapsed, not a 500.
            _("Your private check-in for %(review)s") % {"review": " ".join(review.name.split())},
            render_to_string("ratings/email/check_in.txt", context),
            None,
            [membership.user.email],
        )


def close_check_in(*, check_in: CheckIn) -> None:
    if check_in.closed_at is None:
        now = timezone.now()
        check_in.closed_at = now
        check_in.save(update_fields=["closed_at"])
        check_in.rounds.filter(closed_at=None).update(closed_at=now)
