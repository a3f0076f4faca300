import re

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from accord.markdown import render_markdown

register = template.Library()

WEB_ADDRESS = re.compile(r"https?://[^\x00-\x20\x7f]+", re.IGNORECASE)


@register.filter
def markdown(text: str) -> SafeString | str:
    """A note as sanitized HTML, in a container that htmx leaves alone: even if markup ever
    slipped through nh3, an `hx-*` attribute in it would not be processed (hx-disable)."""
    html = render_markdown(text)
    if not html:
        return ""  # so that `|default:` still applies to an empty note
    # nh3's output is the one markup built from stored text that we trust (format_html
    # would otherwise escape it).
    return format_html('<div class="markdown" hx-disable>{}</div>', SafeString(html))


@register.filter
def web_url(url: str) -> str:
    """`url` if it is a web address, else nothing. A stored link (a partner's website, a
    meeting's video link) becomes an href, where `javascript:` would run on a click; and a
    browser ignores tabs and newlines inside a scheme, so any control character refuses it."""
    return url if url and WEB_ADDRESS.fullmatch(url) else ""
