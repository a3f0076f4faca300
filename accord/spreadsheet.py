"""CSV files that people open in a spreadsheet.

A cell of user text that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is read
as a formula by Excel, LibreOffice and Google Sheets ("CSV injection": a goal named
`=HYPERLINK(...)` would become a live link, or worse). Such a cell is written with a
leading apostrophe, which spreadsheets show as text; numbers, even negative ones, are left
as they are. Every CSV Accord writes goes through `writer`.
"""

import csv
import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def cell(value):
    """`value`, made safe to open in a spreadsheet."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


class writer:  # noqa: N801 (used as csv.writer is)
    """`csv.writer`, with every cell made safe by `cell`."""

    def __init__(self, file, **options):
        self._writer = csv.writer(file, **options)

    def writerow(self, row):
        return self._writer.writerow([cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)
