"""What a hold achieved on a measured, never judged signal (e.g. hip extension of the kneeling leg):
its level over the hold and its change from the person's own neutral at the start of the hold.
Pure functions over the judged frames; units are the signal's (degrees for angles)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from formcheck.exercises.spec import Timing
from formcheck.judge.frame_log import signal_series, times
from formcheck.judge.frame_result import FrameResult


@dataclass(frozen=True)
class OutcomeFigures:
    """One outcome over one hold. ``median`` / ``p90``: over the hold's frames; ``neutral``: median
    over the hold's neutral window (``baseline_settle_s`` into the hold, ``baseline_s`` long);
    ``change``: median after that window minus ``neutral`` (+ = more of the signal, e.g. more hip
    extension). NaN where not measured."""

    signal: str
    median: float
    p90: float
    neutral: float
    change: float


def _median(x: NDArray[np.float64]) -> float:
    x = x[np.isfinite(x)]
    return float(np.median(x)) if x.size else math.nan


def hold_outcome(frames: Sequence[FrameResult], start_s: float, end_s: float, signal: str,
                 timing: Timing) -> OutcomeFigures:
    """The figures of ``signal`` over the hold ``start_s``..``end_s`` (seconds)."""
    t = times(frames)
    v = signal_series(frames, signal)
    hold = (t >= start_s) & (t <= end_s)
    a = start_s + timing.baseline_settle_s
    b = a + timing.baseline_s
    neutral = _median(v[hold & (t >= a) & (t <= b)])
    after = _median(v[hold & (t > b)])
    inside = v[hold & np.isfinite(v)]
    p90 = float(np.percentile(inside, 90)) if inside.size else math.nan
    return OutcomeFigures(signal, _median(v[hold]), p90, neutral, after - neutral)
