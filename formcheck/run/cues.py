"""The one instruction shown for each frame, in score's annotated video and in the live view: which
situation wins (no person, not in position, a fault, the back outline hidden, the neutral being
measured, good form) and the words for each. Fault cues come from the exercise file."""

from __future__ import annotations

import math
from enum import IntEnum

from formcheck.exercises.spec import ExerciseSpec
from formcheck.judge.reasons import Unjudged
from formcheck.judge.session import Situation

#: A cue stays on screen at least this long (seconds) unless a more urgent one appears: no flicker.
CUE_MIN_S = 1.5

NO_PERSON_CUE = "Step into view: whole body, side on to the camera"
NOT_VISIBLE_CUE = "Move so your whole body is in the picture"
OCCLUSION_CUE = "Rest your hands on your front knee so the camera can see your lower back"
BASELINE_CUE = "Hold still in a neutral position for a moment"
GOOD_CUE = "Good form - hold it"


class Urgency(IntEnum):
    """How urgent a kind of cue is: lower wins. A fault's urgency is its criterion's ``priority``
    from the exercise file (1-100), so it ranks among these."""

    SEEN = 0  # nobody in view, or the joints needed are out of the picture
    OUTLINE_HIDDEN = 40
    BASELINE = 45
    POSITION = 50
    GOOD = 90
    NOTHING = 100


class FormCues:
    """Chooses each frame's cue (a :class:`formcheck.judge.session.CuePolicy`) and keeps it on screen
    for at least :data:`CUE_MIN_S` unless a more urgent one appears."""

    def __init__(self, spec: ExerciseSpec) -> None:
        self.spec = spec
        self.text, self.code, self.urgency, self.since = "", "", 10**6, -math.inf

    def choose(self, situation: Situation) -> tuple[str, str]:
        """The cue ``(text, code)`` to show for this frame."""
        text, code, urgency = self._wanted(situation)
        if text == self.text:
            return self.text, self.code
        if situation.t - self.since >= CUE_MIN_S or urgency < self.urgency:
            self.text, self.code, self.urgency, self.since = text, code, urgency, situation.t
        return self.text, self.code

    def _wanted(self, s: Situation) -> tuple[str, str, int]:
        """What this frame alone asks to be told, with its urgency."""
        if not s.found:
            return NO_PERSON_CUE, "no_person", Urgency.SEEN
        if s.in_position is None:
            return NOT_VISIBLE_CUE, "not_visible", Urgency.SEEN
        if s.in_position is False:
            hint = s.failing_position[0].why if s.failing_position else ""
            return (f"Get into position: {hint}" if hint else "Get into position"), "get_in_position", Urgency.POSITION
        if s.judging and s.faults:
            c = self.spec.criterion_by_code[s.faults[0]]
            return c.cue, c.code, c.priority
        codes = {r.code for r in s.not_judged}
        if s.judging and Unjudged.OUTLINE_COVERED in codes:
            return OCCLUSION_CUE, "outline_hidden", Urgency.OUTLINE_HIDDEN
        if s.judging and Unjudged.BASELINE_PENDING in codes:
            return BASELINE_CUE, "baseline", Urgency.BASELINE
        if s.in_hold:
            return GOOD_CUE, "good", Urgency.GOOD
        return "", "", Urgency.NOTHING
