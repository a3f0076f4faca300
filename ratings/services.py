"""Taking answers, the one way (`submit`), and settling a closed round (`settle`).

Anonymity is enforced here, at write time. While a round is open, an answer is written
only sealed (`ratings.sealing`): beside the person's participation appears a blob nobody
can read without the server's secret. When the round closes, `settle` opens the blobs and
writes the round's answers once, in a shuffled order, with fresh random ids, in one
statement per table, and deletes the blobs: no id, order, time or dead row version lines
an answer up with a participation. In an anonymous review no answer carries its author.
"""

import logging
import random
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accord import mail
from accounts.language import each_in_their_language
from alliances.models import Membership
from alliances.rules import ANSWER
from ratings.models import (
    RATING_MAX,
    RATING_MIN,
    REFLECTION_MAX_LENGTH,
    CheckIn,
    Participation,
    Rating,
    Reflection,
    Round,
    SealedAnswer,
)
from ratings.sealing import open_blob, seal
from registers.models import Goal
from reviews.framework import key_of
from reviews.models import Question

logger = logging.getLogger(__name__)

_shuffle = random.SystemRandom().shuffle

# Confidence in each agreed goal is asked with this component (mutual respect and trust).
CONFIDENCE_KEY = key_of("trust")


class AnswerError(Exception):
    """The answer cannot be taken; the message says why, and nothing was changed."""


class RulesChanged(AnswerError):
    """The review's rules of private answers are not those the person was shown."""


def rules_changed_message(review) -> str:
    if review.anonymous:
        now = _("answers are now anonymous")
    else:
        now = _("answers are now named: your name would be shown with your answer")
    return _(
        "The rules of this review changed after this form was shown to you (%(now)s; "
        "ratings shown from %(k)d answers, written answers from %(kr)d). Nothing was sent. "
        "Read the rules above, then send your answer again if you still wish to."
    ) % {"now": now, "k": review.rating_threshold, "kr": review.reflection_threshold}


@dataclass
class ComponentAnswer:
    round: Round
    rating: int | None
    reflections: dict = field(default_factory=dict)  # Question -> text


def check_can_answer(membership: Membership, round: Round) -> None:
    if membership.alliance_id != round.review.alliance_id:
        raise AnswerError(_("You are not part of this alliance."))
    if not ANSWER.allows(membership):
        raise AnswerError(str(ANSWER.message))


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


def _take(answer: ComponentAnswer, membership: Membership, rules: str) -> None:
    # The round's lock, which `settle` takes too: an answer sealed while its round settles
    # would be left behind, counted but never opened.
    round = (
        Round.objects.select_for_update(of=("self",))
        .select_related("check_in", "review")
        .get(pk=answer.round.pk)
    )
    if not round.is_open or round.settled:
        raise AnswerError(_("This round of answers is closed."))
    # Read under the round's lock, in the transaction that writes: an answer is taken only
    # under the rules its person was shown.
    if round.review.rules != rules:
        raise RulesChanged(rules_changed_message(round.review))
    try:
        # The unique constraint refuses a second answer, even from two tabs at once; the savepoint
        # lets its error be caught without breaking the transaction around it.
        with transaction.atomic():
            Participation.objects.create(round=round, user=membership.user)
    except IntegrityError:
        raise AnswerError(_("You have answered already. Each person answers once.")) from None
    texts = {q.pk: text.strip() for q, text in answer.reflections.items() if text.strip()}
    blob = seal(
        round_id=round.pk,
        rating=answer.rating,
        reflections=texts,
        # Never sealed in an anonymous review: then not even the server's secret names the author.
        author_id=None if round.review.anonymous else membership.user.pk,
        # The questions asked, not those answered: a blank answer seals to the size of a full one.
        slots=len(answer.reflections),
    )
    SealedAnswer.objects.create(round=round, blob=blob)


def submit(*, membership: Membership, answers: list[ComponentAnswer], rules: str) -> None:
    """Take one person's answers to one or more rounds, all or nothing, under `rules`: the
    review's rules as the form showed them (`Review.rules`); refused if they changed."""
    if not answers:
        raise AnswerError(_("There is nothing to answer here."))
    for answer in answers:
        check_can_answer(membership, answer.round)
        _validate(answer)
    # One transaction: a failure on a later round would otherwise leave participations that
    # refuse the person's next try at the earlier ones.
    with transaction.atomic():
        for answer in answers:
            _take(answer, membership, rules)


def open_check_in(
    *, review, component_keys: list[str], closes_at, message: str, author, notify: bool = True
) -> CheckIn:
    """Open a check-in on some components and email its link to everyone who answers (once
    the transaction commits). The check-in stays open when the mail server does not take
    an email: who it did not reach is kept in `CheckIn.not_emailed`."""
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
            # On commit: an email sent before then could link to a check-in that was rolled back.
            transaction.on_commit(lambda: _email_check_in(check_in))
    return check_in


def open_confidence_rounds(round: Round) -> list[Round]:
    """One round of confidence per goal the alliance has agreed, asked with the trust
    component's `round` (of a check-in, or of a meeting's reflect phase)."""
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
    """Close a meeting's round, and the confidence rounds asked with it, and settle them."""
    closing = Round.objects.filter(Q(pk=round.pk) | Q(asked_with=round))
    closing.filter(closed_at=None).update(closed_at=when)
    for each in closing.filter(settled=False).select_related("check_in", "review"):
        settle(each)


def reopen_with_confidence(round: Round) -> None:
    """Take answers again to a meeting's closed round (and the confidence rounds asked
    with it). The answers written already stay; those still to come are sealed and
    written when it closes again. If the room may have been shown a result, how many had
    answered then is kept, so that the next result waits for K more (`ratings.results`)."""
    with transaction.atomic():
        # Locked like `_take` and `settle`: a round reopened while it takes an answer or settles
        # could be left half open and half settled.
        rounds = Round.objects.select_for_update(of=("self",)).filter(
            Q(pk=round.pk) | Q(asked_with=round)
        )
        counts = dict(
            Participation.objects.filter(round__in=rounds)
            .values_list("round_id")
            .annotate(n=models.Count("id"))
            .values_list("round_id", "n")
        )
        review = round.review
        least = min(review.rating_threshold, review.reflection_threshold)
        for each in rounds:
            count = counts.get(each.pk, 0)
            if count >= least and late_answers_hidden(each, count, least) is False:
                each.shown_count = count
            each.closed_at = None
            each.settled = False
            each.save(update_fields=["shown_count", "closed_at", "settled"])


def late_answers_hidden(round: Round, count: int, needed: int) -> bool:
    """Whether a result must stay hidden because too few answered since the room last
    saw one: a difference of one or two answers would show what those people said."""
    if round.shown_count is None:
        return False
    late = count - round.shown_count
    return 0 < late < needed


def email_check_in_again(*, check_in: CheckIn) -> list:
    """Send the check-in's email again to those the mail server did not take it for (who
    still answer in the alliance), while it is open; the people it still did not reach."""
    if not check_in.is_open:
        return []
    return _email_check_in(check_in, only=check_in.not_emailed.all())


def _email_check_in(check_in: CheckIn, only=None) -> list:
    """Email the check-in's link to everyone who answers (or those of them in `only`), and
    keep who the mail server did not take it for (`CheckIn.not_emailed`): the check-in is
    open whatever the mail server does, and its facilitator can send those again."""
    review = check_in.review
    link = settings.SITE_URL + reverse("ratings:check_in", args=[review.alliance.slug, check_in.pk])
    memberships = Membership.objects.filter(alliance=review.alliance).select_related("user")
    if only is not None:
        memberships = memberships.filter(user__in=only)
    answering = [membership for membership in memberships if membership.can_answer]

    def write(membership):
        person = membership.user
        context = {"check_in": check_in, "review": review, "link": link, "person": person}
        return mail.message(
            subject=_("Your private check-in for %(review)s") % {"review": review.name},
            body=render_to_string("ratings/email/check_in.txt", context),
            to=[person.email],
            # A question about the check-in goes to the facilitator who opened it.
            reply_to=mail.replies_to(check_in.opened_by),
            headers=mail.AUTOMATIC,
        )

    missed = mail.not_reached(each_in_their_language(answering, write, lambda m: m.user))
    if missed:
        logger.error(
            "The email of check-in %s did not reach person(s) %s: the mail server did not take it.",
            check_in.pk,
            ", ".join(str(person.pk) for person in missed),
        )
    check_in.not_emailed.set(missed)
    return missed


def close_check_in(*, check_in: CheckIn) -> None:
    if check_in.closed_at is None:
        now = timezone.now()
        check_in.closed_at = now
        check_in.save(update_fields=["closed_at"])
        check_in.rounds.filter(closed_at=None).update(closed_at=now)
    for round in check_in.rounds.filter(settled=False).select_related("check_in", "review"):
        settle(round)


# Settling: a closed round's sealed answers become ratings and reflections, once.


def settle(round: Round) -> None:
    """Open a closed round's sealed answers and write them once, each table in one
    statement in a shuffled order with fresh random ids, then delete the sealed rows, in
    one transaction. Nothing happens to an open round or to one already settled, so any
    reader may call it (a check-in closes by time, with nothing written then)."""
    with transaction.atomic():
        # Locked: two readers settling the same round at once would each write its answers.
        locked = (
            Round.objects.select_for_update(of=("self",))
            .select_related("check_in", "review")
            .get(pk=round.pk)
        )
        if locked.settled or locked.is_open:
            return
        sealed = SealedAnswer.objects.filter(round=locked)
        opened = [
            open_blob(blob, round_id=locked.pk) for blob in sealed.values_list("blob", flat=True)
        ]
        _write_shuffled(locked, opened)
        sealed.delete()
        # A check-in that closed by time gets its round's closing written now.
        closed_at = locked.closed_at or locked.check_in.closes_at
        Round.objects.filter(pk=locked.pk).update(settled=True, closed_at=closed_at)
    round.settled, round.closed_at = True, closed_at


def _write_shuffled(round: Round, opened: list) -> None:
    # In an anonymous review no author was sealed; dropping it here as well keeps the rule
    # in the one place that writes answers.
    named = not round.review.anonymous
    ratings = [
        Rating(round=round, value=o.rating, author_id=o.author_id if named else None)
        for o in opened
    ]
    asked = {q for o in opened for q, _text in o.reflections}
    # An alliance's own question deleted while the round was open takes its answers with it.
    kept = set(Question.objects.filter(pk__in=asked).values_list("pk", flat=True))
    reflections = [
        Reflection(round=round, question_id=q, text=text, author_id=o.author_id if named else None)
        for o in opened
        for q, text in o.reflections
        if q in kept
    ]
    # The order rows are written in is the order they sit in on disk: not the answers'.
    _shuffle(ratings)
    _shuffle(reflections)
    Rating.objects.bulk_create(ratings)
    Reflection.objects.bulk_create(reflections)


def settle_due(rounds) -> None:
    """Settle those of `rounds` that are closed and not settled yet (each loaded with its
    check-in); costs nothing when none is."""
    for round in rounds:
        if not round.settled and not round.is_open:
            settle(round)


def sealed_answers_of(user, rounds) -> list[tuple[Rating, list[Reflection]]]:
    """In a named review, `user`'s own answers to those of `rounds` still open, opened from
    their seals (unsaved rows, for showing). Never for an anonymous review: nothing sealed
    there names anyone."""
    by_pk = {r.pk: r for r in rounds if not r.settled and not r.review.anonymous}
    if not by_pk:
        return []
    found = []
    for round_id, blob in SealedAnswer.objects.filter(round_id__in=by_pk).values_list(
        "round_id", "blob"
    ):
        opened = open_blob(blob, round_id=round_id)
        if opened.author_id == user.pk:
            found.append((by_pk[round_id], opened))
    questions = Question.objects.in_bulk({q for _r, o in found for q, _t in o.reflections})
    return [
        (
            Rating(round=round, value=o.rating, author=user),
            [
                Reflection(round=round, question=questions[q], text=text, author=user)
                for q, text in o.reflections
                if q in questions
            ],
        )
        for round, o in found
    ]


def settle_closed_rounds(now=None) -> int:
    """Settle every round that has closed, by a facilitator or by time; for cron."""
    now = now or timezone.now()
    due = Round.objects.filter(settled=False).filter(
        Q(closed_at__isnull=False)
        | Q(check_in__closes_at__lte=now)
        | Q(check_in__closed_at__isnull=False)
    )
    count = 0
    for round in due.select_related("check_in", "review"):
        settle(round)
        count += 1
    return count


# The alliance's own questions. A component's questions change only while no round on it
# is open, so that everyone answering one round is asked the same.


class QuestionsLocked(Exception):
    """A round on the component is open, or the question is asked already; the message
    says which."""


def _check_no_open_round(review, component_key: str) -> None:
    rounds = Round.objects.filter(
        review=review, component_key=component_key, closed_at=None
    ).select_related("check_in")
    if any(r.is_open for r in rounds):
        raise QuestionsLocked(
            _(
                "People are answering about this component right now (a check-in or a "
                "meeting's reflect phase). Change its questions once that round closes."
            )
        )


def add_question(*, review, component_key: str, text: str, author, chain=None) -> Question:
    """Add a question of the alliance's own to a component of `review`, after those it has;
    `chain` asks again a question of an earlier review (the same chain, compared)."""
    with transaction.atomic():
        review = type(review).objects.select_for_update().get(pk=review.pk)
        _check_no_open_round(review, component_key)
        if chain and Question.objects.filter(review=review, chain=chain, retired_at=None).exists():
            raise QuestionsLocked(_("This question is already asked in this review."))
        last = (
            Question.objects.filter(review=review, component_key=component_key)
            .order_by("-position")
            .values_list("position", flat=True)
            .first()
        )
        return Question.objects.create(
            review=review,
            component_key=component_key,
            position=(last or 0) + 1,
            version=1,
            text=text,
            origin=Question.Origin.ALLIANCE,
            chain=chain or uuid.uuid4(),
            created_by=author,
        )


def reword_question(*, question: Question, text: str, author) -> Question:
    """A new wording is a new version: the old one is retired, never edited, so that what
    was answered to it stays what was asked."""
    with transaction.atomic():
        old = Question.objects.select_for_update().get(pk=question.pk)
        _check_no_open_round(old.review, old.component_key)
        if old.retired_at is not None:
            raise QuestionsLocked(_("This wording was changed or retired meanwhile."))
        old.retired_at = timezone.now()
        old.save(update_fields=["retired_at"])
        return Question.objects.create(
            review_id=old.review_id,
            component_key=old.component_key,
            position=old.position,
            version=old.version + 1,
            text=text,
            origin=Question.Origin.ALLIANCE,
            chain=old.chain,
            created_by=author,
        )


def retire_question(*, question: Question, author) -> None:
    """Stop asking it; what was answered to it stays."""
    with transaction.atomic():
        old = Question.objects.select_for_update().get(pk=question.pk)
        _check_no_open_round(old.review, old.component_key)
        if old.retired_at is None:
            old.retired_at = timezone.now()
            old.save(update_fields=["retired_at"])
