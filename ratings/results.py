"""What anyone may see of a round's answers. The one place where the review's thresholds
(K) are applied: every page, partial, live event, export and report asks here.

A spread of ratings is shown once the round is closed and at least K people answered; the
written answers to a question once the round is closed and at least K reflections were
written to it. Waiting for the round to close stops a watcher from working out one
person's answer by comparing the results before and after they answered; and while a round
is open its answers are sealed (`ratings.sealing`): here a closed round is settled first
(its answers written out), so every reader sees them once it has closed, however it closed.
"""

import random
import statistics
from dataclasses import dataclass, replace

from django.db.models import Count

from ratings.models import Participation, Rating, Reflection, Round
from ratings.services import late_answers_hidden, settle_due
from reviews.models import Review

_shuffle = random.SystemRandom().shuffle


@dataclass(frozen=True)
class Bar:
    value: int
    label: str
    count: int
    percent: int


@dataclass(frozen=True)
class QuestionReflections:
    question: object
    count: int
    needed: int
    texts: tuple[tuple[str, str], ...]  # (text, author in a named review); empty unless shown

    @property
    def shown(self) -> bool:
        return bool(self.texts)

    @property
    def more_needed(self) -> int:
        return max(self.needed - self.count, 0)


@dataclass(frozen=True)
class RoundResult:
    round: Round
    count: int
    needed: int
    closed: bool
    bars: tuple[Bar, ...]  # empty unless shown
    median: float | None
    reflections: tuple[QuestionReflections, ...]

    @property
    def shown(self) -> bool:
        return bool(self.bars)

    @property
    def more_needed(self) -> int:
        return max(self.needed - self.count, 0)


def _bars(values: list[int], scale: dict) -> tuple[Bar, ...]:
    total = len(values)
    return tuple(
        Bar(v, str(label), values.count(v), round(100 * values.count(v) / total))
        for v, label in scale.items()
    )


def summarize(rounds) -> dict[int, RoundResult]:
    """Counts, spreads and medians of several rounds in two queries (no reflections)."""
    rounds = list(rounds)
    settle_due(rounds)
    counts = dict(
        Participation.objects.filter(round__in=rounds)
        .values_list("round_id")
        .annotate(n=Count("id"))
        .values_list("round_id", "n")
    )
    needed = {r.pk: _needed(r, counts.get(r.pk, 0), r.review.rating_threshold) for r in rounds}
    shown = [r for r in rounds if not r.is_open and counts.get(r.pk, 0) >= needed[r.pk]]
    values: dict[int, list[int]] = {r.pk: [] for r in shown}
    if shown:
        for round_id, value in Rating.objects.filter(round__in=shown).values_list(
            "round_id", "value"
        ):
            values[round_id].append(value)
    return {
        r.pk: RoundResult(
            round=r,
            count=counts.get(r.pk, 0),
            needed=needed[r.pk],
            closed=not r.is_open,
            bars=_bars(values[r.pk], r.scale) if values.get(r.pk) else (),
            median=statistics.median(values[r.pk]) if values.get(r.pk) else None,
            reflections=(),
        )
        for r in rounds
    }


def _needed(round: Round, count: int, threshold: int) -> int:
    """How many answers a result needs: K, or, for a round reopened after the room saw a
    result, K more than then (`services.late_answers_hidden`)."""
    if late_answers_hidden(round, count, threshold):
        return round.shown_count + threshold
    return threshold


def result(round: Round, questions=()) -> RoundResult:
    """The result of one round, reflections included, with nothing below the thresholds."""
    return results_of([round], {round.pk: list(questions)})[round.pk]


def results_of(rounds, questions: dict[int, list]) -> dict[int, RoundResult]:
    """The result of each of `rounds`, as `result` gives one, with the reflections to the
    questions `questions[round.pk]` (none for a round not in it): four queries at most,
    however many rounds (a check-in's, a review's export)."""
    rounds = list(rounds)
    summaries = summarize(rounds)
    reflections = _reflections([summaries[r.pk] for r in rounds], questions)
    return {r.pk: replace(summaries[r.pk], reflections=reflections[r.pk]) for r in rounds}


def review_results(review) -> dict[str, RoundResult]:
    """The result of the latest round of each component of a review, keyed by component."""
    latest = latest_rounds(review)
    by_round = summarize(latest.values())
    return {key: by_round[r.pk] for key, r in latest.items()}


def change_since(review, results: dict[str, RoundResult]) -> dict[str, float]:
    """For each component, how far its median moved since the alliance's previous review
    (only where both medians could be shown)."""
    previous = _previous_review(review)
    if previous is None:
        return {}
    return _changes(results, review_results(previous))


def confidence_results(review) -> dict[int, RoundResult]:
    """The result of the latest confidence round of each goal asked about in a review,
    keyed by goal id, in three queries whatever the number of goals."""
    latest = latest_goal_rounds(review)
    by_round = summarize(latest.values())
    return {goal_id: by_round[r.pk] for goal_id, r in latest.items()}


def confidence_change_since(review, results: dict[int, RoundResult]) -> dict[int, float]:
    """For each goal, how far the median confidence moved since the alliance's previous
    review (only where both medians could be shown)."""
    previous = _previous_review(review)
    if previous is None:
        return {}
    return _changes(results, confidence_results(previous))


def _previous_review(review):
    return (
        Review.objects.filter(alliance_id=review.alliance_id, started_on__lt=review.started_on)
        .order_by("-started_on", "-id")
        .first()
    )


def _changes(now: dict, before: dict) -> dict:
    return {
        key: result.median - before[key].median
        for key, result in now.items()
        if result.median is not None and key in before and before[key].median is not None
    }


def _reflections(summaries: list[RoundResult], questions: dict[int, list]) -> dict[int, tuple]:
    """Each round's reflections, by round id: per question asked, how many were written and,
    once shown, their texts. The rounds were settled and counted by `summarize`."""
    counts: dict[tuple[int, int], int] = {}
    if summaries:
        for round_id, question_id, n in (
            Reflection.objects.filter(round__in=[s.round for s in summaries])
            .values_list("round_id", "question_id")
            .annotate(n=Count("id"))
            .values_list("round_id", "question_id", "n")
        ):
            counts[round_id, question_id] = n
    shown: set[tuple[int, int]] = set()
    for summary in summaries:
        round, needed = summary.round, summary.round.review.reflection_threshold
        # Reopened after the room saw them: new texts wait for K more people, like ratings.
        # Counted in people who answered, as `shown_count` is: a count of texts could not be
        # compared with it.
        late = round.shown_count is not None and late_answers_hidden(round, summary.count, needed)
        if summary.closed and not late:
            shown |= {
                (round.pk, q.pk)
                for q in questions.get(round.pk, [])
                if counts.get((round.pk, q.pk), 0) >= needed
            }
    texts: dict[tuple[int, int], list[tuple[str, str]]] = {key: [] for key in shown}
    if shown:
        # author is only ever set in a named review
        for round_id, question_id, text, author in Reflection.objects.filter(
            round__in={key[0] for key in shown}, question_id__in={key[1] for key in shown}
        ).values_list("round_id", "question_id", "text", "author__name"):
            if (round_id, question_id) in texts:
                texts[round_id, question_id].append((text, author or ""))
    found = {}
    for summary in summaries:
        round, needed = summary.round, summary.round.review.reflection_threshold
        result = []
        for question in questions.get(round.pk, []):
            written = texts.get((round.pk, question.pk), [])
            # Shuffled at each reading: the order the database returns rows in is its own,
            # and is not promised to hide anything.
            _shuffle(written)
            result.append(
                QuestionReflections(
                    question, counts.get((round.pk, question.pk), 0), needed, tuple(written)
                )
            )
        found[round.pk] = tuple(result)
    return found


def latest_rounds(review) -> dict[str, Round]:
    """The latest round of each component of a review, in one query (confidence rounds,
    which are about a goal, not a component, are apart: `latest_goal_rounds`)."""
    rounds = {}
    for round in Round.objects.filter(review=review, goal=None).select_related("check_in"):
        round.review = review
        rounds[round.component_key] = round  # ordered by opening, so the latest wins
    return rounds


def latest_goal_rounds(review) -> dict[int, Round]:
    """The latest confidence round of each goal asked about in a review, in one query."""
    rounds = {}
    for round in Round.objects.filter(review=review, goal__isnull=False).select_related("check_in"):
        round.review = review
        rounds[round.goal_id] = round  # ordered by opening, so the latest wins
    return rounds
