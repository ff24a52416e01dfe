"""Per-hold figures the history keeps that the report does not carry, computed from a session's frames.

Pure functions on a :class:`~formcheck.judge.session.SessionResult`; units and signs:

* ``peak_hip_ext_deg`` — signed hip extension of the stretched (back, kneeling) leg, degrees,
  + = thigh behind the trunk line (as :mod:`formcheck.judge.angles` defines it). "Peak" is the
  90th percentile over the hold's frames, so one frame of landmark noise cannot set it.
* ``tilt_change_deg`` — pelvic-tilt change from the person's own neutral, degrees, **+ = posterior
  (tucked)**, − = anterior (arched): the back-outline curvature change converted with
  :func:`formcheck.judge.tilt.posterior_tilt_deg` (renderer calibration, uncertain by about ±50%).
  Neutral is the median curvature over the same window the session takes its baseline from
  (``timing.baseline_settle_s`` after the hold starts, for ``timing.baseline_s``); the figure is
  the median change over the rest of the hold. ``None`` when the outline was not measured
  (e.g. a hand covers the lower back) or the exercise has no outline signal.
* ``faults_per_min`` — fault onsets (a fault code appearing in a frame where it was absent in the
  previous one) per minute of hold.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from formcheck.judge.frame_log import signal_series, times
from formcheck.judge.frame_result import FrameResult
from formcheck.judge.session import SessionResult
from formcheck.judge.tilt import posterior_tilt_deg, tilt_change

HIP_EXT_SIGNAL = "hip_ext.back"
CURVATURE_SIGNAL = "back_curvature"
PEAK_PERCENTILE = 90.0


@dataclass(frozen=True)
class HoldFigures:
    """History figures of one hold (see the module docstring for units and signs)."""

    peak_hip_ext_deg: float | None
    tilt_change_deg: float | None
    faults_per_min: float | None


def _finite_or_none(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def fault_onsets(frames: Sequence[FrameResult]) -> int:
    """How many times a fault code appears in a frame where it was absent in the frame before."""
    count = 0
    prev: frozenset[str] = frozenset()
    for f in frames:
        now = frozenset(f.faults)
        count += len(now - prev)
        prev = now
    return count


def hold_figures(result: SessionResult, start_s: float, end_s: float) -> HoldFigures:
    """Figures for the hold spanning ``start_s``..``end_s`` seconds of ``result``."""
    all_t = times(result.frames)
    inside = np.flatnonzero((all_t >= start_s) & (all_t <= end_s))
    if not inside.size:
        return HoldFigures(None, None, None)
    frames = [result.frames[int(i)] for i in inside]
    t = all_t[inside]
    hip = signal_series(frames, HIP_EXT_SIGNAL)
    hip = hip[np.isfinite(hip)]
    peak = float(np.percentile(hip, PEAK_PERCENTILE)) if hip.size else math.nan

    tm = result.spec.timing
    b0 = start_s + tm.baseline_settle_s
    b1 = b0 + tm.baseline_s
    change = tilt_change(signal_series(frames, CURVATURE_SIGNAL), t, (b0, b1))
    after = change[(t > b1) & np.isfinite(change)]
    tilt = float(posterior_tilt_deg(float(np.median(after)))) if after.size else math.nan

    minutes = (end_s - start_s) / 60.0
    rate = fault_onsets(frames) / minutes if minutes > 0 else math.nan
    return HoldFigures(_finite_or_none(peak), _finite_or_none(tilt), _finite_or_none(rate))


def session_hold_figures(result: SessionResult) -> list[HoldFigures]:
    """Figures for every hold of the session, in the order of ``result.holds`` (= the report's holds)."""
    return [hold_figures(result, h.start_s, h.end_s) for h in result.holds]
