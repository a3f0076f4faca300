"""What a first-time facilitator needs at each phase of a meeting: what to do, what to say,
about how long it takes, and what to watch for.

The guidance for a phase is the advice for its kind (introduce, reflect, ...) followed by
the advice for its component where the component changes the conversation (shared power:
let the smaller partners speak; interdependence: read the dependency register; indicators:
numbers, not anecdotes). Every sentence is written in Accord's own words; the framework's
questions are quoted only on the meeting's screens, never here.

Only the facilitator sees it: in the live console (`templates/meetings/_guide.html`) and in
the meeting's plan, where the suggested minutes add up to the time the agenda is likely to
take.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from meetings.models import Phase
from reviews.framework import framework

# Phases of a component, in the order a meeting takes them (as meetings.services builds
# them); the opening comes before and the closing after.
COMPONENT_KINDS = (
    Phase.Kind.INTRODUCE,
    Phase.Kind.REFLECT,
    Phase.Kind.REVEAL,
    Phase.Kind.DISCUSS,
    Phase.Kind.RECORD,
)


@dataclass(frozen=True)
class Watch:
    """A sign to look out for in the room, and what to do when it shows."""

    sign: Promise
    response: Promise


@dataclass(frozen=True)
class Advice:
    do: tuple[Promise, ...] = ()
    say: tuple[Promise, ...] = ()
    watch: tuple[Watch, ...] = ()
    minutes: int | None = None  # replaces the kind's minutes when given


@dataclass(frozen=True)
class Guide:
    kind: str
    component_key: str
    do: tuple[Promise, ...]
    say: tuple[Promise, ...]
    watch: tuple[Watch, ...]
    minutes: int

    @property
    def component(self):
        return framework().get(self.component_key) if self.component_key else None

    @property
    def title(self) -> str:
        label = Phase.Kind(self.kind).label
        component = self.component
        return f"{component.name}: {label}" if component else str(label)


@dataclass(frozen=True)
class Step:
    """One phase of a plan with its guide; `phase` is None for a meeting not saved yet."""

    guide: Guide
    phase: Phase | None = None


@dataclass(frozen=True)
class Plan:
    steps: tuple[Step, ...]
    planned_minutes: int | None

    @property
    def minutes(self) -> int:
        return sum(step.guide.minutes for step in self.steps)

    @property
    def over_by(self) -> int:
        """How many minutes the agenda is likely to run past the planned length (0 if not)."""
        return max(0, self.minutes - (self.planned_minutes or self.minutes))

    @property
    def spare(self) -> int:
        return max(0, (self.planned_minutes or self.minutes) - self.minutes)


def guide_for(kind: str, component_key: str = "") -> Guide:
    """The guide for a phase. The opening and the closing have no component; a component
    Accord has no particular advice for (a framework file that grew) gets the kind's."""
    base = KINDS[Phase.Kind(kind)]
    if kind in (Phase.Kind.OPENING, Phase.Kind.CLOSING):
        component_key = ""
    extra = COMPONENTS.get((kind, component_key), Advice())
    return Guide(
        kind=str(kind),
        component_key=component_key,
        do=base.do + extra.do,
        say=base.say + extra.say,
        watch=extra.watch + base.watch,  # the component's sign is the likelier one
        minutes=extra.minutes or base.minutes,
    )


def meeting_plan_guide(meeting) -> Plan:
    """The meeting's phases in order, each with its guide (one query)."""
    return Plan(
        steps=tuple(
            Step(guide=guide_for(phase.kind, phase.component_key), phase=phase)
            for phase in meeting.phases.all()
        ),
        planned_minutes=meeting.duration_minutes,
    )


def agenda_plan_guide(agenda: list[str], planned_minutes: int | None = None) -> Plan:
    """The plan a meeting with this agenda would have, before it is saved."""
    order = framework().keys()
    keys = sorted((key for key in agenda if key in order), key=order.index)
    kinds = [(Phase.Kind.OPENING, "")]
    kinds += [(kind, key) for key in keys for kind in COMPONENT_KINDS]
    kinds.append((Phase.Kind.CLOSING, ""))
    return Plan(
        steps=tuple(Step(guide=guide_for(kind, key)) for kind, key in kinds),
        planned_minutes=planned_minutes,
    )


# The advice for each kind of phase.

KINDS = {
    Phase.Kind.OPENING: Advice(
        minutes=10,
        do=(
            _("Welcome everyone, say which components the meeting covers and when it will end."),
            _(
                "Take the commitments due since the last meeting one at a time (Next "
                "commitment). Let each owner say whether it was done, partly done or not "
                "done, and mark it."
            ),
            _("Keep each one short: this is a check on promises, not the discussion itself."),
        ),
        say=(
            _(
                "We begin with what we promised each other last time. Nobody is on trial: "
                "this shows us how well the alliance keeps its word."
            ),
            _(
                "For each one, the person who took it on tells us where it stands and, if "
                "it is not done, what got in the way."
            ),
        ),
        watch=(
            Watch(
                _("When a commitment was not kept"),
                _(
                    "Ask what got in the way, not whose fault it was, and note anything the "
                    "alliance itself could remove."
                ),
            ),
            Watch(
                _("When one commitment starts a long debate"),
                _(
                    "Say that it belongs to its component's discussion, note it, and move "
                    "to the next one."
                ),
            ),
            Watch(
                _("When no commitment was due"),
                _(
                    "Say so, and use the minutes to agree how the room will work: one voice "
                    "at a time, and each person speaks for their own organization."
                ),
            ),
        ),
    ),
    Phase.Kind.INTRODUCE: Advice(
        minutes=5,
        do=(
            _(
                "Read the component's explanation and its questions aloud from the screen, "
                "or ask a partner to read them."
            ),
            _(
                "Say what happens next: everyone answers privately first, then the room "
                "sees the answers together."
            ),
            _("Check that the question is understood before anyone answers it."),
        ),
        say=(
            _(
                "There is no right answer here. We want to know how each of you sees the "
                "alliance today."
            ),
            _("Think about the alliance as a whole, not about any one partner."),
        ),
        watch=(
            Watch(
                _("When someone starts the discussion already"),
                _(
                    "Thank them and keep the point for later: answering privately first "
                    "means nobody is swayed by the first voice."
                ),
            ),
            Watch(
                _("When the wording puzzles someone"),
                _(
                    "Say it again in other words. People reading in a second language may "
                    "need a moment more."
                ),
            ),
        ),
    ),
    Phase.Kind.REFLECT: Advice(
        minutes=7,
        do=(
            _(
                "Ask everyone to answer on their own phone or laptop, on their own, without "
                "talking."
            ),
            _(
                "Follow the count of answers on your screen. When most have answered, give "
                "a last minute."
            ),
            _(
                "Reveal when everyone has answered or the time is up. A sent answer cannot "
                "be changed."
            ),
        ),
        say=(
            _(
                "Rate from 1 to 5 how true this is of our alliance today, and write a "
                "sentence or two on why: the written answers are what we will talk about."
            ),
            _(
                "Whether answers are anonymous or named is shown on your screen: those "
                "rules were fixed for the whole review and cannot change now."
            ),
        ),
        watch=(
            Watch(
                _("When nobody writes"),
                _(
                    "Say that one sentence is enough, that a reason helps the room more than "
                    "a number, and give two more minutes."
                ),
            ),
            Watch(
                _("When people compare or discuss their answers"),
                _(
                    "Ask for quiet until the reveal: an answer given under other people's "
                    "eyes is no longer private."
                ),
            ),
            Watch(
                _("When fewer have answered than the review needs"),
                _(
                    "The room sees ratings and written answers only once the review's "
                    "minimum number of people have answered. Wait a little, or help whoever "
                    "cannot get in, before you reveal."
                ),
            ),
            Watch(
                _("When someone cannot get into the meeting"),
                _(
                    "Help them open the meeting's link and sign in. The meeting waits for "
                    "nobody, but an answer sent late in this phase still counts."
                ),
            ),
        ),
    ),
    Phase.Kind.REVEAL: Advice(
        minutes=8,
        do=(
            _(
                "Show the spread of ratings and the written answers on the screen, and give "
                "the room a minute to read them, or read them aloud."
            ),
            _(
                "Describe what you see before anyone explains it: how many answered, where "
                "the ratings gather, where they spread."
            ),
            _("Ask the room what surprises them."),
        ),
        say=(
            _(
                "This is what the room said, all together. Nobody needs to say which answer "
                "was theirs."
            ),
            _("What do you notice here? What surprises you?"),
        ),
        watch=(
            Watch(
                _("When ratings are spread wide"),
                _(
                    "This is the most useful result of all. Ask someone who sees it as "
                    "strong and someone who sees it as weak to say what they see, without "
                    "asking anyone to defend their own number."
                ),
            ),
            Watch(
                _("When every rating is the same"),
                _(
                    "Ask whether the agreement is real or polite: even a shared high rating "
                    "deserves one concrete example."
                ),
            ),
            Watch(
                _("When someone tries to guess who wrote what"),
                _(
                    "Stop it kindly. Nobody owes the room their answer, and guessing makes "
                    "people careful the next time."
                ),
            ),
            Watch(
                _("When the results stay hidden"),
                _(
                    "Too few answered to show them without exposing anyone. Say so, and go "
                    "to the discussion with the questions themselves."
                ),
            ),
        ),
    ),
    Phase.Kind.DISCUSS: Advice(
        minutes=20,
        do=(
            _(
                "Work in the component's register, which the screen shows, and start from "
                "the widest differences in the reveal."
            ),
            _(
                "Make sure someone writes the notes as the room talks: the recorder, or you "
                "if nobody was named."
            ),
            _("Use the timer, and say when five minutes are left."),
        ),
        say=(
            _("Let us start where we differ most. What do you see that others may not?"),
            _("Please speak for your own organization; the others will speak for theirs."),
        ),
        watch=(
            Watch(
                _("When one partner dominates"),
                _(
                    "Thank them, then go round the partners in turn, and give the quietest "
                    "the first word on the next question."
                ),
            ),
            Watch(
                _("When partners speak for others"),
                _(
                    "Ask the partner being spoken about to say it in their own words, or "
                    "note it as a question for them."
                ),
            ),
            Watch(
                _("When the talk turns to judging one partner"),
                _(
                    "Bring it back to the alliance and the difference it makes in the "
                    "community: what does the alliance need to do differently?"
                ),
            ),
            Watch(
                _("When the conversation goes in circles"),
                _("Sum up what you have heard, and ask what the room wants written in the record."),
            ),
        ),
    ),
    Phase.Kind.RECORD: Advice(
        minutes=10,
        do=(
            _(
                "Write, with the room: what the partners agree on, where they still "
                "disagree or have concerns, and the ideas to improve the alliance."
            ),
            _(
                "Turn each idea the room wants to act on into a commitment: what, for which "
                "partner, who, and by when."
            ),
            _("Read the record aloud, and ask whether anything is missing or wrong."),
        ),
        say=(
            _("This is what I heard us agree on. Is that right? What have we not agreed?"),
            _("Who will do this, for which partner, and by when?"),
        ),
        watch=(
            Watch(
                _("When a disagreement is smoothed over"),
                _(
                    "Write it under the concerns. A disagreement on record is kept for the "
                    "next conversation; it is not a failure."
                ),
            ),
            Watch(
                _("When a commitment has no owner or no date"),
                _(
                    "Ask for a person and a date before you move on: a commitment without "
                    "them is rarely kept."
                ),
            ),
            Watch(
                _("When the room is tired"),
                _(
                    "Keep it short: one agreement, one concern and one commitment are "
                    "enough. The notes stay open for the recorder after the meeting."
                ),
            ),
        ),
    ),
    Phase.Kind.CLOSING: Advice(
        minutes=5,
        do=(
            _("Read back what was covered and the commitments made, with owners and dates."),
            _("Say when the next meeting is and what it will cover."),
            _(
                "Thank the partners, then end the meeting for everyone. Everything recorded "
                "is kept, and the summary is ready at once."
            ),
        ),
        say=(
            _(
                "Thank you. These are the commitments we made today; each owner will be "
                "reminded before they are due."
            ),
            _("Next time we start by looking at these commitments together."),
        ),
        watch=(
            Watch(
                _("When the commitments fall on one partner"),
                _(
                    "Ask whether the load is fair and realistic, and whether another partner "
                    "could share it."
                ),
            ),
            Watch(
                _("When time has run out"),
                _(
                    "Do not rush a record: what was not covered moves to the next meeting, "
                    "in the framework's order."
                ),
            ),
        ),
    ),
}


# What changes with the component. Keys: (kind, component key); the kinds are named by
# their initials to keep the table readable.

IN, RF, RV, D, RC = COMPONENT_KINDS  # introduce, reflect, reveal, discuss, record

COMPONENTS = {
    # Shared purpose
    (IN, "purpose"): Advice(
        do=(_("Remind the room of the goals already in the goals register, if any."),),
        say=(
            _(
                "We are checking that we still want the same things: concrete outcomes we "
                "could measure, not only the same good intentions."
            ),
        ),
        watch=(
            Watch(
                _("When everyone agrees at once"),
                _(
                    "Ask what one goal would look like, achieved, in two years. General "
                    "agreement often hides different expectations."
                ),
            ),
        ),
    ),
    (RF, "purpose"): Advice(
        say=(
            _(
                "Think of the outcomes you expect the alliance to reach, and whether every "
                "organization here expects the same ones."
            ),
        ),
        watch=(
            Watch(
                _("When people rate the mission rather than the goals"),
                _("Ask them to think of the goals they would check in a year."),
            ),
        ),
    ),
    (RV, "purpose"): Advice(
        watch=(
            Watch(
                _("When ratings are high but the written answers name different goals"),
                _(
                    "Point it out: the partners agree on the purpose in general, not yet on "
                    "what it will achieve."
                ),
            ),
        ),
    ),
    (D, "purpose"): Advice(
        do=(
            _(
                "In the goals register, write each goal in concrete terms with a measure, "
                "a target and a date, and let each partner mark whether it shares it."
            ),
        ),
        say=(_("What exactly will be different, for whom, by when? How will we know?"),),
        watch=(
            Watch(
                _("When a goal stays general"),
                _(
                    "Ask for a number, a place or a date. If nobody can give one, the goal "
                    "is not shared yet: write that down."
                ),
            ),
        ),
    ),
    (RC, "purpose"): Advice(
        do=(_("Record the goals as the room worded them, with their measures."),),
    ),
    # Shared power
    (IN, "power"): Advice(
        say=(
            _(
                "Each partner is here because the work needs something it brings. Today we "
                "name what the work needs and who brings it."
            ),
        ),
        watch=(
            Watch(
                _("When power is heard as money or size"),
                _("Say that knowledge, skills, relationships and staff count as much as funds."),
            ),
        ),
    ),
    (RF, "power"): Advice(
        say=(
            _(
                "Think of what your organization brings, what the others bring, and whether "
                "each partner's say matches what it contributes."
            ),
        ),
        watch=(
            Watch(
                _("When someone asks whether to answer for their organization"),
                _("Each person answers from where they sit, for themselves."),
            ),
        ),
    ),
    (RV, "power"): Advice(
        watch=(
            Watch(
                _("When a few low ratings stand apart"),
                _(
                    "They may come from partners who feel they have little say. Do not look "
                    "for them; ask the room what could make a partner feel that way."
                ),
            ),
        ),
    ),
    (D, "power"): Advice(
        do=(
            _(
                "In the resources register, list what the work needs (knowledge, skills, "
                "relationships, staff, money, space) and who brings each; look at the gaps "
                "and at what one partner carries alone."
            ),
        ),
        say=(_("What does our work need that nobody brings? Who carries more than a share?"),),
        watch=(
            Watch(
                _("When the smaller partners stay quiet"),
                _(
                    "Ask them first. Power is the subject here, and the partners with the "
                    "least say are the ones the room most needs to hear."
                ),
            ),
            Watch(
                _("When one partner brings most of what is needed"),
                _("Name it plainly, and ask whether that is what everyone wants."),
            ),
        ),
    ),
    (RC, "power"): Advice(
        do=(_("Record who is responsible for each resource the work depends on."),),
    ),
    # Shared view of interdependence
    (IN, "interdependence"): Advice(
        do=(_("Say that this is the other side of shared power."),),
        say=(
            _("We look at where we truly need each other, and where each of us could go on alone."),
        ),
        watch=(
            Watch(
                _("When the question sounds threatening"),
                _(
                    "Say that finding where a partner could act alone is useful to know, and "
                    "not an accusation."
                ),
            ),
        ),
    ),
    (RF, "interdependence"): Advice(
        minutes=8,
        say=(
            _(
                "There are two questions: whether we depend on one another, and why. "
                "Write about the why if you can."
            ),
        ),
        watch=(
            Watch(
                _("When ratings come without reasons"),
                _("Ask for one example of something nobody here could do alone."),
            ),
        ),
    ),
    (D, "interdependence"): Advice(
        do=(
            _(
                "Read the dependency register with the room: who relies on whom, for what, "
                "and each partner's answer to whether it could have the same impact without "
                "the alliance."
            ),
        ),
        say=(
            _("Where would your work stall without another partner? Where could you go on alone?"),
        ),
        watch=(
            Watch(
                _("When a partner could reach the same impact alone"),
                _(
                    "Say it calmly: it is a reason to ask whether the alliance should go on "
                    "in its present form, and that question belongs in the record."
                ),
            ),
            Watch(
                _("When the dependencies all point to one partner"),
                _("Ask what would happen to the alliance if that partner stepped back."),
            ),
        ),
    ),
    # Mutual respect and trust
    (IN, "trust"): Advice(
        do=(
            _(
                "Say that the answer form also asks, privately, how confident each person is "
                "that the alliance will reach each agreed goal."
            ),
        ),
        say=(
            _(
                "We look at the alliance as a whole: what we have achieved, what remains, "
                "and whether we keep our promises. Nobody is being graded."
            ),
        ),
        watch=(
            Watch(
                _("When the room goes quiet"),
                _(
                    "Trust is a delicate subject. Say again that answers follow the review's "
                    "rules, shown on every screen."
                ),
            ),
        ),
    ),
    (RF, "trust"): Advice(
        minutes=10,
        do=(_("Give a little more time: there is a confidence rating for each goal."),),
        say=(_("Think of promises made and kept across the alliance, not of one partner."),),
        watch=(
            Watch(
                _("When someone hesitates for fear of being recognized"),
                _(
                    "Remind them of the review's rules: in an anonymous review nobody can "
                    "see who gave which answer."
                ),
            ),
        ),
    ),
    (RV, "trust"): Advice(
        watch=(
            Watch(
                _("When confidence in one goal is low"),
                _("Name the goal: it is where the discussion should start."),
            ),
        ),
    ),
    (D, "trust"): Advice(
        do=(
            _(
                "Look together at commitments made and kept, at what has been accomplished "
                "and at what remains, for the alliance as a whole."
            ),
        ),
        say=(
            _(
                "What have we achieved together? What is left to do, and what would help us "
                "believe we can do it?"
            ),
        ),
        watch=(
            Watch(
                _("When the talk becomes a ranking of partners"),
                _(
                    "Bring it back to the alliance as a whole: the question is whether we "
                    "deliver together, not who delivers least."
                ),
            ),
            Watch(
                _("When the people doing the work hardly know each other"),
                _("Ask what would help them meet and work together more often."),
            ),
        ),
    ),
    # Shared control
    (IN, "control"): Advice(
        say=(
            _(
                "Control here means the systems we use to make sure shared resources are "
                "used well: work plans, contracts, policies and procedures, and whether "
                "every partner can see and shape them."
            ),
        ),
        watch=(
            Watch(
                _("When control is heard as who is in charge"),
                _("Say that it is about the systems the partners share, not about a boss."),
            ),
        ),
    ),
    (RF, "control"): Advice(
        say=(
            _(
                "Think of the work plans, agreements and pledges: do the resources arrive "
                "complete and on time?"
            ),
        ),
        watch=(
            Watch(
                _("When people do not know the agreements"),
                _("That is an answer in itself: ask them to write it down."),
            ),
        ),
    ),
    (D, "control"): Advice(
        do=(
            _(
                "In the agreements register, go through the work plans, contracts, policies "
                "and pledges: who owns each, and whether what was pledged arrived complete "
                "and on time."
            ),
        ),
        say=(
            _(
                "Which of our agreements are not being followed, and why? Can every partner "
                "see them and ask for a change?"
            ),
        ),
        watch=(
            Watch(
                _("When an agreement is not followed"),
                _(
                    "Look for why the system fails (unclear, unknown to some, unworkable) "
                    "before asking who failed."
                ),
            ),
        ),
    ),
    (RC, "control"): Advice(
        do=(_("Give each agreement that needs changing an owner and a review date."),),
    ),
    # Shared indicators of progress
    (IN, "indicators"): Advice(
        do=(_("Before the meeting, make sure the latest values of each indicator are entered."),),
        say=(
            _(
                "We look at a few shared numbers to see where we are moving forward and "
                "where we are stuck."
            ),
        ),
        watch=(
            Watch(
                _("When values are missing or out of date"),
                _("Note which ones and who will bring them; do not guess them in the room."),
            ),
        ),
    ),
    (RF, "indicators"): Advice(
        minutes=8,
        say=(
            _(
                "There are two questions: where we progress, how to do better; where we do "
                "not, what holds us back. Answer the one you know best, or both."
            ),
        ),
        watch=(
            Watch(
                _("When the answers are only stories"),
                _("Ask people to point to a number where one exists."),
            ),
        ),
    ),
    (D, "indicators"): Advice(
        minutes=25,
        do=(
            _(
                "Open the indicators register: each shared number with its baseline, target "
                "and trend, and the story behind the curve."
            ),
        ),
        say=(
            _(
                "Where the numbers move the right way, what can we do better? Where they do "
                "not, what holds us back?"
            ),
        ),
        watch=(
            Watch(
                _("When the talk is anecdotes"),
                _(
                    "Ask for the numbers: what does the indicator show, and since when? A "
                    "story explains a number; it does not replace it."
                ),
            ),
            Watch(
                _("When there is no indicator yet"),
                _(
                    "Agree on one or two to track, each with a baseline and a target, and "
                    "record that as a commitment."
                ),
            ),
        ),
    ),
    (RC, "indicators"): Advice(
        do=(_("Write who will enter each missing value, and by when."),),
    ),
}
