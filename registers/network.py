"""What the dependency network says beyond its picture: how dense it is, how much it hangs
on one partner, how many of its ties both partners confirm, each partner's ties in and out,
and what would break if a partner left. The formulas are in docs/network.md.

A *tie* is an ordered pair of partners: A depends on B (several dependencies between the
same two partners, the same way round, are one tie). Everything here is computed from the
register's plain rows (`registers.figures.dependencies`), so a review's snapshot can be
measured again later, and the figures are the same on the page, in a meeting and in the
comparison of two reviews. Partners are listed in name order, never ranked by a figure.
"""

from collections import defaultdict


def ties(rows: list[dict]) -> dict[tuple[int, int], dict]:
    """Each tie (dependent id, provider id) with whether each side confirmed it: a side
    confirms a tie when it confirmed any of the dependencies that make it."""
    found: dict[tuple[int, int], dict] = {}
    for row in rows:
        pair = (row["dependent_id"], row["provider_id"])
        tie = found.setdefault(pair, {"dependent": False, "provider": False})
        tie["dependent"] |= bool(row.get("dependent_confirmed"))
        tie["provider"] |= bool(row.get("provider_confirmed"))
    return found


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def centralization(degrees: list[int]) -> int | None:
    """Freeman's degree centralization, in percent: 100 for a star (every tie runs through
    one partner), 0 when every partner has as many neighbours as the others. None below three
    partners, where it means nothing."""
    n = len(degrees)
    if n < 3:
        return None
    most = max(degrees)
    return round(100 * sum(most - d for d in degrees) / ((n - 1) * (n - 2)))


def measures(partners: list[dict], rows: list[dict], goals: list[dict]) -> dict:
    """`partners`: [{"id", "name"}] in name order; `rows`: the register's dependencies;
    `goals`: the goals being worked on, each with `essential_ids`."""
    names = {p["id"]: p["name"] for p in partners}
    found = {pair: t for pair, t in ties(rows).items() if pair[0] in names and pair[1] in names}
    n = len(partners)
    possible = n * (n - 1)
    neighbours: dict[int, set] = defaultdict(set)
    out: dict[int, set] = defaultdict(set)
    into: dict[int, set] = defaultdict(set)
    answered = set()
    for (a, b), tie in found.items():
        neighbours[a].add(b)
        neighbours[b].add(a)
        out[a].add(b)
        into[b].add(a)
        if tie["dependent"]:
            answered.add(a)
        if tie["provider"]:
            answered.add(b)
    both = sum(1 for t in found.values() if t["dependent"] and t["provider"])
    return {
        "partners": n,
        "answered": len(answered),
        "ties": len(found),
        "possible": possible,
        "density": _percent(len(found), possible),
        "centralization": centralization([len(neighbours[p["id"]]) for p in partners])
        if found
        else None,
        "confirmed": both,
        "reciprocity": _percent(both, len(found)),
        "each": [
            {
                "id": p["id"],
                "name": p["name"],
                "out": len(out[p["id"]]),
                "in": len(into[p["id"]]),
                "leaving": _leaving(p["id"], found, neighbours, goals, names),
            }
            for p in partners
        ],
    }


def _leaving(partner_id: int, found: dict, neighbours: dict, goals: list[dict], names) -> dict:
    """What would break if `partner_id` left: the goals that would lose an essential
    partner, the ties that would end, and the partners who would be left with no tie."""
    broken = sorted(f"{names[a]} → {names[b]}" for a, b in found if partner_id in (a, b))
    alone = sorted(
        names[other] for other in neighbours[partner_id] if neighbours[other] == {partner_id}
    )
    return {
        "goals": [g["statement"] for g in goals if partner_id in g.get("essential_ids", ())],
        "ties": broken,
        "alone": alone,
    }


def changes(before: dict | None, after: dict | None) -> dict | None:
    """How the network changed between two registers of dependencies (two reviews'
    snapshots): the ties added and lost, by name, and the figures then and now."""
    if before is None or after is None:
        return None

    def named(register):
        names = {p["id"]: p["name"] for p in register.get("partners", [])}
        pairs = ties(register.get("dependencies", []))
        return {(names.get(a, "?"), names.get(b, "?")) for a, b in pairs}, figures_of(register)

    then_ties, then = named(before)
    now_ties, now = named(after)
    return {
        "added": [f"{a} → {b}" for a, b in sorted(now_ties - then_ties)],
        "lost": [f"{a} → {b}" for a, b in sorted(then_ties - now_ties)],
        "then": then,
        "now": now,
    }


def figures_of(register: dict) -> dict:
    """The measures a register carries, or those of its rows when it was kept before the
    measures existed (a snapshot from an older version of Accord)."""
    if register.get("measures"):
        return register["measures"]
    # A snapshot imported from a document may lack a part: it counts as empty.
    return measures(
        register.get("partners", []), register.get("dependencies", []), register.get("goals", [])
    )
