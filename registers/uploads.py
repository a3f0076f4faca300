"""The files people may attach to an agreement: which ones, checked by their name and by
their content, and how they are served back (only to members, by a view).

A file is accepted only when its extension is on the list below AND its first bytes are
those of that kind of file, so that a program renamed `plan.pdf` is refused. A file is shown
in the browser (inline) only when it is an image; PDFs and office documents are downloaded
(a PDF shown in the browser runs in its viewer under the page's strict policy, which may
refuse it, and a PDF can carry scripts of its own).
"""

import math
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from accord import phrases

MB = 1024 * 1024

# What each kind of content starts with.
PDF, ZIP, OLE, PNG, JPEG, GIF, WEBP = "pdf", "zip", "ole", "png", "jpeg", "gif", "webp"


@dataclass(frozen=True)
class Kind:
    content_type: str
    content: str  # one of the signatures above
    inline: bool  # safe to show in the browser
    # For zip-based office formats: a member every such archive holds.
    member: str = ""


_OOXML = "application/vnd.openxmlformats-officedocument."
_ODF = "application/vnd.oasis.opendocument."
_PARTS = "[Content_Types].xml"

ALLOWED = {
    ".pdf": Kind("application/pdf", PDF, False),
    ".doc": Kind("application/msword", OLE, False),
    ".xls": Kind("application/vnd.ms-excel", OLE, False),
    ".ppt": Kind("application/vnd.ms-powerpoint", OLE, False),
    ".docx": Kind(_OOXML + "wordprocessingml.document", ZIP, False, _PARTS),
    ".xlsx": Kind(_OOXML + "spreadsheetml.sheet", ZIP, False, _PARTS),
    ".pptx": Kind(_OOXML + "presentationml.presentation", ZIP, False, _PARTS),
    ".odt": Kind(_ODF + "text", ZIP, False, "mimetype"),
    ".ods": Kind(_ODF + "spreadsheet", ZIP, False, "mimetype"),
    ".odp": Kind(_ODF + "presentation", ZIP, False, "mimetype"),
    ".png": Kind("image/png", PNG, True),
    ".jpg": Kind("image/jpeg", JPEG, True),
    ".jpeg": Kind("image/jpeg", JPEG, True),
    ".gif": Kind("image/gif", GIF, True),
    ".webp": Kind("image/webp", WEBP, True),
}

# The `accept` attribute of the file input: a hint to the browser's file picker only.
ACCEPT = ",".join(ALLOWED)


def limit_mb() -> int:
    return settings.UPLOAD_MAX_MB


def signature(head: bytes) -> str:
    """Which allowed kind of content `head` (a file's first bytes) starts like, or ""."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return ZIP
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    return ""


def recognise(head: bytes) -> str:
    """What a file starting with `head` is, in words that follow "a" ("" if unknown)."""
    kind = signature(head)
    if kind:
        return {
            PDF: _("PDF"),
            ZIP: _("ZIP archive"),
            OLE: _("legacy office document"),
            PNG: _("PNG image"),
            JPEG: _("JPEG image"),
            GIF: _("GIF image"),
            WEBP: _("WebP image"),
        }[kind]
    if head.startswith(b"MZ"):
        return _("Windows program")
    if head.startswith(b"\x7fELF"):
        return _("Linux program")
    if head.startswith(b"#!"):
        return _("script")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script")):
        return _("web page")
    if text.startswith((b"<svg", b"<?xml")):
        return _("markup file (XML or SVG)")
    return ""


def check(upload) -> str:
    """Why `upload` (an UploadedFile) cannot be accepted, in a sentence; "" if it can."""
    limit = limit_mb()
    if upload.size > limit * MB:
        size = math.ceil(upload.size * 10 / MB) / 10
        return phrases.FILE_TOO_LARGE % {
            "size": f"{size:.1f}",
            "limit": limit,
        }
    name = Path(upload.name).name
    extension = Path(name).suffix.lower()
    upload.seek(0)
    head = upload.read(64)
    upload.seek(0)
    what = recognise(head)
    kind = ALLOWED.get(extension)
    if kind is None:
        if not what:
            what = (
                _("“%(extension)s” file") % {"extension": extension}
                if extension
                else _("file without an extension")
            )
        return _(
            "Only PDF, office documents and images can be uploaded; this file is a %(what)s."
        ) % {"what": what}
    if signature(head) == kind.content and _holds(upload, kind):
        return ""
    if what:
        return _(
            "Only PDF, office documents and images can be uploaded; this file is named "
            "“%(name)s” but it is a %(what)s."
        ) % {"name": name, "what": what}
    return _(
        "Only PDF, office documents and images can be uploaded; this file is named "
        "“%(name)s” but its content is not that of a “%(extension)s” file."
    ) % {"name": name, "extension": extension}


def _holds(upload, kind: Kind) -> bool:
    """For zip-based office formats: the archive is readable and holds what they all hold."""
    if not kind.member:
        return True
    try:
        with zipfile.ZipFile(upload) as archive:
            return kind.member in archive.namelist()
    except (zipfile.BadZipFile, OSError, EOFError):
        return False
    finally:
        upload.seek(0)


def kind_of(stored_name: str) -> Kind | None:
    return ALLOWED.get(Path(stored_name).suffix.lower())
