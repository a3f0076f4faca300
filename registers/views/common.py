"""What the three register pages share: their context, and serving the page or, to a poll,
the register alone (or 204 when it has not changed)."""

from django.shortcuts import render

from registers import live


def page_context(membership, register: dict, **extra) -> dict:
    return {
        "membership": membership,
        "alliance": membership.alliance,
        "register": register,
        "stamp": live.stamp(register),
        "editable": membership.can_write,
        **extra,
    }


def serve(request, name: str, context: dict):
    """The page `registers/<name>.html`; to htmx, the partial `registers/_<name>.html`."""
    if request.htmx:
        return live.unchanged(request, context["register"]) or render(
            request, f"registers/_{name}.html", context
        )
    return render(request, f"registers/{name}.html", context)
