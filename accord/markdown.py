"""People write notes in Markdown; Accord shows them as HTML that cannot carry a script.

markdown-it renders CommonMark with raw HTML switched off, and nh3 then keeps only the tags
a note needs, so that even a bug in the renderer cannot let markup through. What nh3 keeps
is an allow-list: every other tag (`script`, `style`, `meta`, `svg`, `form`, `iframe`...)
and every other attribute (`on*` handlers, `hx-*` and `data-hx-*`, `style`...) is dropped.
"""

import nh3
from markdown_it import MarkdownIt

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
}
# "*": no attribute on every tag (ammonia would otherwise keep `lang` and `title` anywhere).
ALLOWED_ATTRIBUTES = {"*": set(), "a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> str:
    html = _renderer.render(text or "")
    # Headings in a note must not compete with the page's own: shift them down.
    for level in (2, 1):
        html = html.replace(f"<h{level}>", f"<h{level + 2}>").replace(
            f"</h{level}>", f"</h{level + 2}>"
        )
    return sanitize(html)


def sanitize(html: str) -> str:
    """Only the allowed tags and attributes of `html`, links only to the allowed schemes."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        # The content of these is dropped with them, not shown as text.
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
