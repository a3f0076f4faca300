"""How long the review report's PDF takes for the demo alliance, beside a one-page
WeasyPrint document in the same run (the floor: starting a document, laying out a page and
writing a tagged PDF, here with an inline SVG as the report's charts are).

Builds the demo alliance (`seed_demo`'s `build_demo`) in a throwaway SQLite database (or in
DATABASE_URL's, when given: it must be an empty database of its own), then, round after
round, times:

- the baseline: a one-page document with a heading, a paragraph and an inline SVG chart,
  written as PDF/UA-1 like the report;
- the report: `records.report.build` (the database queries) and the PDF made from it by
  `records.views.report.render_pdf`, as the "Download the PDF" link does.

Run with `python -m bench.report_pdf [--rounds N]`; the target is under 2 s for the report.
"""

import argparse
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BASELINE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>One page</title>
</head><body><h1>One page</h1><p>A paragraph of text, as a baseline for the report.</p>
<svg width="640" height="320" viewBox="0 0 640 320" role="img"><title>A line</title>
<polyline points="72,280 200,200 330,180 460,120 600,60" fill="none" stroke="black"
stroke-width="2" stroke-dasharray="8 4"/><text x="72" y="300">2026</text></svg>
</body></html>"""


def setup(data_dir: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("DATA_DIR", data_dir)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{data_dir}/bench.sqlite3")
    sys.path.insert(0, str(ROOT))
    # after the environment and path above are set: django.setup() reads them
    import django

    django.setup()
    # after django.setup(): commands need the apps ready
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # WeasyPrint says each step of each PDF at INFO; only its warnings matter here.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def demo_request():
    """A GET of the demo review's PDF by its coordinator, and the review."""
    # after django.setup() in `setup`: these load the apps and their models
    from django.test import RequestFactory
    from django.urls import reverse

    from records.management.commands.seed_demo import PEOPLE, build_demo

    alliance = build_demo()
    review = alliance.reviews.first()  # the latest: the one under way
    membership = alliance.memberships.select_related("user", "alliance").get(
        user__email=PEOPLE[0][1]
    )
    url = reverse("reviews:report_pdf", args=[alliance.slug, review.pk])
    request = RequestFactory().get(url)
    request.user = membership.user
    return request, membership, review


def timed(function, rounds: int) -> list[float]:
    function()  # warm up: fonts, templates, the first queries
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def describe(name: str, times: list[float]) -> str:
    return (
        f"{name:<32} median {statistics.median(times) * 1000:7.0f} ms"
        f"   min {min(times) * 1000:7.0f} ms   max {max(times) * 1000:7.0f} ms"
    )


def pdf_pages(pdf: bytes) -> str:
    try:
        from pypdf import PdfReader  # installed with the test dependencies
    except ImportError:
        return "? pages"
    # only needed once pypdf is there to read the pages
    import io

    return f"{len(PdfReader(io.BytesIO(pdf)).pages)} pages"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="accord-bench-report-") as data_dir:
        setup(data_dir)
        # after `setup`: the report's module needs Django's apps ready
        from django.utils import translation
        from weasyprint import HTML

        from records.views import report as report_views

        translation.activate("en")
        request, membership, review = demo_request()
        made = []

        def baseline():
            HTML(string=BASELINE).write_pdf(pdf_variant="pdf/ua-1")

        def report():
            pdf = report_views.render_pdf(request, report_views.context_for(membership, review))
            made.append(pdf)

        base_times = timed(baseline, args.rounds)
        report_times = timed(report, args.rounds)
        print(f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}")
        print(describe("one-page document (baseline)", base_times))
        print(describe("demo review's report PDF", report_times))
        ratio = statistics.median(report_times) / statistics.median(base_times)
        size = f"{pdf_pages(made[-1])}, {len(made[-1]) // 1024} KiB"
        print(f"report / baseline: {ratio:.1f} times; the PDF: {size}")


if __name__ == "__main__":
    main()
