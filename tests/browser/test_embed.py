"""A published indicator on a partner's website, in a real browser: the partner's plain page
shows the chart with an `<img>` and frames the card in an `<iframe>`, both from Accord's
address, each with the headers `accord.embedding.embeddable` gives it. The chart draws at its
size, the card loads its own stylesheet under its policy and fits its frame, and it passes
axe-core on a phone. Drawn from a snapshot alone (no database), as the publishing pages
serve them."""

from pathlib import Path
from xml.etree import ElementTree

from django.template.loader import render_to_string

from accord.embedding import FRAMED_POLICY, IMAGE_POLICY
from indicators import embed
from tests.browser.checks import axe_check

PARTNER = "https://kitchen.example"
ACCORD = "https://accord.example"
STATIC = Path(__file__).resolve().parents[2] / "static"
SNAPSHOT = {
    "id": 12,
    "name": "Families served",
    "definition": "Households given a food box at least once in the month.",
    "source": "The food bank's intake records",
    "unit": "families",
    "direction": "up",
    "baseline": {"date": "2025-01-01", "value": 120.0},
    "target": {"date": "2027-12-31", "value": 300.0},
    "status": "on track",
    "status_key": "on_track",
    "values": [[f"2025-{m:02d}-06", 120.0 + 8 * m] for m in range(1, 13)]
    + [[f"2026-{m:02d}-05", 220.0 + 6 * m] for m in range(1, 11)],
    "breakdown_label": "county",
    "breakdowns": [
        {"name": "North", "values": [[f"2025-{m:02d}-06", 40.0 + 3 * m] for m in range(1, 13)]}
    ],
    "stories": [],
    "as_of": "2026-12-06",
}
HOST_PAGE = f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>The Community Kitchen</title></head>
<body>
<main>
<h1>Our work with the Harvest Alliance</h1>
<img id="chart" src="{ACCORD}/p/harvest/indicators/12.svg" alt="Families served, a chart">
<iframe id="card" src="{ACCORD}/p/harvest/indicators/12/card" title="Families served"
        width="360" height="700"></iframe>
</main>
</body>
</html>"""


def _serve(context, responses: dict):
    """Answer the partner's page and Accord's addresses from `responses` (path: (type,
    body, headers)), and count what else was asked for."""
    asked = []

    def handle(route):
        url = route.request.url
        asked.append(url)
        for address, (content_type, body, headers) in responses.items():
            if url == address:
                route.fulfill(status=200, content_type=content_type, body=body, headers=headers)
                return
        route.fulfill(status=404, body="")

    context.route("**/*", handle)
    return asked


def _responses():
    svg = embed.svg(
        SNAPSHOT, alliance_name="Harvest Alliance", link=f"{ACCORD}/p/harvest/", language="en"
    )
    card = render_to_string(
        "indicators/embed_card.html",
        {
            "indicator": SNAPSHOT,
            "alliance_name": "Harvest Alliance",
            "link": f"{ACCORD}/p/harvest/",
            "svg_url": "/p/harvest/indicators/12.svg",
        },
    )
    nosniff = {"X-Content-Type-Options": "nosniff"}
    return {
        f"{PARTNER}/": ("text/html", HOST_PAGE, {}),
        f"{ACCORD}/p/harvest/indicators/12.svg": (
            "image/svg+xml",
            svg,
            {"Content-Security-Policy": IMAGE_POLICY, **nosniff},
        ),
        f"{ACCORD}/p/harvest/indicators/12/card": (
            "text/html; charset=utf-8",
            card,
            {"Content-Security-Policy": FRAMED_POLICY, **nosniff},
        ),
        f"{ACCORD}/static/accord/embed.css": (
            "text/css",
            (STATIC / "accord" / "embed.css").read_text(),
            nosniff,
        ),
    }


def test_a_partner_page_shows_the_chart_and_frames_the_card(browser):
    context = browser.new_context(viewport={"width": 1024, "height": 900})
    asked = _serve(context, _responses())
    page = context.new_page()
    refused = []
    page.on("console", lambda m: refused.append(m.text) if m.type == "error" else None)

    page.goto(f"{PARTNER}/")

    svg = ElementTree.fromstring(_responses()[f"{ACCORD}/p/harvest/indicators/12.svg"][1])
    size = [int(svg.get("width")), int(svg.get("height"))]
    chart = page.locator("#chart")
    chart.evaluate("img => img.decode()")
    assert chart.evaluate("img => [img.naturalWidth, img.naturalHeight]") == size
    card = page.frame_locator("#card")
    assert card.locator("h1").inner_text() == "Families served"
    framed = card.locator("img.card__chart")
    assert framed.evaluate("img => img.decode().then(() => img.naturalWidth)") == size[0]
    assert card.locator("table tbody tr").count() == embed.CARD_ROWS
    # Its own stylesheet applies under its policy: the chart shrinks to the 360 px frame.
    frame = page.frame(url=f"{ACCORD}/p/harvest/indicators/12/card")
    assert frame.evaluate("getComputedStyle(document.body).margin") == "0px"
    widths = frame.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1]
    link = card.get_by_role("link", name="Harvest Alliance")
    assert link.get_attribute("href") == f"{ACCORD}/p/harvest/"
    assert not refused
    assert {url for url in asked if not url.endswith("/favicon.ico")} == set(_responses())
    context.close()


def test_the_card_passes_axe_on_a_phone(browser):
    # Bypassing the policy lets axe-core be injected; the card itself carries no script.
    context = browser.new_context(
        bypass_csp=True, viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True
    )
    _serve(context, _responses())
    page = context.new_page()
    page.goto(f"{ACCORD}/p/harvest/indicators/12/card")
    axe_check(page)
    context.close()
