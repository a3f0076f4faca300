"""The interlinked triangle: where each component sits and how it is drawn."""

from dataclasses import dataclass

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

    @property
    def label_y(self) -> int:
        return self.y + self.radius + 24

    @property
    def state_y(self) -> int:
        return self.label_y + 22 * len(self.label_lines)


def _wrap(name: str, width: int = 18) -> tuple[str, ...]:
    lines: list[str] = []
    for word in name.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return tuple(lines)


def nodes(records) -> list[Node]:
    result = []
    for record in records:
        component = record.component
        x, y = COORDINATES[component.position]
        radius = 46 if component.position in CORNERS else 38
        result.append(Node(record, x, y, radius, _wrap(component.name)))
    return result


def outline() -> dict:
    """The outer triangle through the corners and the inner one through the links."""
    corner_points = " ".join(f"{x},{y}" for x, y in (COORDINATES[p] for p in CORNERS))
    link_points = " ".join(f"{x},{y}" for x, y in (COORDINATES[p] for p in LINKS))
    return {"corners": corner_points, "links": link_points}
