"""The component registry: for each tool a component of `framework.toml` may have, how its
register is built, drawn, followed and named, so that adding a component's tool touches
this one table (and its builder, template and page).

Builders and URLs are named, not imported: they live in the apps above reviews
(registers, ratings, indicators), which import this module, not the other way round (the
layers of ARCHITECTURE.md). A component's key stays in `framework.toml`; code that acts for one tool
asks `framework.key_of(tool)` rather than copying the key.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy

# How a register depends on the review, and so how its page is asked for a newer version.
ALLIANCE = ""  # the alliance's alone: the page's address names only the alliance
QUERY = "query"  # per review, named by `?review=` after the page's address
PATH = "path"  # per review, named in the address itself


@dataclass(frozen=True)
class Tool:
    """One component's tool: `name` is framework.toml's `tool`; `builder` the dotted path of
    the function that returns its register dict; `template` the partial that draws it;
    `poll` the URL name a page polls for a newer version; `title` what the report calls it."""

    name: str
    builder: str
    template: str
    poll: str
    review: str
    title: Promise

    def build(self, alliance, review) -> dict:
        """The register as it stands now, for `review` when it depends on one."""
        build = import_string(self.builder)
        return build(alliance, review) if self.review else build(alliance)

    def poll_url(self, alliance, review) -> str:
        """Where a component's page asks for a newer version of this register."""
        if self.review == PATH:
            return reverse(self.poll, args=[alliance.slug, review.pk])
        url = reverse(self.poll, args=[alliance.slug])
        return f"{url}?review={review.pk}" if self.review == QUERY else url


def _registers_tool(name: str, review: str, title: Promise) -> Tool:
    """A tool whose register, partial and page are the registers app's, all named `name`."""
    return Tool(
        name=name,
        builder=f"registers.figures.{name}",
        template=f"registers/_{name}.html",
        poll=f"registers:{name}",
        review=review,
        title=title,
    )


TOOLS = {
    tool.name: tool
    for tool in (
        _registers_tool("goals", ALLIANCE, gettext_lazy("Goals and alignment")),
        _registers_tool("resources", ALLIANCE, gettext_lazy("Resources")),
        _registers_tool("dependencies", QUERY, gettext_lazy("Dependencies")),
        Tool(
            name="trust",
            builder="ratings.trust.register",
            template="registers/_trust.html",
            poll="registers:trust",
            review=QUERY,
            title=gettext_lazy("Confidence and follow-through"),
        ),
        _registers_tool("control", ALLIANCE, gettext_lazy("Agreements and pledges")),
        Tool(
            name="indicators",
            builder="indicators.figures.register",
            template="registers/_indicators.html",
            poll="indicators:register",
            review=PATH,
            title=gettext_lazy("Indicators of progress"),
        ),
    )
}


def tool(name: str) -> Tool | None:
    """The registry's entry for the tool `name` (None for a name it does not know)."""
    return TOOLS.get(name)
