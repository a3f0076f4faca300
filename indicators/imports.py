"""Reading an indicator's values from a CSV file, for a preview before anything is saved.

`read` takes the uploaded file and says, for the whole file, in which encoding and with which
delimiter it was read, and, row by row, which rows can be imported and what is wrong with
the others, each with its line in the file (the header is line 1, blank lines count but are
skipped). Every row goes through `values.Checker`, the one place the rules of a value live,
so a duplicate date (in the file or already saved) is reported as everywhere else.

A problem with the file as a whole (too large, not text, empty, no values, a missing
column) raises `Unreadable` with a sentence that says what to do.

Decimal commas: in a file separated by semicolons (what a spreadsheet in Spanish, French or
German writes), a value such as "12,5" is read as 12.5. In a comma- or tab-separated file a
comma in a value is not a decimal point (in "1,250" it may well be a thousands separator),
so it stays a problem to fix.
"""

import codecs
import csv
import datetime
import io
import math
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from accord import phrases
from indicators import values
from indicators.models import Indicator
from registers.uploads import recognise

MB = 1024 * 1024
# A file holds at most this many rows of values: the rows stay in the session between the
# preview and the confirmation, and a person has to be able to read the preview.
MAX_ROWS = 10_000
REQUIRED = ("date", "value")
OPTIONAL = ("breakdown", "note")
COLUMNS = REQUIRED + OPTIONAL
DELIMITERS = ",;\t"
# What the upload field offers to choose.
ACCEPT = ".csv,.tsv,.txt,text/csv,text/plain,text/tab-separated-values"
SHOWN_HEADINGS = 10  # headings of a wrong first line named in its message
SHOWN_CHARACTERS = 40  # of each


class Unreadable(ValueError):
    """The file as a whole cannot be read; the message says why, in words."""


@dataclass
class Good:
    line: int
    row: values.Row
    warnings: list[str] = field(default_factory=list)


@dataclass
class Bad:
    line: int
    cells: dict[str, str]  # column -> the text that was in it
    errors: dict[str, str]  # column -> what is wrong


@dataclass
class Result:
    encoding: str  # one of ENCODINGS
    delimiter: str
    columns: list[str]  # the columns read, of COLUMNS, in the file's order
    ignored: list[str]  # the other headings, as written
    good: list[Good] = field(default_factory=list)
    bad: list[Bad] = field(default_factory=list)

    @property
    def decimal_comma(self) -> bool:
        return self.delimiter == ";"


def limit_mb() -> int:
    return settings.UPLOAD_MAX_MB


def delimiter_name(delimiter: str) -> str:
    return {",": _("commas"), ";": _("semicolons"), "\t": _("tabs")}[delimiter]


def read(upload, indicator: Indicator) -> Result:
    """Read an uploaded CSV file of `indicator`'s values; raise `Unreadable` if it cannot be."""
    limit = limit_mb()
    if upload.size > limit * MB:
        size = math.ceil(upload.size * 10 / MB) / 10
        raise Unreadable(phrases.FILE_TOO_LARGE % {"size": f"{size:.1f}", "limit": limit})
    upload.seek(0)
    data = upload.read()
    text, encoding = decode(data)
    if not text.strip():
        raise Unreadable(empty_message())
    return _rows(text, sniff(text), encoding, indicator)


def empty_message() -> str:
    return _("The file is empty: it should start with a line naming the columns.")


ENCODINGS = ("utf-16", "utf-8-sig", "utf-8", "cp1252", "latin-1")


def encoding_name(code: str) -> str:
    """How the preview names the encoding a file was read in."""
    return {
        "utf-16": _("UTF-16"),
        "utf-8-sig": _("UTF-8 with a byte order mark"),
        "utf-8": _("UTF-8"),
        "cp1252": _("Latin-1 (Windows-1252)"),
        "latin-1": _("Latin-1 (ISO 8859-1)"),
    }[code]


def decode(data: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was read in (one of ENCODINGS): UTF-8, with or
    without a byte order mark (or UTF-16 with one, as a spreadsheet's "Unicode text"),
    else Latin-1 as Windows writes it, else Latin-1 proper."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    what = recognise(data[:64])
    if what or b"\x00" in data:
        raise Unreadable(
            _(
                "This file is a %(what)s, not a CSV file. In your spreadsheet, save the sheet "
                "as CSV and upload that file."
            )
            % {"what": what or _("binary file")}
        )
    codes = ("utf-8-sig",) if data.startswith(codecs.BOM_UTF8) else ()
    for code in (*codes, "utf-8", "cp1252"):
        try:
            return data.decode(code), code
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"  # any byte is a Latin-1 letter


def _heading(cell: str) -> str:
    return cell.replace("\ufeff", "").strip().casefold()


# The delimiter is guessed from the file's start only: csv.Sniffer's patterns take seconds
# on a line of megabytes, and twenty lines of values say as much as the whole file.
SNIFF_CHARACTERS = 64 * 1024


def sniff(text: str) -> str:
    """The delimiter: the one csv.Sniffer finds among commas, semicolons and tabs, unless
    the header line reads better with another (it must name the date and the value)."""
    # From the first line that is not blank: a sheet may start with many empty rows.
    sample = text.lstrip()[:SNIFF_CHARACTERS]
    sample_lines = [line for line in sample.splitlines() if line.strip()][:20]
    header = sample_lines[0]
    try:
        sniffed = csv.Sniffer().sniff("\n".join(sample_lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    candidates = ([sniffed] if sniffed else []) + sorted(DELIMITERS, key=lambda d: -header.count(d))
    for delimiter in candidates:
        try:
            cells = {_heading(cell) for cell in next(csv.reader([header], delimiter=delimiter))}
        except csv.Error:
            continue  # a cell too long to read: `_rows` says which line
        if all(name in cells for name in REQUIRED):
            return delimiter
    return candidates[0]


def _rows(text: str, delimiter: str, encoding: str, indicator: Indicator) -> Result:
    # Lines end as they do in the file (newline=""): a line break inside quotes is a value's.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    checker = values.Checker(indicator)
    result = None
    seen: dict[tuple, int] = {}  # (breakdown id, date) -> the line that has it
    line = 0
    try:
        for cells in reader:
            start, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if result is None:
                result, index = _header(cells, delimiter, encoding)
                continue
            if len(result.good) + len(result.bad) >= MAX_ROWS:
                raise Unreadable(
                    _(
                        "This file has more than %(max)s rows of values; split it into "
                        "smaller files."
                    )
                    % {"max": number_format(MAX_ROWS, force_grouping=True)}
                )
            raw = {name: cells[i] if i < len(cells) else "" for name, i in index.items()}
            _add(result, checker, seen, start, raw)
    except csv.Error as error:
        raise Unreadable(
            _("Line %(line)d could not be read as CSV: is this a CSV file?") % {"line": line + 1}
        ) from error
    if result is None:
        raise Unreadable(empty_message())
    if not result.good and not result.bad:
        raise Unreadable(_("The file has a line naming the columns, but no values under it."))
    return result


def _header(cells: list[str], delimiter: str, encoding: str) -> tuple[Result, dict[str, int]]:
    """The result to fill, and the position of each column read."""
    index: dict[str, int] = {}
    ignored = []
    for i, cell in enumerate(cells):
        name = _heading(cell)
        if name in COLUMNS and name not in index:
            index[name] = i
        elif cell.strip():
            ignored.append(cell.strip())
    if any(name not in index for name in REQUIRED):
        named = [f"“{cell.strip()[:SHOWN_CHARACTERS]}”" for cell in cells if cell.strip()]
        # A hostile first line may hold millions of cells: the message names the first few.
        found = ", ".join(named[:SHOWN_HEADINGS]) + (", …" if len(named) > SHOWN_HEADINGS else "")
        raise Unreadable(
            _(
                "The first line must name the columns: date and value (breakdown and note "
                "are optional). This file's first line has %(found)s."
            )
            % {"found": found}
        )
    result = Result(
        encoding=encoding,
        delimiter=delimiter,
        columns=sorted(index, key=index.get),
        ignored=ignored,
    )
    return result, index


DECIMAL_COMMA = re.compile(r"[+-]?[\d ]*\d,\d+")


def _add(result: Result, checker: values.Checker, seen: dict, line: int, raw: dict) -> None:
    cells = {name: text.strip() for name, text in raw.items()}
    given = dict(raw)
    if result.decimal_comma and DECIMAL_COMMA.fullmatch(cells["value"]):
        given["value"] = cells["value"].replace(",", ".")
    checked = checker.check(given)
    if checked.ok:
        row = checked.row
        seen[(row.breakdown.pk if row.breakdown else None, row.date)] = line
        result.good.append(Good(line, row, checked.warnings))
        return
    errors = dict(checked.errors)
    earlier = _earlier_line(checker, seen, cells) if "date" in errors else None
    if earlier:
        also = _("The same date is on line %(line)d of this file.") % {"line": earlier}
        errors["date"] = f"{errors['date']} {also}"
    result.bad.append(Bad(line, cells, errors))


def _earlier_line(checker: values.Checker, seen: dict, cells: dict) -> int | None:
    """For a row refused for its date: the line of this file that has the same date."""
    try:
        date = datetime.date.fromisoformat(cells["date"])
    except ValueError:
        return None
    name = cells.get("breakdown", "")
    breakdown = checker.breakdowns.get(name.casefold()) if name else None
    return seen.get((breakdown.pk if breakdown else None, date))
