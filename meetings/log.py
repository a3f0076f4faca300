"""A meeting's log in plain words, for its summary.

`meetings.services` writes each entry as an action code and a short detail (the phase
moved to, "5 min", "A → B"); this turns one into a sentence in the reader's language. A
phase is named in the detail in the language of whoever moved to it, so it is looked up
among the meeting's phases (`phase_names`) and named again in the reader's language. An
action this module does not know is shown as it was written.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from meetings.models import LogEntry, Phase


def phase_names(phases) -> dict[str, Phase]:
    """Each phase under the name a log entry gives it, in every language of the site."""
    names = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.update((str(phase), phase) for phase in phases)
    return names


def describe(entry: LogEntry, phases: dict[str, Phase] | None = None) -> str:
    """What happened, as a sentence: "Dana started the meeting"."""
    actor = str(entry.actor) if entry.actor else _("Accord")
    phase = (phases or {}).get(entry.detail)
    place = str(phase) if phase else entry.detail
    action, detail = entry.action, entry.detail
    if action == "start":
        return _("%(actor)s started the meeting") % {"actor": actor}
    if action == "advance":
        return _("%(actor)s moved on to %(phase)s") % {"actor": actor, "phase": place}
    if action == "back":
        return _("%(actor)s went back to %(phase)s") % {"actor": actor, "phase": place}
    if action == "reopen":
        about = phase.component.name if phase and phase.component else place
        return _("%(actor)s reopened the answers to %(component)s") % {
            "actor": actor,
            "component": about,
        }
    if action == "item":
        return _item(actor, detail)
    if action == "timer":
        return _timer(actor, detail)
    if action == "handover" and " → " in detail:
        before, after = detail.split(" → ", 1)
        return _("%(actor)s handed facilitation from %(before)s to %(after)s") % {
            "actor": actor,
            "before": before,
            "after": after,
        }
    if action == "end" and detail == "idle":
        return _("The meeting ended by itself after a long time without activity")
    if action == "end":
        return _("%(actor)s ended the meeting") % {"actor": actor}
    if action == "cancel":
        return _("%(actor)s cancelled the meeting: %(reason)s") % {"actor": actor, "reason": detail}
    if action == "answering" and detail in ("on", "off"):
        if detail == "on":
            text = _("%(actor)s chose that people without a partner answer too")
        else:
            text = _("%(actor)s chose that people without a partner do not answer")
        return text % {"actor": actor}
    if action == "projector":
        return _projector(actor, detail)
    return f"{actor}: {action} ({detail})" if detail else f"{actor}: {action}"


def _projector(actor: str, detail: str) -> str:
    names = []
    for code in filter(None, (part.strip() for part in detail.split(","))):
        try:
            names.append(str(translation.get_language_info(code)["name_translated"]))
        except KeyError:
            names.append(code)
    if not names:
        return _("%(actor)s chose the alliance's language for the projector") % {"actor": actor}
    if len(names) == 1:
        return _("%(actor)s chose %(language)s for the projector") % {
            "actor": actor,
            "language": names[0],
        }
    return _("%(actor)s chose %(first)s and %(second)s, side by side, for the projector") % {
        "actor": actor,
        "first": names[0],
        "second": names[1],
    }


def _item(actor: str, detail: str) -> str:
    # Moving on and moving back through the commitments are both logged as "item"; a
    # detail of "next" or "previous" tells them apart.
    if detail == "next":
        return _("%(actor)s showed the next commitment") % {"actor": actor}
    if detail == "previous":
        return _("%(actor)s showed the previous commitment") % {"actor": actor}
    return _("%(actor)s showed another commitment") % {"actor": actor}


def _timer(actor: str, detail: str) -> str:
    if detail == "stopped":
        return _("%(actor)s stopped the timer") % {"actor": actor}
    minutes = detail.removesuffix(" min")
    if not minutes.isdigit():
        return f"{actor}: timer ({detail})"
    return ngettext(
        "%(actor)s started a %(minutes)d-minute timer",
        "%(actor)s started a %(minutes)d-minute timer",
        int(minutes),
    ) % {"actor": actor, "minutes": int(minutes)}
