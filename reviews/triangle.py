"""The interlinked triangle: where each component sits and how it is drawn."""

from dataclasses import dataclass

from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# viewBox 0 0 720 620: three corners, and the three links half-way along the sides.
COORDINATES = {
    "apex": (360, 90),
    "base-left": (110, 480),
    "base-right": (610, 480),
    "left-side": (235, 285),
    "base": (360, 480),
    "right-side": (485, 285),
}
CORNERS = ("apex", "base-left", "base-right")
LINKS = ("left-side", "base", "right-side")


@dataclass(frozen=True)
class Node:
    record: object
    x: int
    y: int
    radius: int
    label_lines: tuple[str, ...]
    result: object = None  # ratings.results.RoundResult of the component's latest round
    change: float | None = None

    @property
    def label_y(self) -> int:
        return self.y + self.radius + 24

    @property
    def state_y(self) -> int:
        return self.label_y + 22 * len(self.label_lines)

    @property
    def result_y(self) -> int:
        return self.state_y + 20

    @property
    def result_words(self) -> str:
        """The component's ratings in words: the median where it may be shown, and always
        the number of people behind it."""
        return summary_words(self.result, self.change)


def summary_words(result, change=None) -> str:
    if result is None or result.count == 0:
        return ""
    answers = ngettext("%(n)d answer", "%(n)d answers", result.count) % {"n": result.count}
    if result.median is None:
        return answers
    words = _("median %(median)s, %(answers)s") % {
        "median": floatformat(result.median, -1),
        "answers": answers,
    }
    if change:
        words += " " + (
            _("(%(change)s since the last review)")
            % {"change": f"{'+' if change > 0 else '−'}{floatformat(abs(change), -1)}"}
        )
    return words


def _wrap(name: str, width: int = 18) -> tuple[str, ...]:
    lines: list[str] = []
    for word in name.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return tuple(lines)


def nodes(records, results=None, changes=None) -> list[Node]:
    results, changes = results or {}, changes or {}
    drawn = []
    for record in records:
        component = record.component
        x, y = COORDINATES[component.position]
        radius = 46 if component.position in CORNERS else 38
        drawn.append(
            Node(
                record,
                x,
                y,
                radius,
                _wrap(component.name),
                results.get(record.component_key),
                changes.get(record.component_key),
            )
        )
    return drawn


def outline() -> dict:
    """The outer triangle through the corners and the inner one through the links."""
    corner_points = " ".join(f"{x},{y}" for x, y in (COORDINATES[p] for p in CORNERS))
    link_points = " ".join(f"{x},{y}" for x, y in (COORDINATES[p] for p in LINKS))
    return {"corners": corner_points, "links": link_points}
