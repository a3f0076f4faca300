from html.parser import HTMLParser

import pytest

from accord.markdown import ALLOWED_TAGS, render_markdown, sanitize
from accord.templatetags.accord import markdown, web_url


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


# What nh3 keeps, class by class: even raw HTML that markdown-it let through (it does not:
# raw HTML is off) loses every tag and attribute that could act.


@pytest.mark.parametrize(
    ("html", "kept"),
    [
        ('<p hx-post="/x" hx-trigger="load">p</p>', "<p>p</p>"),
        ('<p data-hx-post="/x" data-hx-trigger="load">p</p>', "<p>p</p>"),
        ('<p hx-on:click="alert(1)" hx-on--load="alert(1)">p</p>', "<p>p</p>"),
        ('<p onclick="alert(1)" onmouseover="alert(1)">p</p>', "<p>p</p>"),
        ("<p hx-disable hx-boost=true hx-vals='{\"a\":1}'>p</p>", "<p>p</p>"),
        ('<meta http-equiv="refresh" content="0;url=https://evil.example">', ""),
        ("<svg onload=alert(1)><circle r=1 /></svg>", ""),
        ('<form action="/x"><button formaction="/y">b</button><input name=a></form>', "b"),
        ("<style>body{display:none}</style>", ""),
        ("<script>alert(1)</script>", ""),
        ('<iframe src="https://evil.example">i</iframe>', "i"),
        ('<object data="x">o</object><embed src="x">', "o"),
        ('<base href="https://evil.example/"><link rel="stylesheet" href="x">', ""),
        ("<math><mi>m</mi></math>", ""),
        ('<img src="x" onerror="alert(1)">', ""),
        ('<p style="position:fixed" class="x" id="y" lang="en" title="t">p</p>', "<p>p</p>"),
        (
            '<a href="javascript:alert(1)" target="_top">a</a>',
            '<a rel="noopener noreferrer nofollow">a</a>',
        ),
        ('<a href="data:text/html,x">a</a>', '<a rel="noopener noreferrer nofollow">a</a>'),
        ("<!-- <script>alert(1)</script> -->c", "c"),
    ],
)
def test_sanitize_drops_every_tag_and_attribute_that_could_act(html, kept):
    assert sanitize(html) == kept


@pytest.mark.parametrize(
    "text",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](jav&#x61;script:alert(1))",
        "[x](vbscript:msgbox(1))",
        "<javascript:alert(1)>",
        "[x][ref]\n\n[ref]: javascript:alert(1)",
        "![x](javascript:alert(1))",
    ],
)
def test_markdown_links_never_run_a_script(text):
    for tag, attrs in Elements(render_markdown(text)).found:
        assert tag in ALLOWED_TAGS
        assert attrs.get("href", "https:").startswith(("https:", "http:", "mailto:"))


def test_raw_htmx_markup_in_markdown_is_shown_as_text():
    assert render_markdown('<i hx-post="/x" hx-trigger="load">x</i>') == (
        '<p>&lt;i hx-post="/x" hx-trigger="load"&gt;x&lt;/i&gt;</p>\n'
    )


def test_markdown_filter_wraps_a_note_where_htmx_does_nothing():
    assert markdown("**Agreed**") == (
        '<div class="markdown" hx-disable><p><strong>Agreed</strong></p>\n</div>'
    )
    # Nothing written: nothing at all, so that the template's `|default:` still applies.
    assert markdown("") == ""


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://kitchen.example.org/menu", "https://kitchen.example.org/menu"),
        ("http://example.org", "http://example.org"),
        ("javascript:alert(1)", ""),
        ("JAVASCRIPT:alert(1)", ""),
        (" javascript:alert(1)", ""),
        ("java\tscript:alert(1)", ""),
        ("https://example.org/\njavascript:", ""),
        ("data:text/html,<script>alert(1)</script>", ""),
        ("//evil.example", ""),
        ("", ""),
    ],
)
def test_a_stored_link_is_an_address_only_when_it_is_a_web_address(url, shown):
    assert web_url(url) == shown
