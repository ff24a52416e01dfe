"""One exercise session: pose -> clean -> signals -> rules -> holds/reps, one frame at a time.

``Session.step(index, t, pose, outline)`` is the single entry point used by recorded-video scoring
and the live loop alike, so both judge a frame the same way. It takes what the pose stage
measured (plain data), never pixels or the model. All timing comes from frame timestamps.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from formcheck.exercises.spec import Criterion, ExerciseSpec
from formcheck.judge.filters import FilterConfig, LandmarkFilter
from formcheck.judge.frame_log import FrameLog
from formcheck.judge.frame_result import FrameResult
from formcheck.judge.holds import FrameVerdict, HoldRecord, HoldTracker, RepRecord, RepTracker
from formcheck.judge.rules import FAIL, PASS, UNKNOWN, combine, evaluate
from formcheck.judge.signals import SignalExtractor
from formcheck.pose.base import OutlineMeasure, PoseObservation

# Smoothing time constant for the back-outline curvature (DESIGN: smooth over 0.3-0.5 s).
CURVATURE_TAU_S = 0.2
# Minimum samples for a baseline median, and how long past its window to keep trying.
BASELINE_MIN_SAMPLES = 5
BASELINE_MAX_EXTRA_S = 5.0
# Cues stay on screen at least this long so they do not flicker.
CUE_MIN_S = 1.5
OCCLUSION_CUE = "Rest your hands on your front knee so the camera can see your lower back"


@dataclass
class SessionResult:
    """What a finished session hands to the reporters."""

    spec: ExerciseSpec
    frames: Sequence[FrameResult]  # a FrameLog from a Session; any sequence of frames will do
    holds: list[HoldRecord]
    reps: list[RepRecord]
    width: int
    height: int
    notes: list[str] = field(default_factory=list)
    side_override: str | None = None


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


class _CueSelector:
    """Keeps one cue on screen for at least ``CUE_MIN_S`` unless a more urgent one appears."""

    def __init__(self) -> None:
        self.text, self.code, self.priority, self.since = "", "", 10**6, -math.inf

    def update(self, t: float, text: str, code: str, priority: int) -> tuple[str, str]:
        if text == self.text:
            return self.text, self.code
        if t - self.since >= CUE_MIN_S or priority < self.priority:
            self.text, self.code, self.priority, self.since = text, code, priority, t
        return self.text, self.code


def _not_judged_reason(c: Criterion, reasons: dict[str, str], baselines: _Baselines) -> str:
    if c.signal in reasons:
        return reasons[c.signal]
    if c.relative and c.signal not in baselines.values:
        return "measuring your neutral position (baseline) first"
    return "not measurable in this frame"


class Session:
    """Runs one exercise over a stream of frames; call :meth:`step` per frame, then :meth:`finish`."""

    def __init__(self, spec: ExerciseSpec, width: int, height: int, side_override: str | None = None,
                 keep_frames: bool = True) -> None:
        self.spec = spec
        self.width, self.height = width, height
        self.side_override = side_override
        self.keep_frames = keep_frames
        self._filter = LandmarkFilter(width, height, FilterConfig())
        self._signals = SignalExtractor(side_override)
        self._curv = _Ema(CURVATURE_TAU_S)
        self._pos_status: dict[str, str] = {}
        self._form_status: dict[str, str] = {}
        self._form_by_priority = tuple(sorted(spec.form, key=lambda c: c.priority))
        self._holds = HoldTracker(spec.timing)
        self._reps = RepTracker(spec.reps, spec.timing) if spec.reps else None
        self._baselines = _Baselines(spec)
        self._hold_start_seen = math.nan
        self._cue = _CueSelector()
        self.frames = FrameLog(spec.signals)
        self.notes: list[str] = []
        self.n_frames = 0
        self.n_found = 0

    def step(self, index: int, t: float, obs: PoseObservation | None,
             outline: OutlineMeasure | None = None) -> FrameResult:
        """Judge frame ``index`` at ``t`` seconds from its pose ``obs`` (None: no person) and its
        back-outline measure ``outline`` (None: not measured, e.g. no mask)."""
        spec = self.spec
        self.n_frames += 1
        found = obs is not None
        self.n_found += found
        xy = self._filter.step(t, obs.xy if obs else None, obs.vis if obs else None)
        curvature, outline_reason = math.nan, None
        if spec.needs_outline:
            if obs is not None and outline is not None:
                raw = outline.curvature if not outline.occluded else math.nan
                outline_reason = outline.reason
            else:
                raw, outline_reason = math.nan, "no person" if obs is None else "back outline not available"
            curvature = self._curv.update(t, raw)
        sig = self._signals.step(xy, obs.z if obs else None, curvature, outline_reason)
        if not found:
            sig.reasons.update({k: "no person detected" for k in sig.values})
        values = {k: sig.values.get(k, math.nan) for k in spec.signals}

        self._pos_status = evaluate(spec.position, values, {}, self._pos_status)
        pos = combine(self._pos_status)
        in_position = True if pos == PASS else (False if pos == FAIL else None)
        side = sig.back_side if spec.sides == "back_leg" else "both"

        # Baselines belong to a hold: restart them whenever a new hold begins.
        cur = self._holds.current
        start = cur.start_s if cur else math.nan
        if cur and start != self._hold_start_seen:
            self._baselines.reset(start)
            self._hold_start_seen = start
        if cur:
            self._baselines.update(t, values)
        self._form_status = evaluate(spec.form, values, self._baselines.values, self._form_status)

        at_top = False
        # Top-only criteria are judged while a rep is in progress and at the top (as of the last frame).
        reps = self._reps
        judge_top = reps is not None and reps.current is not None and \
            reps.is_top_level(values.get(spec.reps.signal, math.nan) - reps.floor())
        statuses = dict(self._pos_status)
        judged: dict[str, str] = {}
        for c in spec.form:
            st = self._form_status[c.id]
            if c.when == "top" and reps is not None and not judge_top:
                statuses[c.id] = UNKNOWN
                continue
            statuses[c.id] = st
            judged[c.id] = st
        faults = tuple(dict.fromkeys(c.code for c in self._form_by_priority if judged.get(c.id) == FAIL))
        not_judged = tuple((c.id, _not_judged_reason(c, sig.reasons, self._baselines))
                           for c in spec.form if judged.get(c.id) == UNKNOWN)
        verdict = FrameVerdict(form=combine(judged) if judged else UNKNOWN, faults=faults, not_judged=not_judged)

        if self._reps is not None:
            top_faults = tuple(dict.fromkeys(c.code for c in self._form_by_priority
                                             if c.when == "top" and self._form_status.get(c.id) == FAIL))
            at_top = self._reps.update(t, values.get(spec.reps.signal, math.nan), in_position, side or "both",
                                       top_faults)
        else:
            self._holds.update(t, in_position, side, verdict if in_position else None)

        active = self._holds.active
        cue_text, cue_code, prio = self._choose_cue(found, in_position, faults, not_judged, active, at_top)
        cue_text, cue_code = self._cue.update(t, cue_text, cue_code, prio)
        result = FrameResult(
            index=index, t=t, found=found, xy=xy, values=values, statuses=statuses,
            in_position=in_position, side=side if side != "both" else None, facing=sig.facing,
            in_hold=active is not None, hold_good_s=active.good_form_s if active else 0.0,
            at_top=at_top, reps_done=len(self._reps.done) if self._reps else 0,
            cue=cue_text, cue_code=cue_code, faults=faults if (active or at_top) else (),
        )
        if self.keep_frames:
            self.frames.append(result)
        return result

    def _choose_cue(self, found: bool, in_position: bool | None, faults: tuple[str, ...],
                    not_judged: tuple[tuple[str, str], ...], active: HoldRecord | None,
                    at_top: bool) -> tuple[str, str, int]:
        spec = self.spec
        if not found:
            return "Step into view: whole body, side on to the camera", "no_person", 0
        if in_position is None:
            return "Move so your whole body is in the picture", "not_visible", 0
        if in_position is False:
            failing = [c for c in spec.position if self._pos_status.get(c.id) == FAIL]
            hint = failing[0].why if failing else ""
            return (f"Get into position: {hint}" if hint else "Get into position"), "get_in_position", 50
        judging = active is not None or at_top or (self._reps is not None and self._reps.current is not None)
        if judging and faults:
            c = min((c for c in spec.form if c.code == faults[0]), key=lambda c: c.priority)
            return c.cue, c.code, c.priority
        if judging and any("hand" in r or "arm" in r for _, r in not_judged):
            return OCCLUSION_CUE, "outline_hidden", 40
        if judging and any("baseline" in r for _, r in not_judged):
            return "Hold still in a neutral position for a moment", "baseline", 45
        if active is not None:
            return "Good form - hold it", "good", 90
        return "", "", 100

    def finish(self) -> SessionResult:
        """Close open holds/reps and return everything the reports need."""
        holds = self._holds.finish()
        reps = self._reps.finish() if self._reps else []
        return SessionResult(self.spec, self.frames, holds, reps, self.width, self.height,
                             self.notes, self.side_override)
