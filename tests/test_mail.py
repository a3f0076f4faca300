"""The HTML part of every email is made from its plain text (accord.mail): the same words,
escaped, in its paragraphs and lines, with web addresses as links, in the reader's
language. tests/test_smtp.py sends each real email through SMTP."""

import xml.etree.ElementTree as ET

from django.core import mail as outbox
from django.utils import translation

from accord import mail


def page(text: str, subject: str = "A subject") -> ET.Element:
    return ET.fromstring(mail.html(subject, text))


def paragraphs(root: ET.Element) -> list[str]:
    return [ET.tostring(p, encoding="unicode") for p in root.iter("p")]


def test_html_keeps_paragraphs_and_lines_and_links_addresses_without_their_full_stop():
    text = "Hello Mia,\n\nTo join, open this link:\nhttps://accord.example/invitations/abc/.\n"

    root = page(text)

    assert [a.get("href") for a in root.iter("a")] == ["https://accord.example/invitations/abc/"]
    (first, second) = root.iter("p")
    assert "".join(first.itertext()) == "Hello Mia,"
    assert (
        "".join(second.itertext())
        == "To join, open this link:\nhttps://accord.example/invitations/abc/."
    )
    assert [child.tag for child in second] == ["br", "a"]


def test_html_shows_markup_typed_in_the_text_as_text():
    root = page(
        '<script>alert(1)</script> <a href="javascript:x">y</a> https://x.example/"onclick=1'
    )

    assert [element.tag for element in root.iter()] == [
        "html", "head", "meta", "meta", "title", "body", "div", "p", "a",
    ]  # fmt: skip
    (link,) = root.iter("a")
    assert link.get("href") == "https://x.example/"
    assert "".join(root.find("body").itertext()).strip() == (
        '<script>alert(1)</script> <a href="javascript:x">y</a> https://x.example/"onclick=1'
    )


def test_html_keeps_an_indented_line_indented_and_a_signature_rule():
    root = page("- Book the hall\n  Due by 30 April\n--\nTo stop it: https://a.example/s/")

    assert "\u00a0\u00a0Due by 30 April" in "".join(root.itertext())
    assert [element.tag for element in root.find("body/div")] == ["p", "hr", "p"]


def test_html_is_in_the_active_language_and_titled_with_the_subject():
    with translation.override("es"):
        root = page("Hola", subject="Reunión de Harvest")

    assert (root.get("lang"), root.get("dir")) == ("es", "ltr")
    assert root.find("head/title").text == "Reunión de Harvest"


def test_message_subject_is_one_line_and_from_is_the_sites_sender(settings):
    settings.DEFAULT_FROM_EMAIL = "Accord <accord@accord.example>"

    mail.send(mail.message(subject="Harvest\r\nBcc: evil@evil.example", body="Hi", to=["a@b.org"]))

    (sent,) = outbox.outbox
    assert sent.subject == "Harvest Bcc: evil@evil.example"
    assert sent.from_email == "Accord <accord@accord.example>"
    assert sent.body == "Hi"
    assert [mimetype for _content, mimetype in sent.alternatives] == ["text/html"]
