"""What a facilitator sends from a meeting's pages: the plan form's data, and the projector
link made by pressing its button (the page shows the link once)."""

import re

from django.urls import reverse


def plan_data(people, **changes) -> dict:
    """The plan form of a meeting on purpose and power, led by fiona with mia's notes."""
    return {
        "starts_at": "2027-05-03T18:00",
        "duration_minutes": "90",
        "place": "Town hall",
        "agenda": ["purpose", "power"],
        "facilitator": people["fiona"].pk,
        "recorder": people["mia"].pk,
        **changes,
    }


def make_projector_link(client, meeting) -> str:
    """The token of a new projector link, as the page shows it to `client`'s person."""
    args = [meeting.review.alliance.slug, meeting.pk]
    client.post(reverse("meetings:projector_link", args=args))
    page = client.get(reverse("meetings:detail", args=args)).content.decode()
    found = re.search(r'<code id="projector-url">http://testserver/projector/([^/]+)/</code>', page)
    return found[1]
