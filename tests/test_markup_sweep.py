"""No text a person stored ever acts as markup: the sweep.

Every free-text field of every model of the project (found by introspection, so that a new
model's text field is swept without anyone remembering to add it) is filled with hostile
payloads in a filled alliance, through the database as an import or a bug would leave them.
Then every page of the URLconf (the access matrix of tests/access_matrix.py, which must list
every view), its htmx partial, every phase of a live meeting (its page, its socket state,
each person's part, the projector), every CSV, JSON export, the report's PDF and every email
is rendered, and each must come out inert:

- HTML, parsed as a browser would (html.parser), has no script but our own static files, no
  `on*` handler, no `<meta http-equiv>`, no `<iframe>`/`<object>`/`<embed>`/`<base>`, no
  `javascript:` (or `data:`, `vbscript:`) address, no htmx attribute that our templates did
  not write, and in a page that uses htmx every piece of people's text sits in an
  `hx-disable` container. An escaped `&lt;script&gt;` is text, and fine.
- JSON is served as JSON with `nosniff` (a browser never renders it as a page), and any HTML
  it carries (a meeting's state) is checked as HTML.
- CSV cells never start a formula; the PDF carries no link but to the web; an email has
  one-line headers (no injected `Bcc:`), and no HTML part that is not inert.
"""

import csv
import datetime
import email
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.db import models
from django.urls import Resolver404, resolve, reverse

from accord.spreadsheet import FORMULA_START, NUMBER
from alliances.models import Membership, Role
from history.models import Revision
from history.services import create_with_history
from indicators.models import Indicator
from meetings import services as meetings
from meetings.models import Meeting
from publishing import services as publishing
from publishing.models import Item, Publication
from publishing.services import Choice
from ratings.models import Round
from ratings.services import ComponentAnswer, submit
from registers import figures
from reviews.models import ComponentRecord, Question
from tests import pages
from tests.access_matrix import GET, MAY, VIEWS
from tests.factories import make_invitation, make_publication, make_share_link
from tests.filled_alliance import fill

pytestmark = pytest.mark.usefixtures("fast_passwords")

SCRIPT = "<script>alert(1)</script>"
ON_ERROR = "<img src=x onerror=alert(1)>"
HTMX = '<i hx-post="/x" hx-trigger="load">x</i>'
META = '<meta http-equiv="refresh" content="0;url=https://evil.example">'
SVG = "<svg onload=alert(1)>"
MARKDOWN_LINK = "[x](javascript:alert(1))"
RAW_LINK = '<a href="javascript:alert(1)">x</a>'
FORMULA = '=HYPERLINK("https://evil.example","x")'
HEADER = "Bcc: evil@evil.example"
# Markup first: a short field (a unit, a breakdown's label) holds one of these at least.
MARKUP = [SCRIPT, ON_ERROR, HTMX, META, SVG, RAW_LINK]
PAYLOADS = [*MARKUP, MARKDOWN_LINK, HEADER, FORMULA]
# Stored links (a partner's website, a meeting's video link) become an href.
HOSTILE_URL = "javascript:alert(1)//"
# Text that only a payload carries: where it is shown, people's text is shown.
MARKERS = ("alert(1)", "evil.example")

# Text fields that hold no free text: codes, keys and secrets. Slugs, emails and fields with
# choices are left out by their type. Keep this short: every other field is swept.
NOT_FREE_TEXT = {
    "accounts.User.password",
    "alliances.Invitation.token_hash",
    "meetings.Meeting.projector_token_hash",
    "meetings.Meeting.ended_reason",  # a code set by the service ("ended", "idle")
    "meetings.LogEntry.action",  # a code set by the service
    "meetings.Connection.channel_name",
    "indicators.ApiToken.prefix",
    "indicators.ApiToken.digest",
    "webhooks.Webhook.secret",
    "webhooks.Delivery.event",  # a code set by the service
    "webhooks.Delivery.event_key",  # a code set by the service
    # The body sent to another system, never shown on a page (made of swept rows).
    "webhooks.Delivery.payload",
    "publishing.ShareLink.token_hash",
}
NOT_FREE_TEXT_NAMES = {"component_key"}  # the framework's keys, checked at start-up
# JSON fields: how people's text gets into each (a new one must be added here).
JSON_FIELDS = {
    "history.Revision.changes": "the old and new values of each change, swept below",
    "reviews.ComponentRecord.snapshot": "the register at recording, made again below",
    "meetings.Meeting.agenda": "component keys, no free text",
    "meetings.Meeting.projector_languages": "language codes, each read through chosen()",
    "webhooks.Webhook.events": "event names, chosen from a fixed list (webhooks.events)",
    "publishing.Item.snapshot": "what a publication shows, made again below from swept rows",
    "publishing.Item.options": "the kind's options: booleans and report section keys",
    "publishing.Publication.undecidable": "partners' names, made hostile below",
}


def _project_models():
    base = Path(settings.BASE_DIR)
    for config in apps.get_app_configs():
        if base in Path(config.path).parents:
            yield from config.get_models()


def _label(model, model_field) -> str:
    return f"{model._meta.label}.{model_field.name}"


def free_text_fields() -> list[tuple[type[models.Model], models.Field]]:
    found = []
    for model in _project_models():
        for model_field in model._meta.concrete_fields:
            if not isinstance(model_field, models.CharField | models.TextField):
                continue
            if isinstance(model_field, models.SlugField | models.EmailField):
                continue
            if model_field.choices or model_field.name in NOT_FREE_TEXT_NAMES:
                continue
            if _label(model, model_field) in NOT_FREE_TEXT:
                continue
            found.append((model, model_field))
    return found


def hostile_text(limit: int | None, start: int, tag: str) -> str:
    """As many payloads as fit in `limit`, one a line (a line break is itself hostile in a
    header): markup from the `start`th on, then the rest; a formula first when it fits too
    (a CSV cell starts with it). It ends with `tag`, so that unique values stay unique."""
    room = (limit or 10_000) - len(tag)
    start %= len(MARKUP)
    chosen: list[str] = []
    for payload in [*MARKUP[start:], *MARKUP[:start], MARKDOWN_LINK, HEADER]:
        if len("\r\n".join([*chosen, payload])) <= room:
            chosen.append(payload)
    if len("\r\n".join([FORMULA, *chosen])) <= room:
        chosen.insert(0, FORMULA)
    return "\r\n".join(chosen) + tag


def _sweep_rows() -> int:
    swept = 0
    for n, (model, model_field) in enumerate(free_text_fields()):
        for pk in model._default_manager.values_list("pk", flat=True):
            if isinstance(model_field, models.URLField):
                value = HOSTILE_URL + f"#{pk}"
            else:
                value = hostile_text(model_field.max_length, n, f" #{pk}")
            model._default_manager.filter(pk=pk).update(**{model_field.attname: value})
            swept += 1
    return swept


def _sweep_json() -> None:
    for revision in Revision.objects.all():
        changes = {
            name: change | {"old": hostile_text(None, 0, ""), "new": hostile_text(None, 3, "")}
            for name, change in revision.changes.items()
        }
        Revision.objects.filter(pk=revision.pk).update(changes=changes)
    for record in ComponentRecord.objects.exclude(snapshot=None).select_related("review"):
        ComponentRecord.objects.filter(pk=record.pk).update(snapshot=figures.snapshot(record))
    for item in Item.objects.select_related("publication__alliance"):
        choice = Choice(item.kind, item.object_id, item.options)
        (made,) = publishing.build_items(alliance=item.publication.alliance, choices=[choice])
        Item.objects.filter(pk=item.pk).update(snapshot=made.snapshot)
    Publication.objects.update(undecidable=[hostile_text(120, 2, "")])


# Reading outputs


DANGEROUS_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet", "style"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}
HX_REQUESTS = {"hx-get", "hx-post", "hx-put", "hx-patch", "hx-delete"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
VOID |= {"track", "wbr", "param"}
RAW_TEXT = {"script", "style", "textarea", "title"}


def _scheme(url: str) -> str:
    cleaned = re.sub(r"[\x00-\x20\x7f]", "", url).lower()
    return cleaned.split(":", 1)[0] if ":" in cleaned.split("/", 1)[0] else ""


class Inert(HTMLParser):
    """What of an HTML document could act: each problem names the tag or attribute."""

    def __init__(self, html: str, *, uses_htmx: bool):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.uses_htmx = uses_htmx
        self._open: list[tuple[str, bool]] = []  # (tag, hx-disable here)
        self.feed(html)
        self.close()

    def _disabled(self) -> bool:
        return any(disabled for _, disabled in self._open)

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)
        if tag not in VOID:
            names = {name for name, _ in attrs}
            self._open.append((tag, bool(names & {"hx-disable", "data-hx-disable"})))

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_endtag(self, tag):
        for depth in range(len(self._open) - 1, -1, -1):
            if self._open[depth][0] == tag:
                del self._open[depth:]
                return

    def handle_data(self, data):
        inside = self._open[-1][0] if self._open else ""
        if not self.uses_htmx or inside in RAW_TEXT or self._disabled():
            return
        if any(marker in data for marker in MARKERS):
            self.problems.append(f"people's text outside hx-disable, in <{inside}>: {data[:60]!r}")

    def _check(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not (attributes.get("src") or "").startswith(settings.STATIC_URL):
            self.problems.append(f"<script {attributes}>")
        if tag in DANGEROUS_TAGS:
            self.problems.append(f"<{tag}>")
        if tag == "meta" and "http-equiv" in attributes:
            self.problems.append(f"<meta http-equiv={attributes['http-equiv']!r}>")
        for name, value in attrs:
            self._check_attribute(tag, name, value or "")

    def _check_attribute(self, tag, name, value):
        if name.startswith("on"):
            self.problems.append(f"<{tag} {name}=...>")
        if name in URL_ATTRIBUTES and _scheme(value) in {"javascript", "vbscript", "data"}:
            self.problems.append(f"<{tag} {name}={value!r}>")
        htmx = name.removeprefix("data-")
        if not htmx.startswith("hx-") or htmx == "hx-disable":
            return
        if self._disabled():
            self.problems.append(f"<{tag} {name}> inside people's text")
        if htmx.startswith("hx-on") or htmx in {"hx-vals", "hx-vars", "hx-headers"}:
            self.problems.append(f"<{tag} {name}=...>")
        if htmx in HX_REQUESTS:
            try:
                resolve(value.split("?", 1)[0])
            except Resolver404:
                self.problems.append(f"<{tag} {name}={value!r}>: not one of our addresses")


class _Htmx(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = False

    def handle_starttag(self, tag, attrs):
        names = {name.removeprefix("data-") for name, _ in attrs} - {"hx-disable"}
        self.found |= any(name.startswith("hx-") for name in names)


def _carries_htmx(html: str) -> bool:
    """Whether a real element of `html` has an htmx attribute (escaped text does not count)."""
    parser = _Htmx()
    parser.feed(html)
    return parser.found


def html_problems(html: str, *, in_stage: bool = False) -> list[str]:
    """A page uses htmx unless its <main> turns it off; a part of a page is given to htmx
    when it carries htmx attributes (a meeting's stage, swapped in by meeting.js into
    `#stage hx-disable`, never is)."""
    if "<html" in html:
        main = re.search(r"<main\b[^>]*>", html)
        uses_htmx = "htmx.min.js" in html and not (main and "hx-disable" in main.group(0))
    else:
        uses_htmx = not in_stage and _carries_htmx(html)
    return Inert(html, uses_htmx=uses_htmx).problems


def csv_problems(text: str) -> list[str]:
    return [
        f"cell {cell[:40]!r} starts a formula"
        for row in csv.reader(io.StringIO(text.lstrip("\ufeff")))
        for cell in row
        if cell.startswith(FORMULA_START) and not NUMBER.fullmatch(cell)
    ]


def _json_html(value) -> list[str]:
    if isinstance(value, dict):
        return [p for key, inner in value.items() for p in _json_html_item(key, inner)]
    if isinstance(value, list):
        return [p for inner in value for p in _json_html(inner)]
    return []


def _json_html_item(key, value) -> list[str]:
    if key == "html" and isinstance(value, str):
        return html_problems(value, in_stage=True)
    return _json_html(value)


def pdf_problems(content: bytes) -> list[str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    problems = []
    text = ""
    for page in reader.pages:
        text += page.extract_text()
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            uri = str(action.get("/URI", ""))
            if action.get("/S") == "/JavaScript" or (uri and _scheme(uri) not in {"http", "https"}):
                problems.append(f"PDF link {uri or action!r}")
    if "alert(1)" not in text:
        problems.append("the PDF does not show people's text as text")
    return problems


@dataclass
class Sweep:
    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def html(self, name: str, html: str) -> None:
        self.checked.append(name)
        self.problems += [f"{name}: {p}" for p in html_problems(html)]

    def response(self, name: str, response) -> None:
        content = b"".join(response.streaming_content) if response.streaming else response.content
        kind = response.get("Content-Type", "").split(";")[0]
        if kind == "text/html":
            self.html(name, content.decode())
        elif kind == "application/json":
            self.checked.append(name)
            if response.get("X-Content-Type-Options") != "nosniff":
                self.problems.append(f"{name}: JSON without nosniff")
            self.problems += [f"{name}: {p}" for p in _json_html(json.loads(content))]
        elif kind == "text/csv":
            self.checked.append(name)
            self.problems += [f"{name}: {p}" for p in csv_problems(content.decode())]
        elif kind == "application/zip":
            self._zip(name, content)
        elif kind == "application/pdf":
            self.checked.append(name)
            self.problems += [f"{name}: {p}" for p in pdf_problems(content)]
        elif kind not in {"text/calendar", "image/svg+xml"} and response.status_code == 200:
            # An .ics is point 11's (a field's line breaks); anything else must be looked at.
            self.problems.append(f"{name}: an output of type {kind!r} that nothing checks")

    def _zip(self, name: str, content: bytes) -> None:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for member in archive.namelist():
                if member.endswith(".csv"):
                    text = archive.read(member).decode()
                    self.checked.append(f"{name} {member}")
                    self.problems += [f"{name} {member}: {p}" for p in csv_problems(text)]

    def email(self, message) -> None:
        name = f"email {message.subject[:30]!r} to {message.to}"
        self.checked.append(name)
        try:
            parsed = email.message_from_bytes(message.message().as_bytes())
        except Exception as error:  # noqa: BLE001 (any failure to build it is the finding)
            self.problems.append(f"{name}: cannot be sent ({error!r})")
            return
        if "\n" in message.subject or "\r" in message.subject:
            self.problems.append(f"{name}: a subject of several lines")
        for header in ("Bcc", "Cc"):
            if parsed.get(header):
                self.problems.append(f"{name}: an injected {header} header")
        for part in parsed.walk():
            if part.get_content_type() == "text/html":
                self.html(f"{name} (HTML part)", part.get_payload(decode=True).decode())


# The alliance


@pytest.fixture
def hostile(people, alliance, food_bank, kitchen, review, ctx):
    """The access matrix's alliance (`ctx`), filled with a row in every table, every row's
    free text hostile."""
    filled = fill(alliance, review, people, kitchen, food_bank)
    ctx.filled = filled
    # The indicator pages show the filled one, with a breakdown (its label reaches a help text).
    ctx.indicator = Indicator.objects.filter(alliance=alliance, breakdowns__isnull=False).first()
    ctx.value = ctx.indicator.values.first()
    ctx.publication, ctx.share_token = _publish_everything(ctx)
    # Views whose rows are made the first time their address is asked for: make them now.
    for view in VIEWS:
        try:
            view.path(ctx)
        except Exception:  # noqa: BLE001, S112 (an address known only after a POST)
            continue
    ctx.projector_token = _projector_token(ctx.live)
    ctx.invitation_token = make_invitation(
        alliance, "nadia.two@example.org", Role.MEMBER, invited_by=people["carol"]
    )[1]
    assert _sweep_rows() > 100
    _sweep_json()
    return ctx


def _publish_everything(ctx):
    """A publication of every kind of item, approved by the food bank and objected to in
    part by the kitchen (with a reason), a shared link and the public page on."""
    alliance, people = ctx.alliance, ctx.people
    choices = [
        Choice("purpose"),
        Choice("indicator", ctx.indicator.pk, {"breakdowns": True, "stories": True}),
        Choice("accomplishments"),
        Choice(
            "report", ctx.review.pk, {"sections": ["ratings", "records", "commitments", "meetings"]}
        ),
    ]
    publication = make_publication(alliance, people["carol"], choices, audience="public")
    for person, objections in (
        ("carol", {}),
        ("mia", {publication.items.get(kind="accomplishments").pk: "Not yet"}),
    ):
        membership = Membership.objects.get(alliance=alliance, user=people[person])
        publishing.decide(publication=publication, membership=membership, objections=objections)
    _link, token = make_share_link(alliance, people["carol"])
    publishing.set_public_page(alliance=alliance, author=people["carol"], on=True, indexable=False)
    return publication, token


def _projector_token(meeting) -> str:
    token = meeting.issue_projector_token()
    Meeting.objects.filter(pk=meeting.pk).update(projector_token_hash=meeting.projector_token_hash)
    return token


def test_every_free_text_field_is_swept_or_named_as_not_free_text():
    fields = {_label(model, f) for model, f in free_text_fields()}
    # Fields the sweep must cover (a sample a careless exclusion would lose).
    assert {
        "indicators.Indicator.breakdown_label",
        "ratings.Reflection.text",
        "reviews.ComponentRecord.notes",
        "accounts.User.name",
        "alliances.Partner.website",
    } <= fields
    json_fields = {
        _label(model, f)
        for model in _project_models()
        for f in model._meta.concrete_fields
        if isinstance(f, models.JSONField)
    }
    # A new JSON field: say how people's text reaches it (and sweep it) in JSON_FIELDS.
    assert json_fields == set(JSON_FIELDS)


def test_hostile_text_fits_and_carries_every_payload():
    assert (
        hostile_text(None, 0, " #1")
        == "\r\n".join([FORMULA, *MARKUP, MARKDOWN_LINK, HEADER]) + " #1"
    )
    assert hostile_text(40, 4, " #12") == f"{SVG} #12"
    assert hostile_text(60, 3, " #123") == f"{SVG}\r\n{SCRIPT} #123"
    # Every field gets markup, whatever its place in the sweep.
    assert all(hostile_text(40, n, " #1234")[:1] == "<" for n in range(len(MARKUP)))


PERSONAS = ("carol", "fiona", "mia", "otto")


def _get_views():
    return [view for view in VIEWS if GET in view.methods]


def _persona_for(view):
    allowed = MAY[view.ability]
    return next(name for name in PERSONAS if name in allowed)


# A person's own file, served as it was uploaded (registers/uploads.py checks its type).
UPLOADED_FILES = {"registers:agreement_file"}


def _render_views(client, ctx, sweep, personas, headers=None, suffix=""):
    rendered = set()
    for view in _get_views():
        if view.name in UPLOADED_FILES:
            continue
        try:
            path = view.path(ctx)
        except Exception:  # noqa: BLE001, S112 (an address known only after a POST)
            continue
        for name in personas(view):
            client.force_login(ctx.people[name])
            response = client.get(path, headers=headers or {})
            assert response.status_code < 500, (view.name, name)
            if response.status_code == 200:
                sweep.response(f"{view.name} as {name}{suffix}", response)
                rendered.add(view.name)
    return rendered


# Pages that exist only once a POST made their row (a new token, an uploaded file).
AFTER_A_POST = {"indicators:api_token_created", "indicators:import_preview"}


def test_every_page_shows_hostile_text_inert(client, hostile):
    sweep = Sweep()

    rendered = _render_views(
        client, hostile, sweep, lambda view: [n for n in PERSONAS if n in MAY[view.ability]]
    )

    assert sweep.problems == []
    pages = {view.name for view in _get_views() if view.get_status == 200}
    assert sorted(pages - rendered - AFTER_A_POST - UPLOADED_FILES) == []
    assert len(sweep.checked) > 150


def test_every_htmx_partial_shows_hostile_text_inert(client, hostile):
    sweep = Sweep()

    rendered = _render_views(
        client,
        hostile,
        sweep,
        lambda view: [_persona_for(view)],
        headers={"HX-Request": "true"},
        suffix=" (htmx)",
    )

    assert sweep.problems == []
    # A poll that only htmx asks for (a person is sent to the page).
    assert "indicators:register" in rendered
    assert len(sweep.checked) > 50


def test_public_pages_show_hostile_text_inert(client, hostile):
    sweep = Sweep()
    token = hostile.projector_token
    client.force_login(hostile.people["olga"])
    sweep.response("invitation", client.get(reverse("invitation", args=[hostile.invitation_token])))
    client.logout()
    sweep.response("projector", client.get(reverse("meetings:projector", args=[token])))
    sweep.response("projector state", client.get(reverse("meetings:projector_state", args=[token])))
    api_token = hostile.api_token
    secret = api_token.issue()
    api_token.save()
    bearer = {"Authorization": f"Bearer {secret}"}
    sweep.response(
        "API indicators",
        client.get(reverse("indicators:api_indicators"), headers=bearer),
    )

    slug = hostile.alliance.slug
    sweep.response(
        "shared link", client.get(reverse("publishing:shared", args=[hostile.share_token]))
    )
    sweep.response("public page", client.get(reverse("publishing:public", args=[slug])))
    card = reverse("publishing:embed_card", args=[slug, hostile.indicator.pk])
    sweep.response("embedded card", client.get(card))

    assert sweep.problems == []
    assert len(sweep.checked) == 7


def _reflect_round(meeting) -> Round:
    return Round.objects.get(pk=Meeting.objects.get(pk=meeting.pk).current.round_id)


def _answer_hostile(meeting, members):
    """Every member answers the reflect phase with hostile written answers (enough of them
    for the reveal to show them)."""
    round = _reflect_round(meeting)
    questions = Question.objects.filter(
        component_key=round.component_key, review=None, retired_at=None
    )
    texts = {question: hostile_text(2000, n, "") for n, question in enumerate(questions)}
    for membership in members:
        submit(
            membership=membership,
            rules=round.review.rules,
            answers=[ComponentAnswer(round, 3, texts)],
        )


def _meeting_outputs(client, ctx, sweep, where: str) -> None:
    meeting = Meeting.objects.get(pk=ctx.live.pk)
    slug = ctx.alliance.slug
    for name in ("fiona", "mia", "carol"):
        client.force_login(ctx.people[name])
        for view in ("meetings:detail", "meetings:mine", "meetings:state"):
            response = client.get(reverse(view, args=[slug, meeting.pk]))
            sweep.response(f"{view} at {where} as {name}", response)
    if meeting.current:
        phase = reverse("meetings:phase", args=[slug, meeting.pk, meeting.current.position])
        sweep.response(f"meetings:phase at {where}", client.get(phase))
    client.logout()
    token = ctx.projector_token
    sweep.response(f"projector at {where}", client.get(reverse("meetings:projector", args=[token])))


def test_every_phase_of_a_live_meeting_shows_hostile_text_inert(client, hostile):
    sweep = Sweep()
    fiona = hostile.people["fiona"]
    members = hostile.filled.members
    meeting = Meeting.objects.get(pk=hostile.live.pk)
    seen = []

    while True:
        meeting = Meeting.objects.get(pk=meeting.pk)
        kind = meeting.current.kind
        where = f"{meeting.current.position} {kind}"
        if kind == "reflect":
            _answer_hostile(meeting, members)
        _meeting_outputs(client, hostile, sweep, where)
        seen.append(kind)
        if kind == "closing":
            break
        meetings.advance(meeting=meeting, actor=fiona, confirmed=True)
    meetings.end(meeting=Meeting.objects.get(pk=meeting.pk), actor=fiona)
    client.force_login(fiona)
    summary = reverse("meetings:summary", args=[hostile.alliance.slug, meeting.pk])
    sweep.response("meetings:summary", client.get(summary))

    assert sweep.problems == []
    assert {"opening", "introduce", "reflect", "reveal", "discuss", "record", "closing"} <= set(
        seen
    )


def test_every_email_shows_hostile_text_inert(client, hostile, django_capture_on_commit_callbacks):
    from alliances import services as alliances
    from meetings import calendar
    from ratings.services import open_check_in
    from reviews.digest import send_digests

    mail.outbox.clear()
    carol = hostile.people["carol"]
    with django_capture_on_commit_callbacks(execute=True):
        alliances.invite(
            alliance=hostile.alliance,
            email="noor@example.org",
            role=Role.MEMBER,
            partner=None,
            invited_by=carol,
        )
        open_check_in(
            review=hostile.review,
            component_keys=["control"],
            closes_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC),
            message=hostile_text(None, 0, ""),
            author=carol,
        )
        calendar.email_invitations(Meeting.objects.get(pk=hostile.meeting.pk))
        send_digests(hostile.commitment.due_on - datetime.timedelta(days=2))
        client.post(reverse("accounts:password_reset"), {"email": carol.email})
    sweep = Sweep()

    for message in mail.outbox:
        sweep.email(message)

    assert sweep.problems == []
    subjects = " ".join(message.subject for message in mail.outbox)
    assert "invited" in subjects and "check-in" in subjects and "Meeting" in subjects
    assert "commitments" in subjects and "password" in subjects


# The attack of the issue, through the web


def _elements(html: str) -> list[tuple[str, dict]]:
    class Elements(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found = []

        def handle_starttag(self, tag, attrs):
            self.found.append((tag, dict(attrs)))

    parser = Elements()
    parser.feed(html)
    return parser.found


def test_breakdown_label_a_member_typed_is_text_in_the_value_form(client, people, alliance):
    """Mia names the breakdowns `<i hx-post=... hx-trigger=load>`; when Fiona opens the form
    to add a value, its help text shows that as text: no element would post on load."""
    indicator = Indicator(alliance=alliance, name="Children fed")
    create_with_history(indicator, alliance=alliance, author=people["carol"])
    client.force_login(people["mia"])
    edit = reverse("indicators:edit", args=[alliance.slug, indicator.pk])
    # An address of ours, and as much as the field holds (60 characters).
    label = f'<i hx-post="/a/{alliance.slug}/" hx-trigger=load>x</i>'
    response = client.post(
        edit,
        {
            "name": "Children fed",
            "direction": "up",
            "frequency": "monthly",
            "breakdown_label": label,
            "breakdowns": "North",
            "base_version": "1",
        },
    )
    assert response.status_code == 302
    assert Indicator.objects.get(pk=indicator.pk).breakdown_label == label

    client.force_login(people["fiona"])
    page = client.get(reverse("indicators:value_add", args=[alliance.slug, indicator.pk]))

    html = page.content.decode()
    assert [tag for tag, attrs in _elements(html) if "hx-post" in attrs or tag == "i"] == []
    assert "The whole, or one &lt;i hx-post=" in html


def test_a_name_typed_with_a_line_break_is_one_line_in_the_email_subject(
    client, people, alliance, django_capture_on_commit_callbacks
):
    """Carol renames the alliance with a line break and a `Bcc:` (a crafted form); inviting
    someone then sends an email with a one-line subject, and no 500."""
    client.force_login(people["carol"])
    renamed = client.post(
        reverse("alliances:edit", args=[alliance.slug]),
        {
            "name": "Harvest\r\nBcc: evil@evil.example",
            "community": "Families in Harvest County",
            "purpose": "End hunger in Harvest County.",
            "base_version": "1",
        },
    )
    assert renamed.status_code == 302, pages.form_fields(renamed)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("alliances:invite", args=[alliance.slug]),
            {"email": "noor@example.org", "role": Role.OBSERVER},
        )

    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.subject == "You are invited to Harvest Bcc: evil@evil.example on Accord"
    assert "Bcc" not in email.message_from_bytes(message.message().as_bytes())


def test_a_single_checkbox_comes_before_its_label_with_its_help_and_error():
    from django import forms
    from django.template.loader import render_to_string

    class Settings(forms.Form):
        on = forms.BooleanField(label="The page is on", help_text="Off: it shows nothing.")
        name = forms.CharField(label="Name")

        def clean_on(self):
            raise forms.ValidationError("Say yes or no.")

    form = Settings(data={"on": "on", "name": "x"})
    form.is_valid()

    html = render_to_string("includes/form_fields.html", {"form": form})

    checkbox = html.index('<input type="checkbox" name="on"')
    label = html.index('<label for="id_on">The page is on</label>')
    assert html.index("Say yes or no.") < checkbox < label < html.index("Off: it shows nothing.")
    assert 'aria-describedby="id_on_helptext id_on_error"' in html
    assert 'class="field field--check field--error"' in html
    assert '<label for="id_name">Name:</label>' in html  # other fields keep theirs above
