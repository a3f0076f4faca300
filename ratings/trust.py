"""The register of mutual respect and trust (component four), as people read it.

It sits in ratings, the lowest layer above both parts it joins: confidence in each goal
comes from private answers (`ratings.confidence`, through `ratings.results`, which applies
K), commitments kept and accomplishments from the registers. The component registry
(reviews/components.py) names it as the trust tool's builder.
"""

from ratings.confidence import confidence
from registers.figures import accomplishments, follow_through


def register(alliance, review=None) -> dict:
    """Mutual respect and trust: confidence in each goal (for `review`), commitments kept
    over time, and what the alliance has accomplished."""
    return {
        "tool": "trust",
        "review_id": review.pk if review else None,
        "confidence": confidence(review) if review else None,
        "follow_through": follow_through(alliance, review),
        "accomplishments": accomplishments(alliance),
    }
