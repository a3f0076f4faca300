from html.parser import HTMLParser

import pytest

from accord.markdown import ALLOWED_TAGS, render_markdown


class Elements(HTMLParser):
    """Collect every element and attribute that a browser would build from the HTML."""

    def __init__(self, html):
        super().__init__()
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def test_markdown_renders_emphasis_lists_and_links():
    html = render_markdown(
        "**Agreed**: *three* goals\n\n- one\n- two\n\n[site](https://example.org)"
    )
    assert html == (
        "<p><strong>Agreed</strong>: <em>three</em> goals</p>\n"
        "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
        '<p><a href="https://example.org" rel="noopener noreferrer nofollow">site</a></p>\n'
    )


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src=https://evil.example></iframe>",
        "<style>body{display:none}</style>",
        "<p onclick=alert(1)>hi</p>",
        "[x](data:text/html,<script>alert(1)</script>)",
    ],
)
def test_markdown_lets_no_markup_or_script_through(text):
    for tag, attrs in Elements(render_markdown(text)).found:
        assert tag in ALLOWED_TAGS
        assert set(attrs) <= {"href", "title", "rel"}
        assert attrs.get("href", "https:").startswith(("https:", "http:", "mailto:"))


def test_headings_in_notes_do_not_outrank_the_page():
    assert render_markdown("# Big\n\n## Smaller") == "<h3>Big</h3>\n<h4>Smaller</h4>\n"


def test_empty_text_renders_nothing():
    assert render_markdown("") == ""
