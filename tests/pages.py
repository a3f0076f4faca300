"""Reading a rendered page the way a person does: its text, its messages, and each form
field with the errors shown beside it and the value it still holds."""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Field:
    """One `div.field` of a form: the input it wraps, its value and its errors."""

    name: str = ""
    value: str | None = None
    errors: list[str] = field(default_factory=list)


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, Field] = {}
        self.messages: list[str] = []
        self.text: list[str] = []
        self._field: Field | None = None
        self._div_depth = 0  # divs open inside the current div.field
        self._capture: str | None = None  # "error", "textarea", "option" or "message"
        self._buffer: list[str] = []
        self._select: str | None = None
        self._skip = 0  # inside <script>, <style> or <title>

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag in {"script", "style", "title"}:
            self._skip += 1
        elif tag == "div" and self._field is None and "field" in classes:
            self._field, self._div_depth = Field(), 0
        elif tag == "div" and self._field is not None:
            self._div_depth += 1
        elif tag == "li" and self._field is not None:
            self._start_capture("error")
        elif tag == "p" and "message" in classes:
            self._start_capture("message")
        elif tag in {"input", "textarea", "select"} and self._field is not None:
            self._field.name = attributes.get("name", "")
            if tag == "input" and attributes.get("type") != "password":
                self._field.value = attributes.get("value")
            elif tag == "textarea":
                self._start_capture("textarea")
            elif tag == "select":
                self._select = self._field.name
        elif tag == "option" and self._select and "selected" in attributes:
            self._field.value = attributes.get("value")

    def handle_endtag(self, tag):
        if tag in {"script", "style", "title"}:
            self._skip -= 1
        elif tag == "div" and self._field is not None:
            if self._div_depth == 0:
                self.fields[self._field.name] = self._field
                self._field = None
            else:
                self._div_depth -= 1
        elif tag == "li" and self._capture == "error":
            self._field.errors.append(self._end_capture())
        elif tag == "p" and self._capture == "message":
            self.messages.append(self._end_capture())
        elif tag == "textarea" and self._capture == "textarea":
            self._field.value = "".join(self._buffer).removeprefix("\n")
            self._capture = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._capture:
            self._buffer.append(data)
        if not self._skip:
            self.text.append(data)

    def _start_capture(self, kind):
        self._capture, self._buffer = kind, []

    def _end_capture(self) -> str:
        self._capture = None
        return " ".join("".join(self._buffer).split())


def _parse(response) -> _PageParser:
    parser = _PageParser()
    parser.feed(response.content.decode())
    parser.close()
    return parser


def form_fields(response) -> dict[str, Field]:
    """Each form field on the page by its input's name."""
    return _parse(response).fields


def messages(response) -> list[str]:
    """The flash messages shown at the top of the page."""
    return _parse(response).messages


def text(response) -> str:
    """What the page says, as one line of words (entities decoded, tags dropped)."""
    return " ".join(" ".join(_parse(response).text).split())


def links(response) -> list[str]:
    """Every link target on the page, in order."""
    return re.findall(r'href="([^"]*)"', response.content.decode())
