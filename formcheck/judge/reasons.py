"""Why a criterion could not be judged in a frame: a code the program decides on, and the words a
person reads (kept here, in one place). A criterion that is not judged is never guessed; its
seconds do not count as good form, and the report says why."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Unjudged(Enum):
    """The kinds of reason a signal or criterion is unknown in a frame."""

    NO_PERSON = "no_person"
    LEGS_UNCLEAR = "legs_unclear"
    NEAR_SIDE_UNCLEAR = "near_side_unclear"
    FACING_UNCLEAR = "facing_unclear"
    LANDMARKS_HIDDEN = "landmarks_hidden"
    TRUNK_HIDDEN = "trunk_hidden"
    OUTLINE_COVERED = "outline_covered"
    OUTLINE_LOST = "outline_lost"
    BASELINE_PENDING = "baseline_pending"
    NOT_MEASURABLE = "not_measurable"


# The words of each reason; ``{detail}`` is filled from :attr:`Reason.detail`.
_WORDS: dict[Unjudged, str] = {
    Unjudged.NO_PERSON: "no person detected",
    Unjudged.LEGS_UNCLEAR: "cannot tell which leg is which",
    Unjudged.NEAR_SIDE_UNCLEAR: "cannot tell which side is nearer the camera",
    Unjudged.FACING_UNCLEAR: "cannot tell which way the person faces",
    Unjudged.LANDMARKS_HIDDEN: "not visible (low confidence or out of frame): {detail}",
    Unjudged.TRUNK_HIDDEN: "shoulders or hips not visible",
    Unjudged.OUTLINE_COVERED: "{detail}",  # the pose stage says what covers it: "hand covers the lower back"
    Unjudged.OUTLINE_LOST: "{detail}",  # the pose stage says why: "back outline not found", ...
    Unjudged.BASELINE_PENDING: "measuring your neutral position (baseline) first",
    Unjudged.NOT_MEASURABLE: "not measurable in this frame",
}


@dataclass(frozen=True)
class Reason:
    """One reason a value is unknown: its ``code`` and an optional ``detail`` (which landmarks,
    what covers the back outline) that the words include."""

    code: Unjudged
    detail: str = ""

    @property
    def words(self) -> str:
        """The reason as the report and the live view say it."""
        return _WORDS[self.code].format(detail=self.detail)
