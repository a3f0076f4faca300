"""The one way views and consumers load an alliance's data.

Every function takes the request's user and the identifiers from the URL, and returns the
object only if the user belongs to the object's alliance. Anyone else gets a 404, so an
outsider cannot even learn that the object exists. A member whose role does not allow the
action gets a 403 that names the role which would; what each role allows is decided in
`alliances/rules.py`.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from alliances import rules
from alliances.models import Invitation, Membership, Partner

# The abilities a view names when it loads the membership; each is a rule of
# alliances/rules.py, whose message the 403 page shows.
ABILITIES = {
    name: rules.RULES[name] for name in ("coordinate", "facilitate", "answer", "write", "consent")
}


def require(membership: Membership, ability: str) -> None:
    ABILITIES[ability].require(membership)


def get_membership(user, slug: str, ability: str | None = None) -> Membership:
    """The user's membership of the alliance at `slug`, checked for `ability`."""
    if not user.is_authenticated:
        raise Http404
    membership = get_object_or_404(
        Membership.objects.select_related("alliance", "partner"), alliance__slug=slug, user=user
    )
    membership.user = user  # the same row, already loaded for the session
    if ability:
        require(membership, ability)
    return membership


def get_partner(membership: Membership, partner_id: int) -> Partner:
    return get_object_or_404(Partner, alliance=membership.alliance, pk=partner_id)


def get_invitation(membership: Membership, invitation_id: int) -> Invitation:
    return get_object_or_404(Invitation, alliance=membership.alliance, pk=invitation_id)


# The getters of other apps' rows import their models inside: those apps sit above alliances
# in the layers (ARCHITECTURE.md) and import this module.
def get_review(membership: Membership, review_id: int):
    from reviews.models import Review

    return get_object_or_404(Review, alliance=membership.alliance, pk=review_id)


def get_own_question(membership: Membership, question_id: int):
    """A question of the alliance's own (never the framework's), in any of its reviews."""
    from reviews.models import Question

    return get_object_or_404(
        Question.objects.select_related("review"),
        review__alliance=membership.alliance,
        origin=Question.Origin.ALLIANCE,
        pk=question_id,
    )


def choose_review(membership: Membership, asked: str | None):
    """The alliance's reviews, latest first, and the one a page shows: the one asked for
    (`?review=`), else the latest, else None. An id that is not a number or not one of
    this alliance's reviews is a 404, as for any object of another alliance."""
    from reviews.models import Review

    reviews = list(Review.objects.filter(alliance=membership.alliance))
    if not asked:
        return reviews, reviews[0] if reviews else None
    chosen = next((r for r in reviews if str(r.pk) == asked), None)
    if chosen is None:
        raise Http404
    return reviews, chosen


def get_component_record(membership: Membership, review_id: int, component_key: str):
    from reviews.models import ComponentRecord

    return get_object_or_404(
        ComponentRecord.objects.select_related("review", "opened_by", "recorded_by"),
        review__alliance=membership.alliance,
        review_id=review_id,
        component_key=component_key,
    )


def get_commitment(membership: Membership, commitment_id: int):
    from reviews.models import Commitment

    return get_object_or_404(
        Commitment.objects.select_related("review", "partner", "owner"),
        alliance=membership.alliance,
        pk=commitment_id,
    )


def get_member(membership: Membership, membership_id: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "partner", "alliance"),
        alliance=membership.alliance,
        pk=membership_id,
    )


def get_check_in(membership: Membership, check_in_id: int):
    from ratings.models import CheckIn

    return get_object_or_404(
        CheckIn.objects.select_related("review", "review__alliance"),
        review__alliance=membership.alliance,
        pk=check_in_id,
    )


def get_meeting(membership: Membership, meeting_id: int):
    from meetings.models import Meeting

    return get_object_or_404(
        Meeting.objects.select_related(
            "review", "review__alliance", "current", "facilitator", "co_facilitator", "recorder"
        ),
        review__alliance=membership.alliance,
        pk=meeting_id,
    )


def get_membership_for_meeting(user, meeting_id: int) -> Membership:
    """The user's membership of the alliance that holds meeting `meeting_id`, for the short
    join address, which names the meeting alone (`/m/<id>/`). Load the meeting itself
    through `get_meeting` with it."""
    if not user.is_authenticated:
        raise Http404
    membership = get_object_or_404(
        Membership.objects.select_related("alliance", "partner"),
        alliance__reviews__meetings__pk=meeting_id,
        user=user,
    )
    membership.user = user
    return membership


def get_goal(membership: Membership, goal_id: int):
    from registers.models import Goal

    return get_object_or_404(Goal, alliance=membership.alliance, pk=goal_id)


def get_resource(membership: Membership, resource_id: int):
    from registers.models import Resource

    return get_object_or_404(Resource, alliance=membership.alliance, pk=resource_id)


def get_dependency(membership: Membership, dependency_id: int):
    from registers.models import Dependency

    return get_object_or_404(Dependency, alliance=membership.alliance, pk=dependency_id)


def get_accomplishment(membership: Membership, accomplishment_id: int):
    from registers.models import Accomplishment

    return get_object_or_404(Accomplishment, alliance=membership.alliance, pk=accomplishment_id)


def get_agreement(membership: Membership, agreement_id: int):
    from registers.models import Agreement

    return get_object_or_404(
        Agreement.objects.select_related("owner"), alliance=membership.alliance, pk=agreement_id
    )


def get_pledge(membership: Membership, pledge_id: int):
    from registers.models import Pledge

    return get_object_or_404(
        Pledge.objects.select_related("partner", "resource"),
        alliance=membership.alliance,
        pk=pledge_id,
    )


def get_indicator(membership: Membership, indicator_id: int):
    from indicators.models import Indicator

    return get_object_or_404(
        Indicator.objects.select_related("responsible"),
        alliance=membership.alliance,
        pk=indicator_id,
    )


def get_value(membership: Membership, indicator, value_id: int):
    """A value of `indicator` (itself loaded through `get_indicator`)."""
    from indicators.models import Value

    return get_object_or_404(
        Value.objects.select_related("breakdown"),
        indicator=indicator,
        indicator__alliance=membership.alliance,
        pk=value_id,
    )


def get_api_token(membership: Membership, token_id: int):
    from indicators.models import ApiToken

    return get_object_or_404(
        ApiToken.objects.select_related("created_by"), alliance=membership.alliance, pk=token_id
    )


def get_token_indicator(token, indicator_id: int):
    """For the API, where the token (not a person) names the alliance: its indicator, or 404."""
    from indicators.models import Indicator

    return get_object_or_404(Indicator, alliance_id=token.alliance_id, pk=indicator_id)


def get_webhook(membership: Membership, webhook_id: int):
    from webhooks.models import Webhook

    return get_object_or_404(
        Webhook.objects.select_related("created_by"), alliance=membership.alliance, pk=webhook_id
    )


def get_publication(membership: Membership, publication_id: int):
    from publishing.models import Publication

    return get_object_or_404(Publication, alliance=membership.alliance, pk=publication_id)


def get_share_link(membership: Membership, link_id: int):
    from publishing.models import ShareLink

    return get_object_or_404(ShareLink, alliance=membership.alliance, pk=link_id)
