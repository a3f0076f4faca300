"""The questions a review asks about each component: the framework's, exact and first, then
the alliance's own for that review, in the order they were added. Every place that asks or
shows questions (a check-in, a meeting's reflect phase, a component's page, the report's
results) reads them here, so that they all ask the same."""

from django.db.models import F, Q

from reviews.models import Question


def asked(review, keys) -> dict[str, list[Question]]:
    """The questions in force for each component of `keys`, in `review`."""
    grouped: dict[str, list[Question]] = {key: [] for key in keys}
    found = Question.objects.filter(
        Q(review=None, origin=Question.Origin.FRAMEWORK) | Q(review=review),
        component_key__in=list(grouped),
        retired_at=None,
    ).order_by(F("review_id").asc(nulls_first=True), "position", "version")
    for question in found:
        grouped[question.component_key].append(question)
    return grouped


def own(review) -> list[Question]:
    """The review's own questions in force, by component and position."""
    return list(
        Question.objects.filter(review=review, retired_at=None).order_by(
            "component_key", "position"
        )
    )


def current_wording(question) -> Question | None:
    """The wording of `question`'s chain its review asks now: itself, a newer version, or
    None once retired."""
    if question.retired_at is None:
        return question
    return (
        Question.objects.filter(review_id=question.review_id, chain=question.chain, retired_at=None)
        .order_by("-version")
        .first()
    )


def library(review) -> list[Question]:
    """The alliance's own questions asked in its other reviews, the latest wording of each
    (one per chain), that `review` does not ask: to ask again. Two queries."""
    in_force = set(
        Question.objects.filter(review=review, retired_at=None).values_list("chain", flat=True)
    )
    latest: dict = {}
    for question in (
        Question.objects.filter(
            review__alliance_id=review.alliance_id, origin=Question.Origin.ALLIANCE
        )
        .exclude(review=review)
        .select_related("review")
        .order_by("created_at", "pk")
    ):
        latest[question.chain] = question
    return sorted(
        (q for chain, q in latest.items() if chain not in in_force),
        key=lambda q: (q.component_key, q.text.lower()),
    )
