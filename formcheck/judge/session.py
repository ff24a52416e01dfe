"""One exercise session: pose -> clean -> signals -> rules -> holds/reps, one frame at a time.

``Session.step(index, t, pose, outline)`` is the single entry point used by recorded-video scoring
and the live loop alike, so both judge a frame the same way. It takes what the pose stage
measured (plain data), never pixels or the model. All timing comes from frame timestamps.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from formcheck.exercises.spec import Criterion, ExerciseSpec
from formcheck.judge.filters import FilterConfig, LandmarkFilter
from formcheck.judge.frame_log import FrameLog
from formcheck.judge.frame_result import FrameResult
from formcheck.judge.holds import FrameVerdict, HoldRecord, HoldTracker, RepRecord, RepTracker
from formcheck.judge.reasons import Reason, Unjudged
from formcheck.judge.rules import BORDERLINE, FAIL, PASS, UNKNOWN, Status, codes_with, combine, evaluate
from formcheck.judge.sides import BOTH, HoldSide, Side
from formcheck.judge.signals import FrameSignals, SignalExtractor
from formcheck.pose.base import OutlineMeasure, PoseObservation

# Smoothing time constant for the back-outline curvature (DESIGN: smooth over 0.3-0.5 s).
CURVATURE_TAU_S = 0.2
# Minimum samples for a baseline median, and how long past its window to keep trying.
BASELINE_MIN_SAMPLES = 5
BASELINE_MAX_EXTRA_S = 5.0


@dataclass
class SessionResult:
    """What a finished session hands to the reporters. ``n_frames``: frames judged;
    ``n_found``: those with a person in them."""

    spec: ExerciseSpec
    frames: Sequence[FrameResult]  # a FrameLog from a Session; any sequence of frames will do
    holds: list[HoldRecord]
    reps: list[RepRecord]
    width: int
    height: int
    notes: list[str] = field(default_factory=list)
    side_override: Side | None = None
    n_frames: int = 0
    n_found: int = 0


@dataclass(frozen=True)
class Situation:
    """What one frame showed, as a cue chooser needs it (plain data; the words are the chooser's).

    ``in_position``: None when the joints needed are not visible. ``failing_position``: the
    position criteria that fail. ``judging``: form is being judged (in a hold, or in a rep).
    ``faults``: failing fault codes, most urgent first. ``not_judged``: why form criteria are unknown.
    """

    t: float
    found: bool
    in_position: bool | None
    failing_position: tuple[Criterion, ...]
    judging: bool
    in_hold: bool
    faults: tuple[str, ...]
    not_judged: tuple[Reason, ...]


class CuePolicy(Protocol):
    """Chooses the one instruction shown for a frame: ``(text, code)``, ``("", "")`` for none."""

    def choose(self, situation: Situation) -> tuple[str, str]: ...


class NoCues:
    """A cue policy that never says anything (reports without cues, tests)."""

    def choose(self, situation: Situation) -> tuple[str, str]:
        """Always ``("", "")``."""
        return "", ""


class _Ema:
    """Exponential smoothing with a time constant in seconds; NaN input resets it."""

    def __init__(self, tau_s: float) -> None:
        self.tau, self.value, self.t = tau_s, math.nan, -math.inf

    def update(self, t: float, x: float) -> float:
        if not math.isfinite(x):
            self.value = math.nan
            return math.nan
        if not math.isfinite(self.value) or t - self.t > 1.0:
            self.value = x
        else:
            a = 1.0 - math.exp(-max(t - self.t, 1e-3) / self.tau)
            self.value += a * (x - self.value)
        self.t = t
        return self.value


class _Baselines:
    """Each relative signal's own neutral: the median over the first ``baseline_s`` seconds, after
    ``baseline_settle_s`` into the hold, during which it stayed within its ``baseline_tolerance``
    (still, not moving into position). Gives up after ``BASELINE_MAX_EXTRA_S`` of searching."""

    def __init__(self, spec: ExerciseSpec) -> None:
        tol: dict[str, float] = {}
        for c in spec.form:
            if c.relative:
                tol[c.signal] = min(tol.get(c.signal, math.inf), c.baseline_tolerance)
        self.tolerance = tol
        self.signals = tuple(tol)
        self.timing = spec.timing
        self.reset(math.nan)

    @property
    def complete(self) -> bool:
        """True once every relative signal's neutral has been taken."""
        return all(s in self.values for s in self.signals)

    def reset(self, start_s: float) -> None:
        self.start_s = start_s
        self.window: dict[str, list[tuple[float, float]]] = {s: [] for s in self.signals}
        self.values: dict[str, float] = {}

    def update(self, t: float, values: dict[str, float]) -> None:
        tm = self.timing
        since = t - self.start_s
        if not math.isfinite(since) or since < tm.baseline_settle_s:
            return
        if since > tm.baseline_settle_s + tm.baseline_s + BASELINE_MAX_EXTRA_S:
            return
        for s in self.signals:
            v = values.get(s, math.nan)
            if s in self.values or not math.isfinite(v):
                continue
            win = self.window[s]
            win.append((t, v))
            while win and win[0][0] < t - tm.baseline_s:
                win.pop(0)
            vals = [x for _, x in win]
            if max(vals) - min(vals) > self.tolerance[s]:
                # Still moving: restart the window from the newest value.
                del win[:-1]
                continue
            if t - win[0][0] >= 0.9 * tm.baseline_s and len(win) >= BASELINE_MIN_SAMPLES:
                self.values[s] = float(np.median(vals))


def _not_judged_reason(c: Criterion, reasons: dict[str, Reason], baselines: _Baselines) -> Reason:
    if c.signal in reasons:
        return reasons[c.signal]
    if c.relative and c.signal not in baselines.values:
        return Reason(Unjudged.BASELINE_PENDING)
    return Reason(Unjudged.NOT_MEASURABLE)


def _outline_curvature(obs: PoseObservation | None, outline: OutlineMeasure | None) -> tuple[float, Reason | None]:
    """The raw back-outline curvature of a frame (NaN when unknown or covered) and why it is unknown."""
    if obs is None:
        return math.nan, Reason(Unjudged.OUTLINE_LOST, "no person")
    if outline is None:
        return math.nan, Reason(Unjudged.OUTLINE_LOST, "back outline not available")
    if outline.occluded:
        return math.nan, Reason(Unjudged.OUTLINE_COVERED, outline.reason or "the back outline is covered")
    reason = Reason(Unjudged.OUTLINE_LOST, outline.reason) if outline.reason else None
    return outline.curvature, reason


class Session:
    """Runs one exercise over a stream of frames; call :meth:`step` per frame, then :meth:`finish`.

    ``cues`` chooses each frame's instruction (:class:`NoCues` by default); ``side_override``
    ("left"/"right") fixes the stretched side instead of detecting it.
    """

    def __init__(self, spec: ExerciseSpec, width: int, height: int, side_override: Side | None = None,
                 keep_frames: bool = True, cues: CuePolicy | None = None) -> None:
        self.spec = spec
        self.width, self.height = width, height
        self.side_override = side_override
        self.keep_frames = keep_frames
        self._filter = LandmarkFilter(width, height, FilterConfig())
        self._signals = SignalExtractor(side_override)
        self._curv = _Ema(CURVATURE_TAU_S)
        self._pos_status: dict[str, Status] = {}
        self._form_status: dict[str, Status] = {}
        self._holds = HoldTracker(spec.timing)
        self._reps = RepTracker(spec.reps, spec.timing) if spec.reps else None
        self._rep_signal = spec.reps.signal if spec.reps is not None else ""
        self._baselines = _Baselines(spec)
        self._hold_start_seen = math.nan
        self._neutral_by_side: dict[HoldSide, dict[str, float]] = {}
        self._cues: CuePolicy = cues if cues is not None else NoCues()
        self.frames = FrameLog(spec.signals)
        self.notes: list[str] = []
        self.n_frames = 0
        self.n_found = 0

    def step(self, index: int, t: float, obs: PoseObservation | None,
             outline: OutlineMeasure | None = None) -> FrameResult:
        """Judge frame ``index`` at ``t`` seconds from its pose ``obs`` (None: no person) and its
        back-outline measure ``outline`` (None: not measured, e.g. no mask)."""
        self.n_frames += 1
        self.n_found += obs is not None
        xy, sig = self._measure(t, obs, outline)
        values = {k: sig.values.get(k, math.nan) for k in self.spec.signals}
        in_position = self._judge_position(values)
        side: Side | None = sig.side_of(self.spec.side_role) if self.spec.per_side else None
        booked_to: HoldSide | None = side if self.spec.per_side else BOTH
        self._follow_baselines(t, values)
        statuses, verdict = self._judge_form(values, sig.reasons)
        at_top = self._time(t, values, in_position, booked_to, verdict)
        active = self._holds.active
        judging = active is not None or at_top or (self._reps is not None and self._reps.current is not None)
        cue_text, cue_code = self._cues.choose(Situation(
            t=t, found=obs is not None, in_position=in_position,
            failing_position=tuple(c for c in self.spec.position if self._pos_status.get(c.id) == FAIL),
            judging=judging, in_hold=active is not None, faults=verdict.faults,
            not_judged=tuple(r for _, r in verdict.not_judged)))
        result = FrameResult(
            index=index, t=t, found=obs is not None, xy=xy, values=values, statuses=statuses,
            in_position=in_position, side=side, facing=sig.facing,
            in_hold=active is not None, hold_good_s=active.good_form_s if active else 0.0,
            at_top=at_top, reps_done=len(self._reps.done) if self._reps else 0,
            cue=cue_text, cue_code=cue_code,
            faults=verdict.faults if ((active and in_position) or at_top) else (),  # a break shows none
            baselines=dict(self._baselines.values), unseen=verdict.unseen and in_position is True,
        )
        if self.keep_frames:
            self.frames.append(result)
        return result

    def _measure(self, t: float, obs: PoseObservation | None,
                 outline: OutlineMeasure | None) -> tuple[NDArray[np.float64], FrameSignals]:
        """Clean the landmarks (33, 2) px, smooth the back-outline curvature, and compute the named signals."""
        xy = self._filter.step(t, obs.xy if obs else None, obs.vis if obs else None)
        curvature, outline_reason = math.nan, None
        if self.spec.needs_outline:
            raw, outline_reason = _outline_curvature(obs, outline)
            curvature = self._curv.update(t, raw)
        sig = self._signals.step(xy, obs.z if obs else None, curvature, outline_reason)
        if obs is None:
            sig.reasons.update({k: Reason(Unjudged.NO_PERSON) for k in sig.values})
        return xy, sig

    def _judge_position(self, values: dict[str, float]) -> bool | None:
        """Is the person in the exercise's position? None when the joints needed are not visible."""
        self._pos_status = evaluate(self.spec.position, values, {}, self._pos_status)
        pos = combine(self._pos_status)
        return True if pos == PASS else (False if pos == FAIL else None)

    def _follow_baselines(self, t: float, values: dict[str, float]) -> None:
        """The person's own neutral is taken at the start of a hold. For an exercise timed per side
        each side's neutral is kept for the session's later holds on that side, and a neutral is kept
        for a hold that follows the last one within twice the grace period (a side detected wrongly
        for a moment, not a real switch of sides, which takes the person seconds): a hold that
        starts again part-way into the stretch would otherwise take the stretch as the neutral."""
        cur = self._holds.current
        start = cur.start_s if cur else math.nan
        if cur and start != self._hold_start_seen:
            self._hold_start_seen = start
            done = self._holds.done
            just_after = bool(done) and start - done[-1].end_s <= 2 * self.spec.timing.grace_s
            if self.spec.per_side and cur.side in self._neutral_by_side:
                self._baselines.values = dict(self._neutral_by_side[cur.side])
            elif not (self.spec.per_side and just_after and self._baselines.complete):
                self._baselines.reset(start)
        if cur:
            self._baselines.update(t, values)
            if self.spec.per_side and self._baselines.complete and cur.side not in self._neutral_by_side \
                    and cur.confirmed:
                self._neutral_by_side[cur.side] = dict(self._baselines.values)

    def _judge_form(self, values: dict[str, float],
                    reasons: dict[str, Reason]) -> tuple[dict[str, Status], FrameVerdict]:
        """Every criterion's status this frame, and the form verdict over the criteria judged now.

        Top-only criteria are judged while a rep is in progress and at the top (as of the last frame).
        """
        spec, reps = self.spec, self._reps
        self._form_status = evaluate(spec.form, values, self._baselines.values, self._form_status)
        judge_top = reps is not None and reps.current is not None and reps.at_top
        statuses = dict(self._pos_status)
        judged: dict[str, Status] = {}
        for c in spec.form:
            st = self._form_status[c.id]
            if c.when == "top" and reps is not None and not judge_top:
                statuses[c.id] = UNKNOWN
                continue
            statuses[c.id] = st
            judged[c.id] = st
        faults = codes_with(spec.form_by_priority, judged, FAIL)
        borderline = tuple(code for code in codes_with(spec.form_by_priority, judged, BORDERLINE) if code not in faults)
        not_judged = tuple((c.id, _not_judged_reason(c, reasons, self._baselines))
                           for c in spec.form if judged.get(c.id) == UNKNOWN)
        return statuses, FrameVerdict(form=combine(judged) if judged else UNKNOWN, faults=faults,
                                      borderline=borderline, not_judged=not_judged)

    def _time(self, t: float, values: dict[str, float], in_position: bool | None, side: HoldSide | None,
              verdict: FrameVerdict) -> bool:
        """Advance the hold or rep timers; True when this frame is at the top of a rep."""
        if self._reps is None:
            self._holds.update(t, in_position, side, verdict if in_position else None)
            return False
        top_faults = codes_with((c for c in self.spec.form_by_priority if c.when == "top"), self._form_status, FAIL)
        return self._reps.update(t, values.get(self._rep_signal, math.nan), in_position, side or BOTH, top_faults)

    def finish(self) -> SessionResult:
        """Close open holds/reps and return everything the reports need."""
        holds = self._holds.finish()
        reps = self._reps.finish() if self._reps else []
        return SessionResult(self.spec, self.frames, holds, reps, self.width, self.height,
                             self.notes, self.side_override, self.n_frames, self.n_found)
