"""Every email Accord sends is built here: the plain text its template writes (the
message's body, as it always was), and the same words as an HTML alternative made from that
text, so that no email's words are written twice and every one is translated once.

The HTML is the text, escaped, in paragraphs and lines, with its web addresses made into
links, in a small page in the reader's language: no image, no remote resource, nothing
that tracks. Build a message inside the recipient's language (`accounts.language.speaking`
or `translation.override`): the page's `lang` is the language active then.

`From` is always DEFAULT_FROM_EMAIL; `Reply-To` names a person where answering the email
means answering them (who invited, who opened a check-in, who planned a meeting).
"""

import logging
import re
import smtplib
from collections.abc import Iterable, Mapping
from email.header import Header
from email.headerregistry import Address
from email.message import Message as PythonMessage
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, get_language_bidi

logger = logging.getLogger(__name__)

# A web address in the text: it ends at a space, a quote or an angle bracket, and does not
# take the punctuation that ends its sentence ("open this link: https://…/.").
_URL = re.compile(r"https?://[^\s<>\"']+")
_END_OF_SENTENCE = ".,;:!?)]}"

# A plain-text signature separator ("--" alone on its line) becomes a rule.
_SEPARATOR = "--"

# An email no person wrote or sent by hand (RFC 3834): autoresponders do not answer it.
AUTOMATIC = {"Auto-Submitted": "auto-generated"}

_BODY_STYLE = (
    "margin: 0; padding: 16px; font-family: -apple-system, 'Segoe UI', Roboto, Helvetica, "
    "Arial, sans-serif; font-size: 16px; line-height: 1.5;"
)
_MAIN_STYLE = "max-width: 40em;"
_PARAGRAPH_STYLE = "margin: 0 0 1em;"
_LINK_STYLE = "word-break: break-all;"  # a long address wraps on a phone


def one_line(text: str) -> str:
    """A header is one line: a name typed with a line break is collapsed, not a 500."""
    return " ".join(str(text).split())


def replies_to(user) -> list[str]:
    """A Reply-To naming this person ("Carol Coordinator <carol@example.org>", quoted as a
    header needs), or none when nobody is left to answer (an account since deleted)."""
    if user is None:
        return []
    username, _at, domain = user.email.rpartition("@")
    name = one_line(user.get_full_name() or "")
    return [str(Address(display_name=name, username=username, domain=domain))]


class Email(EmailMultiAlternatives):
    def message(self, **kwargs):
        built = super().message(**kwargs)
        if not self.subject.isascii():
            # Django 5.2 encodes a non-ASCII subject without counting the "Subject: " before
            # it, so a long one starts on the next line and mail readers show it after a
            # space. Encoded knowing its name, its first line fits beside it. (The subject
            # is one line already: `one_line`.)
            del built["Subject"]
            PythonMessage.__setitem__(
                built, "Subject", Header(self.subject, "utf-8", header_name="Subject")
            )
        return built


def message(
    *,
    subject: str,
    body: str,
    to: list[str],
    reply_to: Iterable[str] = (),
    headers: Mapping[str, str] | None = None,
    attachments: Iterable[tuple[str, str | bytes, str]] = (),
) -> Email:
    """One email: `body` is the plain text, and its HTML alternative is made from it.
    `attachments` are (filename, content, MIME type)."""
    subject = one_line(subject)
    email = Email(
        subject,
        body,
        None,  # DEFAULT_FROM_EMAIL
        to,
        reply_to=list(reply_to),
        # The site's own name, not the server's host name (often a bare "localhost").
        headers={
            "Message-ID": make_msgid(domain=urlsplit(settings.SITE_URL).hostname),
            **(headers or {}),
        },
    )
    email.attach_alternative(html(subject, body), "text/html")
    for filename, content, mimetype in attachments:
        email.attach(filename, content, mimetype)
    return email


class NotSent(Exception):
    """The mail server could not be reached, or did not take an email (the reason is the
    exception's cause)."""


def send(*messages: Email) -> None:
    """Send these emails over one connection (one SMTP session for a whole check-in).
    Raises NotSent when the mail server cannot be reached or refuses them."""
    if not messages:
        return
    try:
        with get_connection() as connection:
            connection.send_messages(list(messages))
    except OSError as error:  # smtplib's errors, a refused connection, a timeout, TLS
        raise NotSent(str(error)) from error


def not_reached(addressed: list[tuple[object, Email]]) -> list:
    """Send each (person, email) pair's email (send_each) and return the people whose email
    the mail server did not take."""
    unsent = send_each(*(message for _person, message in addressed))
    return [person for person, message in addressed if message in unsent]


def send_each(*messages: Email) -> list[Email]:
    """Send these emails over one connection, each on its own, and return those the mail
    server did not take: one it refuses does not stop the others, and when it cannot be
    reached, none leaves and all are returned. Each failure is logged for the operator."""
    if not messages:
        return []
    connection = get_connection()
    try:
        connection.open()
    except OSError as error:  # nothing listens, TLS or the login fails, a timeout
        logger.error(
            "The mail server could not be reached (%d emails not sent): %s", len(messages), error
        )
        return list(messages)
    unsent = []
    try:
        for number, message in enumerate(messages):
            try:
                connection.send_messages([message])
            except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as error:
                # The server answered, refusing this one: the next may still go.
                logger.error(
                    "The mail server did not take an email to %d recipient(s): %s",
                    len(message.recipients()),
                    error,
                )
                unsent.append(message)
            except OSError as error:
                # The connection broke or stopped answering: nothing more goes through it,
                # and no other email waits EMAIL_TIMEOUT again.
                logger.error(
                    "The connection to the mail server failed (%d emails not sent): %s",
                    len(messages) - number,
                    error,
                )
                unsent.extend(messages[number:])
                broken = getattr(connection, "connection", None)  # smtplib's, in the SMTP backend
                if broken is not None:
                    broken.close()  # without QUIT, which would wait EMAIL_TIMEOUT once more
                    connection.connection = None
                break
    finally:
        try:
            connection.close()
        except OSError as error:  # the server hung up first: what it took, it took
            logger.warning("The connection to the mail server did not close cleanly: %s", error)
    return unsent


def html(subject: str, text: str) -> str:
    """The plain text as a small HTML page in the active language."""
    blocks = format_html_join(
        "\n", "{}", ((block,) for block in _blocks(text.replace("\r\n", "\n")))
    )
    return format_html(
        "<!DOCTYPE html>\n"
        '<html lang="{}" dir="{}">\n'
        "<head>\n"
        '<meta charset="utf-8" />\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1" />\n'
        "<title>{}</title>\n"
        "</head>\n"
        '<body style="{}">\n'
        '<div style="{}">\n{}\n</div>\n'
        "</body>\n"
        "</html>\n",
        get_language() or "en",
        "rtl" if get_language_bidi() else "ltr",
        subject,
        _BODY_STYLE,
        _MAIN_STYLE,
        blocks,
    )


def _blocks(text: str) -> list[SafeString]:
    """Paragraphs (separated by a blank line), each line of one kept on its own line."""
    blocks: list[SafeString] = []
    lines: list[str] = []

    def paragraph():
        if lines:
            joined = mark_safe("<br />\n".join(_line(line) for line in lines))  # noqa: S308 (each line escaped)
            blocks.append(format_html('<p style="{}">{}</p>', _PARAGRAPH_STYLE, joined))
            lines.clear()

    for line in text.split("\n"):
        line = line.rstrip()
        if not line:
            paragraph()
        elif line == _SEPARATOR:
            paragraph()
            blocks.append(mark_safe("<hr />"))
        else:
            lines.append(line)
    paragraph()
    return blocks


def _line(line: str) -> str:
    """One line, escaped, its indentation kept (as no-break spaces), its addresses linked."""
    stripped = line.lstrip(" ")
    indent = "\u00a0" * (len(line) - len(stripped))
    parts, last = [indent], 0
    for match in _URL.finditer(stripped):
        address = match.group().rstrip(_END_OF_SENTENCE)
        parts.append(escape(stripped[last : match.start()]))
        parts.append(format_html('<a href="{}" style="{}">{}</a>', address, _LINK_STYLE, address))
        last = match.start() + len(address)
    parts.append(escape(stripped[last:]))
    return "".join(parts)
