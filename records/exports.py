"""A review as open data: one JSON document, or a zip of CSV files (one per list).

The document is the review's part of the alliance's document (`records.transfer`), in the
same shape: the same lists, the same fields, refs between rows; people are named, never
given with their email. Any member may take it, observers too: it holds what the review's
pages show, and private answers only as `ratings.results` shows them (the rounds' answers
are written by `records.transfer.round_answers`).
"""

import io
import json
import zipfile

from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone

from accord import spreadsheet
from indicators.models import Indicator, Story
from meetings.models import Meeting
from ratings.models import CheckIn, Round
from records.transfer import PEOPLE, Writer, round_answers, table
from registers.models import Goal, ImpactAnswer
from reviews.models import Commitment, ComponentRecord, Question

FORMAT = "accord-review"
VERSION = 1
# What a meeting's row says here: not its link, its live state or its projector.
MEETING_FIELDS = (
    "review",
    "starts_at",
    "duration_minutes",
    "place",
    "agenda",
    "status",
    "facilitator",
    "co_facilitator",
    "recorder",
    "started_at",
    "ended_at",
    "ended_reason",
)


def review_document(review, alliance) -> dict:
    """The review as one JSON-ready document (`alliance` is the review's, already loaded)."""
    writer = Writer()
    own = list(Question.objects.filter(review=review).order_by("pk"))
    rounds, answered = _rounds(writer, review, own)
    questions = [*own, *answered]
    lists = {
        "questions": [writer.row(table("questions"), q) for q in questions],
        "records": _rows(writer, "records", ComponentRecord.objects.filter(review=review)),
        "check_ins": _rows(writer, "check_ins", CheckIn.objects.filter(review=review)),
        "rounds": rounds,
        "commitments": _rows(writer, "commitments", Commitment.objects.filter(review=review)),
        "meetings": _meetings(writer, review),
        "stories": _rows(writer, "stories", Story.objects.filter(review=review)),
        "impact_answers": _rows(
            writer, "impact_answers", ImpactAnswer.objects.filter(review=review)
        ),
    }
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "alliance": {"name": alliance.name, "slug": alliance.slug, "community": alliance.community},
        "review": writer.row(table("reviews"), review),
        **_named(writer),
        **lists,
    }


def _rows(writer: Writer, key: str, queryset) -> list[dict]:
    each = table(key)
    return [writer.row(each, obj) for obj in queryset.order_by("pk")]


def _rounds(writer: Writer, review, own: list) -> tuple[list[dict], list[Question]]:
    """The review's rounds with what may be shown of their answers, and the framework's
    questions that written answers were given to (the review's `own` are listed apart)."""
    rounds = list(
        Round.objects.filter(review=review).select_related("review", "check_in").order_by("pk")
    )
    questions = list(Question.objects.filter(review=None)) + own
    rows, answered = [], {}
    for round, answers in zip(rounds, round_answers(writer, rounds, questions), strict=True):
        row = writer.row(table("rounds"), round)
        row.update(answers.document)
        row["median"] = answers.result.median
        rows.append(row)
        answered.update((q.pk, q) for q in answers.questions if q.review_id is None)
    return rows, [answered[pk] for pk in sorted(answered)]


def _meetings(writer: Writer, review) -> list[dict]:
    each = table("meetings")
    fields = [f for f in each.fields if f.name in MEETING_FIELDS]
    meetings = Meeting.objects.filter(review=review).annotate(present=Count("attendance"))
    return [
        {**writer.row(each, m, fields), "attendance": m.present} for m in meetings.order_by("pk")
    ]


def _named(writer: Writer) -> dict:
    """The people, partners, goals and indicators the review's rows point at, by name."""
    seen = writer.seen
    partners = table("partners").model.objects.filter(pk__in=seen.get("partners", ()))
    goals = Goal.objects.filter(pk__in=seen.get("goals", ()))
    indicators = Indicator.objects.filter(pk__in=seen.get("indicators", ()))
    return {
        PEOPLE: writer.people(with_email=False),
        "partners": [{"ref": str(p.pk), "name": p.name} for p in partners.order_by("pk")],
        "goals": [
            {"ref": str(g.pk), "statement": g.statement, "status": g.status}
            for g in goals.order_by("pk")
        ],
        "indicators": [
            {"ref": str(i.pk), "name": i.name, "unit": i.unit} for i in indicators.order_by("pk")
        ],
    }


def to_json(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=1)


# The zip of CSV files: one per list; the nested parts of a round get files of their own.


def _columns(key: str) -> list[str]:
    """The columns of a list: its fields, without the nested ones (a record's snapshot is in
    the JSON document only; a round's answers have files of their own)."""
    if key in CONTEXT_COLUMNS:
        return CONTEXT_COLUMNS[key]
    each = table(key)
    names = ["ref"] + [f.name for f in each.fields if f.name not in LEFT_OUT_OF_CSV]
    if key == "meetings":
        names = ["ref", *MEETING_FIELDS, "attendance"]
    if key == "rounds":
        names += ["closed", "answers", "median"]
    return names


CONTEXT_COLUMNS = {
    PEOPLE: ["ref", "name"],
    "partners": ["ref", "name"],
    "goals": ["ref", "statement", "status"],
    "indicators": ["ref", "name", "unit"],
}
LEFT_OUT_OF_CSV = {"snapshot"}
FILES = (
    "review",
    PEOPLE,
    "partners",
    "goals",
    "indicators",
    "questions",
    "records",
    "check_ins",
    "rounds",
    "commitments",
    "meetings",
    "stories",
    "impact_answers",
)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(str(v) for v in value)  # a meeting's agenda: component keys
    return str(value)


def _csv(columns: list[str], rows) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # a byte order mark, so that a spreadsheet reads accents as UTF-8
    writer = spreadsheet.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name in columns])
    return out.getvalue()


def _answer_files(rounds: list[dict]) -> dict[str, str]:
    ratings, counts, texts = [], [], []
    for round in rounds:
        ratings += [{"round": round["ref"], "value": v} for v in round["ratings"] or []]
        for group in round["reflections"]:
            shown = group["texts"] is not None
            counts.append({**group, "round": round["ref"], "shown": shown})
            texts += [
                {"round": round["ref"], "question": group["question"], **t}
                for t in group["texts"] or []
            ]
    return {
        "ratings.csv": _csv(["round", "value"], ratings),
        "written_answers.csv": _csv(["round", "question", "count", "shown"], counts),
        "reflections.csv": _csv(["round", "question", "text", "author"], texts),
    }


def to_zip(document: dict) -> bytes:
    files = {}
    for key in FILES:
        rows = [document[key]] if key == "review" else document[key]
        columns = _columns("reviews" if key == "review" else key)
        files[f"{key}.csv"] = _csv(columns, rows)
    files.update(_answer_files(document["rounds"]))
    files["README.txt"] = render_to_string(
        "reviews/export_readme.txt", {"document": document, "files": sorted(files)}
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text.encode("utf-8"))
    return buffer.getvalue()
