"""What the live user is told: the set-up phase, one cue at a time, side switches, and sound events.

A pure state machine over per-frame inputs (set-up verdicts, then the session's
:class:`~formcheck.judge.frame_result.FrameResult` s), so it is tested without a camera. Times in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from formcheck.exercises.spec import ExerciseSpec
from formcheck.judge.frame_result import FrameResult
from formcheck.judge.setup_check import SetupVerdict

SETUP_STABLE_S = 1.0  # the set-up must stay good this long before timing starts

#: "setup": checking the camera view, nothing timed; "active": judging.
Phase = Literal["setup", "active"]
SETUP: Final = "setup"
ACTIVE: Final = "active"
#: What the sound plays on (see :mod:`formcheck.run.sound`).
SoundEvent = Literal["hold_started", "hold_broken", "target_reached"]
HOLD_STARTED: Final = "hold_started"
HOLD_BROKEN: Final = "hold_broken"
TARGET_REACHED: Final = "target_reached"

OTHER_SIDE_CUE = "Now the other side"
ALL_DONE_CUE = "Both sides done - well done"
TARGET_DONE_CUE = "Target reached - well done"


@dataclass(frozen=True)
class CoachState:
    """What to show and play for one frame.

    ``phase``: "setup" (checking the camera view, nothing timed) or "active" (judging).
    ``cue``: the one instruction to show now ('' for none). ``events``: sound events that
    happened on this frame. ``sides_done``: sides whose hold target was reached.
    """

    phase: Phase
    cue: str
    events: tuple[SoundEvent, ...]
    sides_done: tuple[str, ...]


class LiveCoach:
    """Turns set-up verdicts and frame results into cues and sound events."""

    def __init__(self, spec: ExerciseSpec) -> None:
        self.spec = spec
        self.phase: Phase = SETUP
        self._setup_ok_since: float | None = None
        self._prev: FrameResult | None = None
        self._sides_done: list[str] = []
        self._hold_completed = False

    def reset(self) -> None:
        """Back to the set-up phase (after the user resets); completed sides are kept."""
        self.phase = SETUP
        self._setup_ok_since = None
        self._prev = None
        self._hold_completed = False

    def on_setup(self, t: float, verdict: SetupVerdict) -> CoachState:
        """Feed one set-up-phase frame; switches to the active phase once the view is good for long enough."""
        if not verdict.ok:
            self._setup_ok_since = None
            return CoachState(SETUP, verdict.message, (), tuple(self._sides_done))
        if self._setup_ok_since is None:
            self._setup_ok_since = t
        if t - self._setup_ok_since >= SETUP_STABLE_S:
            self.phase = ACTIVE
            return CoachState(ACTIVE, "Get into position", (), tuple(self._sides_done))
        return CoachState(SETUP, "Good - hold still", (), tuple(self._sides_done))

    def on_result(self, r: FrameResult) -> CoachState:
        """Feed one judged frame of the active phase."""
        spec, prev = self.spec, self._prev
        events: list[SoundEvent] = []
        if spec.mode == "hold":
            was_in_hold = prev is not None and prev.in_hold
            if r.in_hold and not was_in_hold:
                events.append(HOLD_STARTED)
                self._hold_completed = False
            if r.in_hold and not self._hold_completed and r.hold_good_s >= spec.target_s:
                self._hold_completed = True
                events.append(TARGET_REACHED)
                side = r.side or "both"
                if side not in self._sides_done:
                    self._sides_done.append(side)
            if was_in_hold and not r.in_hold and not self._hold_completed:
                events.append(HOLD_BROKEN)
        else:
            if r.at_top and not (prev is not None and prev.at_top):
                events.append(HOLD_STARTED)
            if prev is not None and r.reps_done > prev.reps_done:
                events.append(TARGET_REACHED)
        self._prev = r
        return CoachState(ACTIVE, self._cue(r), tuple(events), tuple(self._sides_done))

    def _cue(self, r: FrameResult) -> str:
        """The session's cue, except where the side target has been reached."""
        spec = self.spec
        if spec.mode != "hold" or not self._sides_done:
            return r.cue
        if spec.per_side:
            if {"left", "right"} <= set(self._sides_done):
                return ALL_DONE_CUE
            # Keep saying "other side" until a hold on a side not yet done is under way.
            if not (r.in_hold and r.side not in self._sides_done):
                return OTHER_SIDE_CUE
            return r.cue
        return TARGET_DONE_CUE if not r.in_hold or self._hold_completed else r.cue
