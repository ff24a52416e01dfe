"""Hold and rep state machines, driven by frame timestamps (seconds), per side.

Hold: it starts when the person has been in position for ``debounce_s``; brief breaks shorter
than ``grace_s`` do not end it; a longer break, or the stretched side changing, ends it.
Its start is the first in-position frame; its end the last one. Each frame's duration (time
since the previous frame, capped at ``grace_s`` so a stalled camera cannot add time) is
booked as good form, faulty or not judged.

Rep: judged on the rep signal *above its floor* — this person's resting level, a low percentile
(``FLOOR_PERCENTILE``) of the in-position values over the last ``floor_window_s`` seconds (lying
flat, the hip sits a little above the shoulder by an amount that differs by body). A rep is a lift
from the floor and a return to it, as a therapist counts: it starts when the signal rises
``start_above`` over the floor — or ``start_fraction`` of this set's typical top height (the
median peak of the reps so far), whichever is larger, so small movements of someone whose tops
are high make no rep — and ends when it is back within the same level scaled by
``end_below / start_above`` (hysteresis), or back under ``end_fraction`` of its own peak and still
(the resting level can shift between reps, e.g. one leg raised). The next rep needs the signal
under the start level first. A lift shorter than ``min_rep_s`` is no rep. The frame
is "held at the top" once the signal has stayed within ``top_fraction`` of the rep's own peak so
far and moved slower than ``top_max_rate`` per second for ``top_settle_s`` (the settling time itself
is not booked: top seconds are exactly the frames shown at the top): a shallow lift that stops well
short of the line has its own top, where the top-only form rules judge it.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from formcheck.exercises.spec import RepsSpec, Timing
from formcheck.judge.reasons import Reason, Unjudged
from formcheck.judge.rules import BORDERLINE, FAIL, PASS, UNKNOWN, Status
from formcheck.judge.sides import UNKNOWN_SIDE, HoldSide


@dataclass
class HoldRecord:
    """One hold being built. Seconds are frame durations booked while in position."""

    side: HoldSide
    start_s: float
    end_s: float
    good_form_s: float = 0.0
    faulty_s: float = 0.0
    not_judged_s: float = 0.0
    break_s: float = 0.0
    borderline_s: float = 0.0  # part of good_form_s: a reading within its signal's error of a bound
    unseen_s: float = 0.0  # good form as far as seen, a criterion hidden by an arm (not in good_form_s)
    fault_s: dict[str, float] = field(default_factory=dict)
    borderline_code_s: dict[str, float] = field(default_factory=dict)  # fault code -> borderline seconds
    not_judged_reasons: dict[str, dict[str, float]] = field(default_factory=dict)  # criterion -> words -> s
    confirmed: bool = False


@dataclass
class FrameVerdict:
    """What one in-position frame contributes: overall form status and the faults it shows."""

    form: Status
    faults: tuple[str, ...] = ()
    borderline: tuple[str, ...] = ()  # fault codes whose reading is within the signal's error of a bound
    not_judged: tuple[tuple[str, Reason], ...] = ()  # (criterion id, why it is not judged)

    @property
    def unseen(self) -> bool:
        """Form is not judged only because an arm covers the back outline a criterion reads."""
        return self.form == UNKNOWN and bool(self.not_judged) and \
            all(r.code is Unjudged.OUTLINE_COVERED for _, r in self.not_judged)


class HoldTracker:
    """Builds :class:`HoldRecord` s from per-frame 'in position' answers (True/False/None)."""

    def __init__(self, timing: Timing) -> None:
        self.timing = timing
        self.current: HoldRecord | None = None
        self.done: list[HoldRecord] = []
        self._prev_t: float | None = None
        self._pending_break = 0.0
        self._switch_start: float | None = None
        self._switch_side: HoldSide = UNKNOWN_SIDE  # the side in position since _switch_start

    @property
    def active(self) -> HoldRecord | None:
        """The hold in progress once confirmed (debounce passed), else None."""
        return self.current if self.current and self.current.confirmed else None

    def update(self, t: float, in_position: bool | None, side: HoldSide | None,
               verdict: FrameVerdict | None) -> None:
        """Feed one frame. ``in_position`` None = unknown (no pose): treated as a break."""
        dt = 0.0 if self._prev_t is None else min(max(t - self._prev_t, 0.0), self.timing.grace_s)
        self._prev_t = t
        side = side or UNKNOWN_SIDE
        cur = self.current
        if cur is not None and in_position and side != cur.side:
            # The stretched side changed: this hold is breaking; remember when the new side began (again
            # if the side seen changes once more before the switch is through).
            if self._switch_start is None or side != self._switch_side:
                self._switch_start, self._switch_side = t, side
            in_position = False
        elif not in_position or cur is None:
            self._switch_start = None
        if in_position:
            if cur is None:
                cur = self.current = HoldRecord(side=side, start_s=t, end_s=t)
                dt = 0.0
            else:
                cur.break_s += self._pending_break
                self._pending_break = 0.0
                self._switch_start = None
            cur.end_s = t
            if not cur.confirmed and t - cur.start_s >= self.timing.debounce_s:
                cur.confirmed = True
            self._book(cur, dt, verdict)
            return
        if cur is None:
            return
        if not cur.confirmed:
            self.current = None  # never became a hold
            self._pending_break = 0.0
            if self._switch_start is not None:
                self._start_new(self._switch_side, self._switch_start, t)
            return
        self._pending_break += dt
        if t - cur.end_s > self.timing.grace_s:
            self._close()
            if self._switch_start is not None:
                self._start_new(self._switch_side, self._switch_start, t)

    def _start_new(self, side: HoldSide, start_s: float, t: float) -> None:
        """Start a hold on the other side that has been in position since ``start_s``."""
        self.current = HoldRecord(side=side, start_s=start_s, end_s=t)
        self.current.confirmed = t - start_s >= self.timing.debounce_s
        self._switch_start = None

    def _book(self, cur: HoldRecord, dt: float, verdict: FrameVerdict | None) -> None:
        if verdict is None or dt <= 0:
            return
        if verdict.form == PASS:
            cur.good_form_s += dt
        elif verdict.form == BORDERLINE:
            cur.good_form_s += dt
            cur.borderline_s += dt
        elif verdict.form == FAIL:
            cur.faulty_s += dt
        elif verdict.unseen:
            cur.unseen_s += dt
        else:
            cur.not_judged_s += dt
        for code in verdict.faults:
            cur.fault_s[code] = cur.fault_s.get(code, 0.0) + dt
        for code in verdict.borderline:
            cur.borderline_code_s[code] = cur.borderline_code_s.get(code, 0.0) + dt
        for cid, reason in verdict.not_judged:
            per = cur.not_judged_reasons.setdefault(cid, {})
            per[reason.words] = per.get(reason.words, 0.0) + dt

    def _close(self) -> None:
        if self.current is not None and self.current.confirmed:
            self.done.append(self.current)
        self.current = None
        self._pending_break = 0.0

    def finish(self) -> list[HoldRecord]:
        """Close any open hold and return all holds in time order."""
        self._close()
        return list(self.done)


# A fault belongs to a rep when present for at least this fraction of its seconds at the top
# (brief threshold crossings on the way up or down are not the rep's form).
REP_FAULT_MIN_FRACTION = 1 / 3


@dataclass
class RepRecord:
    """One rep: start/end seconds, seconds held still at the top, faults seen at the top."""

    side: HoldSide
    start_s: float
    end_s: float
    top_hold_s: float = 0.0
    peak: float = -math.inf
    peak_faults: tuple[str, ...] = ()
    fault_s: dict[str, float] = field(default_factory=dict)
    complete: bool = False


FLOOR_PERCENTILE = 10.0  # resting level: a low percentile, not the minimum (one misread frame is no floor)


class RepTracker:
    """Counts reps on one signal with hysteresis; books 'top' seconds and faults at the top."""

    def __init__(self, spec: RepsSpec, timing: Timing) -> None:
        self.spec, self.timing = spec, timing
        self.current: RepRecord | None = None
        self.done: list[RepRecord] = []
        self._prev: tuple[float, float] | None = None  # (t, value) of the last frame with a known value
        self._prev_t: float | None = None  # time of the last frame, value known or not
        self._rate = 0.0
        self._window: deque[tuple[float, float]] = deque()  # (t, value) in position, for the floor
        self._floor = math.nan  # resting level: low percentile of the resting values in the window; NaN before one
        self._still_since = math.nan  # when the signal last became still near the rep's peak
        self._at_top = False
        self._armed = True  # a new rep may start (the signal has been under the start level since the last)
        # After being seen out of position (and then seen all along), a rep is armed only once the signal
        # is still under the start level: lying down from kneeling enters the position with the hips still
        # rising toward the shoulders, which is no lift from rest.
        self._need_still = False

    def _follow_floor(self, t: float, value: float, resting: bool) -> None:
        """Add a resting frame (in position, no rep in progress) to the floor window; drop old ones.
        The floor keeps its last value while no resting frame is in the window (a long top hold)."""
        if resting:
            self._window.append((t, value))
        while self._window and self._window[0][0] < t - self.spec.floor_window_s:
            self._window.popleft()
        if self._window:
            self._floor = float(np.percentile([v for _, v in self._window], FLOOR_PERCENTILE))

    def set_top(self) -> float:
        """This set's typical top height above the floor: median peak of the reps so far (NaN before one)."""
        peaks = [r.peak for r in self.done if math.isfinite(r.peak)]
        return float(np.median(peaks)) if peaks else math.nan

    def start_level(self) -> float:
        """Height over the floor a rep must rise to (signal units): the fixed minimum, or a fraction
        of this set's typical top, whichever is larger."""
        s, top = self.spec, self.set_top()
        return max(s.start_above, s.start_fraction * top) if math.isfinite(top) else s.start_above

    @property
    def at_top(self) -> bool:
        """Whether the last frame counted as held at the top of a rep."""
        return self._at_top

    def update(self, t: float, value: float, in_position: bool | None, side: HoldSide,
               faults_now: tuple[str, ...]) -> bool:
        """Feed one frame; returns True when the frame counts as held at the top."""
        self._at_top = False
        # A frame books the time since the frame before it, even one with the value unknown: time the
        # signal was not seen is never counted as held at the top.
        dt_book = 0.0 if self._prev_t is None else min(max(t - self._prev_t, 0.0), self.timing.grace_s)
        self._prev_t = t
        if not math.isfinite(value):
            self._still_since = math.nan  # stillness needs seeing
            self._need_still = False  # not seen moving into the position: first sight again arms as before
            if self.current and self._prev is not None and t - self._prev[0] > self.timing.grace_s:
                self._close(complete=False)
            return False
        if self._prev is not None:
            dt = t - self._prev[0]
            if dt > 0:
                inst = (value - self._prev[1]) / dt
                a = min(1.0, dt / 0.25)  # ~0.25 s smoothing
                self._rate = (1 - a) * self._rate + a * inst
        self._prev = (t, value)
        self._follow_floor(t, value, in_position is True and self.current is None)  # resting frames only
        if in_position is False and self.current is None:
            self._armed, self._need_still = False, True
        height = value - self._floor
        if not math.isfinite(height):
            return False
        s = self.spec
        level = self.start_level()
        cur = self.current
        if cur is None:
            if height < level and (not self._need_still or abs(self._rate) <= s.top_max_rate):
                self._armed, self._need_still = True, False
            if self._armed and height >= level and in_position:
                self.current = RepRecord(side=side, start_s=t, end_s=t, peak=height)
                self._still_since = math.nan
                self._armed = False
            return False
        cur.end_s = t
        back_down = height <= level * s.end_below / s.start_above or \
            (height <= s.end_fraction * cur.peak and abs(self._rate) <= s.top_max_rate)
        if back_down:
            self._close(complete=True)
            return False
        if height > cur.peak:
            cur.peak = height
            cur.peak_faults = faults_now
            cur.side = side  # booked to the side seen at its peak (a per-side role settles as the limb rises)
        near_peak = height >= max(level, s.top_fraction * cur.peak) and abs(self._rate) <= s.top_max_rate \
            and in_position is not False
        if not near_peak:
            self._still_since = math.nan
            return False
        if math.isnan(self._still_since):
            self._still_since = t
        if t - self._still_since < s.top_settle_s or t - cur.start_s < s.min_rep_s:
            return False  # not still long enough yet, or not yet a rep (a shorter lift is dropped)
        self._at_top = True
        cur.top_hold_s += dt_book
        for code in faults_now:
            cur.fault_s[code] = cur.fault_s.get(code, 0.0) + dt_book
        return True

    def _close(self, complete: bool) -> None:
        cur = self.current
        self._still_since = math.nan
        if cur is not None and cur.end_s - cur.start_s < self.spec.min_rep_s:
            cur = None  # a blip, not a lift
        self.current = None
        if cur is not None:
            cur.complete = complete
            floor = REP_FAULT_MIN_FRACTION * cur.top_hold_s
            cur.fault_s = {k: v for k, v in cur.fault_s.items() if v >= floor and v > 0}
            self.done.append(cur)  # a rep that never reached the top is still a rep (e.g. sagging)

    def finish(self) -> list[RepRecord]:
        """Close an open rep (marked incomplete) and return all reps."""
        self._close(complete=False)
        return list(self.done)
